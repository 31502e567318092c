"""Ledgerbridge: keeps Xero and Zoho CRM in sync, from a desktop app.

Layers (enforced by import-linter, see pyproject.toml): ``store`` (peewee), ``auth``, ``integrations`` (Xero, Zoho),
``core`` (the sync engine), ``emulators`` (the sandbox), ``cli`` (headless commands), ``gui`` (the only Qt code).
"""

APP_NAME = "Ledgerbridge"
APP_AUTHOR = "Ledgerbridge"
__version__ = "0.1.0"
