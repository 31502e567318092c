"""Auth-test fixtures: a clean in-memory keyring per test, and a helper acting as the user's browser."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import keyring
import pytest

from tests.memory_keyring import MemoryKeyring


@pytest.fixture(autouse=True)
def _clean_keyring() -> Iterator[None]:
    """MemoryKeyring keeps a class-level dict and keyring keeps a global backend: reset both around each test."""
    original = keyring.get_keyring()
    MemoryKeyring._store.clear()
    yield
    keyring.set_keyring(original)
    MemoryKeyring._store.clear()


def browser_get(
    url: str, params: dict[str, str] | None = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    """What the browser does when the provider redirects back. trust_env=False: never route via a proxy."""
    return httpx.get(url, params=params, headers=headers, timeout=2.0, trust_env=False)
