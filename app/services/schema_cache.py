"""Zoho field metadata, kept in the store for a while: a mapping is validated before every sync, and reading
``/settings/fields`` for four modules each cycle would quadruple the idle cost. A field the mapping uses that
disappears in Zoho shows up as a rejected read or write, which drops the cache so the next run re-validates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from app.integrations.zoho.models import ZohoField
from app.store.models import Profile
from app.store.settings import get_setting, set_setting

SCHEMA_TTL_SECONDS = 3600


class SchemaCache:
    def __init__(self, profile: Profile, clock: Any, ttl: float = SCHEMA_TTL_SECONDS) -> None:
        self.profile = profile
        self.clock = clock
        self.ttl = ttl
        self._memory: dict[str, dict[str, ZohoField]] = {}

    def _key(self, module: str) -> str:
        return f"zoho.schema.{module}"

    def get(self, module: str, fetch: Callable[[], list[ZohoField]]) -> dict[str, ZohoField]:
        if module in self._memory:
            return self._memory[module]
        stored = get_setting(self.profile, self._key(module))
        if stored and self.clock.time() - float(stored.get("at", 0)) < self.ttl:
            fields = {f["api_name"]: ZohoField(**f) for f in stored["fields"]}
        else:
            fields = {f.api_name: f for f in fetch()}
            set_setting(self.profile, self._key(module), {"at": self.clock.time(),
                                                          "fields": [asdict(f) for f in fields.values()]})
        self._memory[module] = fields
        return fields

    def data(self, key: str, fetch: Callable[[], dict[str, Any]], ttl: float | None = None) -> dict[str, Any]:
        """Other settings read from the live systems (tax rates, currencies), kept the same way for ``ttl``."""
        stored = get_setting(self.profile, f"live.{key}")
        if stored and self.clock.time() - float(stored.get("at", 0)) < (self.ttl if ttl is None else ttl):
            return dict(stored["data"])
        data = fetch()
        set_setting(self.profile, f"live.{key}", {"at": self.clock.time(), "data": data})
        return data

    def amend(self, key: str, data: dict[str, Any]) -> None:
        """Change what is kept for ``key`` after writing it to the live system (it keeps the time it was read)."""
        stored = get_setting(self.profile, f"live.{key}")
        if stored:
            set_setting(self.profile, f"live.{key}", {"at": stored.get("at", 0), "data": data})

    def forget(self, key: str) -> None:
        set_setting(self.profile, f"live.{key}", None)

    def invalidate(self, module: str | None = None) -> None:
        modules = [module] if module else list(self._memory)
        for m in modules:
            self._memory.pop(m, None)
            set_setting(self.profile, self._key(m), None)
