"""Xero Accounting API client: OAuth (PKCE public client), connections, contacts, items, invoices, payments."""
