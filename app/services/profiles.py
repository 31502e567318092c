"""Profiles: several Xero organisations (each with its Zoho CRM organisation) side by side in one data folder.

Every table row belongs to a profile, and secret-store keys name it (``xero:{profile}:refresh_token``), so each
profile has its own links, history, mapping, schedule and sign-ins. A data folder made before profiles existed is
the ``default`` profile, which always exists. Removing a profile backs the database up first.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.auth.secrets import SecretStore
from app.auth.tokens import access_token_keys, refresh_token_key
from app.errors import ConfigError
from app.store.db import DB
from app.store.models import Connection, Profile, Run

log = logging.getLogger(__name__)

DEFAULT = "default"
NAME_RULE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}$")
PROVIDERS = ("xero", "zoho")


@dataclass(frozen=True)
class ProfileInfo:
    name: str
    xero: str  # organisation names, "" when not connected
    zoho: str
    last_sync: datetime | None


def secret_keys(profile: str) -> list[str]:
    """Every secret-store key a profile can own (sign-ins and the optional Zoho client secret)."""
    keys = []
    for provider in PROVIDERS:
        keys.append(refresh_token_key(provider, profile))
        keys.extend(access_token_keys(provider, profile))
    keys.append(f"zoho:{profile}:client_secret")
    return keys


def check_name(name: str) -> str:
    name = name.strip()
    if not NAME_RULE.match(name):
        raise ConfigError(f"{name!r} cannot be a profile name: use up to 40 letters, digits, spaces, dots, dashes "
                          "or underscores, starting with a letter or digit.")
    return name


def _find(name: str) -> Profile | None:
    return Profile.get_or_none(Profile.name == name)


def list_profiles() -> list[ProfileInfo]:
    """Every profile, ``default`` first, then by name (``default`` always exists)."""
    Profile.get_or_create(name=DEFAULT)
    out = []
    for profile in Profile.select():
        orgs = {c.provider: c.org_name for c in Connection.select().where(Connection.profile == profile)}
        last = (Run.select(Run.started_at).where(Run.profile == profile, Run.dry_run == False,  # noqa: E712
                                                 Run.outcome.in_(("ok", "partial")))
                .order_by(Run.started_at.desc()).first())
        out.append(ProfileInfo(profile.name, orgs.get("xero", ""), orgs.get("zoho", ""),
                               last.started_at if last else None))
    return sorted(out, key=lambda p: (p.name != DEFAULT, p.name.lower()))


def resolve(name: str) -> str:
    """The profile a command runs as: ``default`` always exists; any other must have been added."""
    if name == DEFAULT:
        return name
    if _find(name) is None:
        names = ", ".join(p.name for p in list_profiles())
        raise ConfigError(f"There is no profile named {name!r}. Profiles: {names}. "
                          f"Add one with `profiles add {name}`.")
    return name


def add(name: str) -> str:
    name = check_name(name)
    if any(p.name.lower() == name.lower() for p in Profile.select(Profile.name)):
        raise ConfigError(f"There is already a profile named {name!r}.")
    Profile.create(name=name)
    log.info("profile %s added", name)
    return name


def rename(old: str, new: str, secrets: SecretStore) -> str:
    """Rename a profile; its sign-ins move to keys with the new name. Call off the GUI thread (secret store)."""
    profile = _find(old)
    if profile is None:
        raise ConfigError(f"There is no profile named {old!r}.")
    if old == DEFAULT:
        raise ConfigError("The default profile keeps its name: it is the one every command uses without --profile.")
    new = check_name(new)
    if new != old and any(p.name.lower() == new.lower() for p in Profile.select(Profile.name) if p.name != old):
        raise ConfigError(f"There is already a profile named {new!r}.")
    moved = []
    for old_key, new_key in zip(secret_keys(old), secret_keys(new), strict=True):
        value = secrets.get(old_key)
        if value is not None:
            secrets.set(new_key, value)
            moved.append(old_key)
    profile.name = new
    profile.save()
    for key in moved:  # only once the database names the profile anew
        secrets.delete(key)
    log.info("profile %s renamed to %s", old, new)
    return new


def remove(name: str, secrets: SecretStore, backups: Path) -> Path:
    """Remove a profile with its links, history, mapping, settings and sign-ins; returns the database backup made
    first. The default profile stays. Call off the GUI thread."""
    profile = _find(name)
    if profile is None:
        raise ConfigError(f"There is no profile named {name!r}.")
    if name == DEFAULT:
        raise ConfigError("The default profile cannot be removed: it is the one every command uses without "
                          "--profile. Disconnect it instead.")
    backup = backup_database(backups, f"before-removing-{name}")
    with DB.obj.atomic():
        profile.delete_instance(recursive=True)
    for key in secret_keys(name):
        secrets.delete(key)
    log.info("profile %s removed (backup %s)", name, backup)
    return backup


def backup_database(folder: Path, why: str) -> Path:
    """A consistent copy of the whole database (SQLite's VACUUM INTO), named for the reason and the time."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", why)
    target = folder / f"ledgerbridge-{safe}-{stamp}.db"
    DB.obj.execute_sql("VACUUM INTO ?", (str(target),))
    return target
