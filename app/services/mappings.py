"""Mappings as the user edits them: defaults from resources/, saved versions in the store, JSON export."""

from __future__ import annotations

from app.core.mapping import PAIRS, PairMapping, Problem, dump_mappings, load_mappings, validate
from app.paths import resource_path
from app.store.models import MappingVersion, Profile


def default_mappings() -> dict[str, PairMapping]:
    return load_mappings(resource_path("mappings", "default.json"))


def current_mappings(profile: Profile) -> dict[str, PairMapping]:
    """The latest saved version of each pair, or the shipped default."""
    mappings = default_mappings()
    for pair in PAIRS:
        row = (MappingVersion.select().where(MappingVersion.profile == profile, MappingVersion.pair == pair)
               .order_by(MappingVersion.version.desc()).first())
        if row is not None:
            mapping = PairMapping.from_json(row.body)
            mapping.version = row.version
            mappings[pair] = mapping
    return mappings


def save_mapping(profile: Profile, mapping: PairMapping) -> int:
    last = (MappingVersion.select().where(MappingVersion.profile == profile, MappingVersion.pair == mapping.pair)
            .order_by(MappingVersion.version.desc()).first())
    version = (last.version if last else 0) + 1
    mapping.version = version
    MappingVersion.create(profile=profile, pair=mapping.pair, version=version, body=mapping.to_json())
    return version


def export_json(profile: Profile) -> str:
    return dump_mappings(current_mappings(profile))


def validate_all(mappings: dict[str, PairMapping], schemas: dict[str, tuple[list, list]]) -> list[Problem]:
    problems: list[Problem] = []
    for pair, mapping in mappings.items():
        if mapping.enabled and pair in schemas:
            xero, zoho = schemas[pair]
            problems += validate(mapping, xero, zoho)
    return problems


# Invoice fields a person may edit in Zoho CRM and Xero takes back; the number, status and amounts stay Xero's.
INVOICE_FIELDS_BOTH_WAYS = ("Reference", "Contact.ContactID", "Date", "DueDate", "CurrencyCode", "LineItems")


def invoices_both_ways(mapping: PairMapping, created_status: str = "DRAFT") -> PairMapping:
    """The invoices pair set to both directions: the fields above flow both ways (a Zoho edit reaches Xero only
    when a person made it since the last sync); invoices made in Zoho CRM arrive in Xero as ``created_status``
    (DRAFT, or AUTHORISED if the business wants)."""
    both = PairMapping.from_json(mapping.to_json())
    both.version = mapping.version
    both.direction = "both"
    for link in both.fields:
        if link.xero in INVOICE_FIELDS_BOTH_WAYS:
            link.direction = "both"
    both.options["created_status"] = created_status
    return both
