"""Record owners by a rule: a Zoho account the sync creates gets the Zoho user the rule names for its Xero contact
group (matched by the user's email); with no rule for it, Zoho makes the connected user the owner.

Xero contacts have no owner, so the rule is the mapping's: the contacts pair's option ``owner_rules``, a list of
``{"group": "Retail", "email": "tom@example.com"}`` tried in order. Xero's groups (with their contacts) and Zoho's
users are read once a day and only when there is a rule. Existing Zoho accounts keep the owner they have.
"""

from __future__ import annotations

import logging
from typing import Any

from app.core.mapping import PairMapping
from app.integrations.xero.client import XeroClient
from app.integrations.zoho.client import ZohoClient
from app.services.schema_cache import SchemaCache

log = logging.getLogger(__name__)

OWNERS_TTL_SECONDS = 24 * 3600


def rules_of(mapping: PairMapping) -> list[dict[str, str]]:
    return [r for r in mapping.options.get("owner_rules") or [] if r.get("group") and r.get("email")]


def with_rules(mapping: PairMapping, rules: list[dict[str, str]]) -> PairMapping:
    """The contacts mapping with these owner rules (what the mapping page saves)."""
    changed = PairMapping.from_json(mapping.to_json())
    changed.version = mapping.version
    changed.options["owner_rules"] = [{"group": r["group"], "email": r["email"].strip().lower()} for r in rules]
    return changed


def read_directory(xero: XeroClient, zoho: ZohoClient, groups_wanted: set[str]) -> dict[str, Any]:
    """Xero's groups named by a rule, with their contacts, and Zoho's users by email."""
    groups = {name: gid for gid, name in xero.contact_groups().items() if name in groups_wanted}
    members = {name: xero.contact_group_members(gid) for name, gid in groups.items()}
    users = {u.email.lower(): u.id for u in zoho.users() if u.email}
    return {"members": members, "users": users, "groups": sorted(groups)}


def owner_lookup(cache: SchemaCache, xero: XeroClient, zoho: ZohoClient, mapping: PairMapping) -> dict[str, str]:
    """Xero contact id → Zoho user id, by the mapping's rules (the first rule naming one of its groups wins)."""
    rules = rules_of(mapping)
    if not rules:
        return {}
    wanted = {r["group"] for r in rules}
    key = f"owners.{xero.tenant_id}.{'|'.join(sorted(wanted))}"
    directory = cache.data(key, lambda: read_directory(xero, zoho, wanted), OWNERS_TTL_SECONDS)
    out: dict[str, str] = {}
    for rule in rules:
        user = directory["users"].get(rule["email"].lower())
        if user is None:
            log.warning("owner rule for %s: no active Zoho user has the email %s", rule["group"], rule["email"])
            continue
        for contact_id in directory["members"].get(rule["group"], []):
            out.setdefault(contact_id, user)
    return out
