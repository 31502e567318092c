"""Shared fakes for the pure engine tests: look-ups between pairs and products, without a database."""

from __future__ import annotations

from typing import Any


class FakeLookups:
    """Links of other pairs and products, as :class:`app.core.runctx.RunLookups` provides them in a run."""

    def __init__(self, links: dict[str, dict[str, str]] | None = None,
                 reasons: dict[tuple[str, str], str] | None = None,
                 products: dict[str, str] | None = None, fallback: str | None = "ZP-FALLBACK") -> None:
        self.links = links or {}  # pair -> xero id -> zoho id
        self.reasons = reasons or {}  # (pair, xero id) -> why it has no Zoho counterpart
        self.products = products or {}  # Xero item code -> Zoho product id
        self.fallback = fallback
        self.fallback_calls: list[str] = []

    def zoho_id_for(self, pair: str, xero_id: str) -> str | None:
        return self.links.get(pair, {}).get(xero_id)

    def xero_id_for(self, pair: str, zoho_id: str) -> str | None:
        return {z: x for x, z in self.links.get(pair, {}).items()}.get(zoho_id)

    def missing_reason(self, pair: str, xero_id: str) -> str | None:
        return self.reasons.get((pair, xero_id))

    def zoho_product_for_code(self, code: str) -> str | None:
        return self.products.get(code)

    def code_for_zoho_product(self, zoho_id: str) -> str | None:
        return {z: c for c, z in self.products.items()}.get(zoho_id)

    def fallback_product(self, name: str) -> str | None:
        self.fallback_calls.append(name)
        return self.fallback


def apply_writes(values: dict[str, Any], writes: dict[str, Any]) -> dict[str, Any]:
    """The record as the other system holds it after our write."""
    return {**values, **writes}
