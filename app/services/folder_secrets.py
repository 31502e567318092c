"""Keyring entries that belong to one data folder.

Keys already name the provider and the profile (``xero:default:refresh_token``), but two data folders on one PC
(two businesses, or a copy for testing) used the same keyring service, so the second folder's sign-in overwrote the
first's. Each folder now gets a random id (the ``folder-id`` file) and its own keyring service,
``Ledgerbridge <id>``. A folder made before this adopts its entries from the shared service once, when its id is
first written. The fallback file already lives inside the folder, so only the keyring needed this.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from pathlib import Path

from app.auth.secrets import DEFAULT_SERVICE, KeyringStore, SecretStore
from app.services.profiles import secret_keys

log = logging.getLogger(__name__)

FOLDER_ID_FILE = "folder-id"
_ID = re.compile(r"^[0-9a-f]{12}$")


def folder_id(data_dir: Path) -> tuple[str, bool]:
    """This folder's id, and whether it was written just now."""
    path = Path(data_dir) / FOLDER_ID_FILE
    try:
        text = path.read_text(encoding="ascii").strip()
        if _ID.match(text):
            return text, False
        log.warning("the folder id in %s is damaged; writing a new one", path)
    except FileNotFoundError:
        pass
    new = secrets.token_hex(6)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_text(new + "\n", encoding="ascii")
    os.replace(tmp, path)
    return new, True


def keyring_service(data_dir: Path) -> tuple[str, bool]:
    """The keyring service for this folder's secrets, and whether the folder got its id just now."""
    ident, created = folder_id(data_dir)
    return f"{DEFAULT_SERVICE} {ident}", created


def adopt_shared_entries(store: SecretStore, profiles: list[str]) -> int:
    """Move these profiles' entries from the shared keyring service into this folder's (a folder made before
    folders had their own). Returns how many moved. Call off the GUI thread (keyring)."""
    if not isinstance(store, KeyringStore):
        return 0
    shared = KeyringStore(DEFAULT_SERVICE, store.backend)
    moved = 0
    for profile in profiles:
        for key in secret_keys(profile):
            value = shared.get(key)
            if value is not None and store.get(key) is None:
                store.set(key, value)
                shared.delete(key)
                moved += 1
    if moved:
        log.info("moved %d saved sign-in entries into this data folder's own keyring entries", moved)
    return moved
