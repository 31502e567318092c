"""Send one record now ("Send to Zoho now" / "Send to Xero now"): sync that record at once, after what it needs.

An invoice needs its customer (and the products on its lines) in Zoho CRM before it can go there; a Closed Won deal
needs its account in Xero. Those go first, each as a targeted sync, so the record does not just wait for them.
Everything goes through the engine's targeted sync, so it is recorded in History like any sync.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.core.engine import RunReport
from app.core.pairsync import X2Z, Z2X
from app.errors import AppError, ConfigError, NotFound
from app.services.words import PROVIDER_LABELS, pair_label
from app.store.models import FailedRecord, Link

TARGETS = ("xero", "zoho")
PUSH_PAIRS = ("contacts", "items", "invoices", "deals")


@dataclass(frozen=True)
class PushResult:
    """What happened, in words, with the runs it made (plain data: safe to send through a signal)."""

    ok: bool
    target: str
    pair: str
    name: str
    message: str
    run_ids: tuple[int, ...] = ()
    sent_first: tuple[str, ...] = ()  # what it needed, sent before it ("Acme Catering")
    counts: dict[str, int] = field(default_factory=dict)


def send_label(target: str) -> str:
    """The button's words: "Send to Zoho now" / "Send to Xero now"."""
    return "Send to Zoho now" if target == "zoho" else "Send to Xero now"


def can_send(mappings: dict[str, Any], pair: str, target: str) -> bool:
    """Whether ``pair`` may carry a record towards ``target`` (for enabling the button)."""
    mapping = mappings.get(pair)
    if mapping is None or not mapping.enabled or pair not in PUSH_PAIRS:
        return False
    wanted = "xero_to_zoho" if target == "zoho" else "zoho_to_xero"
    return mapping.direction in ("both", wanted)


# ----- the command line: find the record by id or name --------------------------------------------------------
def push(service: Any, target: str, id_or_name: str, pair: str | None = None) -> PushResult:
    """Send the record called ``id_or_name`` (its Xero or Zoho id, or its name) to ``target`` now."""
    if target not in TARGETS:
        raise ConfigError(f"Send to xero or zoho, not {target!r}.")
    if pair and not can_send(service.mappings(), pair, target):
        raise ConfigError(f"{pair_label(pair)} does not send records to {PROVIDER_LABELS[target]} "
                          "(see Field mapping).")
    found_pair, source_id = find(service, target, id_or_name.strip(), pair)
    return push_record(service, found_pair, target, source_id)


def find(service: Any, target: str, text: str, pair: str | None = None) -> tuple[str, str]:
    """(pair, id on the sending side) of the record known by ``text``; refuses a name that fits several records."""
    if not text:
        raise ConfigError("Say which record to send: its name, or its id in Xero or Zoho CRM.")
    source_attr = "xero_id" if target == "zoho" else "zoho_id"
    direction = X2Z if target == "zoho" else Z2X
    profile = service.profile
    pairs = [pair] if pair else list(PUSH_PAIRS)
    by_id = list(Link.select().where(Link.profile == profile, Link.pair.in_(pairs),
                                     (Link.xero_id == text) | (Link.zoho_id == text)))
    if by_id:
        return _source_of(by_id[0], source_attr, target)
    failed = FailedRecord.get_or_none(FailedRecord.profile == profile, FailedRecord.pair.in_(pairs),
                                      FailedRecord.direction == direction, FailedRecord.source_id == text)
    if failed is not None:
        return failed.pair, failed.source_id
    for exact in (True, False):
        name_match = (Link.name ** text) if exact else (Link.name ** f"%{text}%")  # ** : case-insensitive LIKE
        links = list(Link.select().where(Link.profile == profile, Link.pair.in_(pairs), name_match,
                                         Link.state != "deleted").limit(10))
        fail_match = (FailedRecord.record_name ** text) if exact else (FailedRecord.record_name ** f"%{text}%")
        fails = list(FailedRecord.select().where(FailedRecord.profile == profile, FailedRecord.pair.in_(pairs),
                                                 FailedRecord.direction == direction, fail_match,
                                                 FailedRecord.status != "resolved").limit(10))
        candidates = {(link.pair, link.name): link for link in links}
        for f in fails:
            candidates.setdefault((f.pair, f.record_name), f)
        if len(candidates) > 1:
            listed = "; ".join(f"{name} ({pair_label(p)})" for p, name in list(candidates)[:6])
            raise ConfigError(f"{len(candidates)} records fit '{text}': {listed}. Use the full name, "
                              "--pair, or the record's id.")
        if candidates:
            row = next(iter(candidates.values()))
            if isinstance(row, FailedRecord):
                return row.pair, row.source_id
            return _source_of(row, source_attr, target)
    found = _fetch_unknown(service, target, text, pairs)
    if found:
        return found
    raise NotFound(f"No record called '{text}' was found. Use its name as Ledgerbridge shows it, or its id in "
                   f"{PROVIDER_LABELS['xero' if target == 'zoho' else 'zoho']}.")


def _source_of(link: Link, source_attr: str, target: str) -> tuple[str, str]:
    source_id = getattr(link, source_attr)
    if not source_id:
        other = PROVIDER_LABELS[target]
        raise ConfigError(f"'{link.name}' is only in {other}: there is nothing to send to it from the other side.")
    return link.pair, source_id


def _fetch_unknown(service: Any, target: str, record_id: str, pairs: list[str]) -> tuple[str, str] | None:
    """A record Ledgerbridge has not seen yet (made since the last sync): ask the sending side for that id."""
    if " " in record_id:
        return None
    mappings = service.mappings()
    connectors = service.connectors()
    for pair in pairs:
        if not can_send(mappings, pair, target):
            continue
        spec = connectors.spec(mappings[pair])
        port = spec.xero if target == "zoho" else spec.zoho
        try:
            if port.fetch([record_id]):
                return pair, record_id
        except AppError:  # not an id this side knows
            continue
    return None


# ----- the window: a row of History or Failed records ---------------------------------------------------------
def push_record(service: Any, pair: str, target: str, source_id: str) -> PushResult:
    """Sync the record ``source_id`` (on the side opposite ``target``) of ``pair`` now, after what it needs."""
    mappings = service.mappings()
    if pair == "payments":
        raise ConfigError("A payment goes with its invoice: send the invoice instead.")
    if not can_send(mappings, pair, target):
        raise ConfigError(f"{pair_label(pair)} does not send records to {PROVIDER_LABELS.get(target, target)} "
                          "(see Field mapping).")
    with service.locked("send now"):  # like any sync: never beside another writing run
        return _push(service, mappings, pair, target, source_id)


def _push(service: Any, mappings: dict[str, Any], pair: str, target: str, source_id: str) -> PushResult:
    engine = service.engine()
    spec = service.connectors().spec(mappings[pair])
    to_zoho = target == "zoho"
    port = spec.xero if to_zoho else spec.zoho
    records = port.fetch([source_id])
    if not records:
        raise NotFound(f"That record is no longer in {PROVIDER_LABELS['xero' if to_zoho else 'zoho']}.")
    record = records[0]
    reports: list[RunReport] = []
    sent_first: list[str] = []
    for dep_pair, dep_ids, dep_names in _needs(service, pair, record, to_zoho):
        report = engine.sync_records(dep_pair, dep_ids if to_zoho else [], [] if to_zoho else dep_ids,
                                     trigger="push")
        reports.append(report)
        sent_first += dep_names
    report = engine.sync_records(pair, [source_id] if to_zoho else [], [] if to_zoho else [source_id],
                                 trigger="push")
    reports.append(report)
    name = record.name or _link_name(service, pair, source_id, to_zoho)
    return _result(service, pair, target, source_id, name, report, reports, sent_first)


def _result(service: Any, pair: str, target: str, source_id: str, name: str, report: RunReport,
            reports: list[RunReport], sent_first: list[str]) -> PushResult:
    where = PROVIDER_LABELS[target]
    direction = X2Z if target == "zoho" else Z2X
    failed = FailedRecord.get_or_none(FailedRecord.profile == service.profile, FailedRecord.pair == pair,
                                      FailedRecord.direction == direction, FailedRecord.source_id == source_id,
                                      FailedRecord.status.in_(("open", "waiting")))
    counts = report.counts
    first = f" (after {', '.join(sent_first)}, which it needs)" if sent_first else ""
    if report.outcome == "failed":
        ok, message = False, f"'{name}' could not be sent to {where}: {report.message}"
    elif failed is not None:
        ok = False
        message = f"'{name}' could not be sent to {where}: {failed.hint or (failed.error or {}).get('message', '')}"
    elif counts.get("waiting_for_review") or counts.get("queued_for_review"):
        ok, message = False, (f"'{name}' waits for you to confirm its match first (see Conflicts & matches).")
    elif counts.get("conflicts"):
        ok, message = False, f"'{name}' was edited on both sides: choose what to keep in Conflicts & matches."
    elif any(counts.get(k) for k in ("created", "updated", "linked", "archived")):
        ok, message = True, f"Sent '{name}' to {where}{first}."
    else:
        ok, message = True, f"'{name}' is already up to date in {where}{first}."
    return PushResult(ok, target, pair, name, message.rstrip(".") + ".", tuple(r.run_id for r in reports),
                      tuple(sent_first), {k: v for k, v in counts.items() if isinstance(v, int)})


def _link_name(service: Any, pair: str, source_id: str, to_zoho: bool) -> str:
    attr = Link.xero_id if to_zoho else Link.zoho_id
    link = Link.get_or_none(Link.profile == service.profile, Link.pair == pair, attr == source_id)
    return link.name if link else source_id


def _needs(service: Any, pair: str, record: Any, to_zoho: bool) -> list[tuple[str, list[str], list[str]]]:
    """Related records that must be on the other side first: (pair, ids on the sending side, names)."""
    profile = service.profile
    out: list[tuple[str, list[str], list[str]]] = []

    def unlinked(dep_pair: str, ids: list[str], by_xero: bool) -> list[Link | str]:
        missing: list[Any] = []
        for rid in dict.fromkeys(i for i in ids if i):
            attr = Link.xero_id if by_xero else Link.zoho_id
            link = Link.get_or_none(Link.profile == profile, Link.pair == dep_pair, attr == rid)
            if link is None or not (link.xero_id and link.zoho_id):
                missing.append(link or rid)
        return missing

    if pair == "invoices" and to_zoho:
        customer = record.fields.get("Contact.ContactID")
        missing = unlinked("contacts", [customer], by_xero=True)
        if missing:
            out.append(("contacts", [customer], [_name(missing[0], record.name.split(" — ")[-1])]))
        codes = {str(line.get("ItemCode")) for line in record.fields.get("LineItems") or [] if line.get("ItemCode")}
        linked_codes = {str((link.xero_values or {}).get("Code")) for link in Link.select().where(
            Link.profile == profile, Link.pair == "items", Link.xero_id.is_null(False), Link.zoho_id.is_null(False))}
        if codes - linked_codes:
            spec = service.connectors().spec(service.mappings()["items"])
            items = [r for page in spec.xero.read(None, 1, "") for r in page.records
                     if str(r.fields.get("Code")) in codes - linked_codes]
            if items:
                out.insert(0, ("items", [i.id for i in items], [i.name for i in items]))
    elif pair == "deals" and not to_zoho:
        account = record.fields.get("Account_Name")
        account_id = account.get("id") if isinstance(account, dict) else account
        missing = unlinked("contacts", [str(account_id)] if account_id else [], by_xero=False)
        if missing:
            out.append(("contacts", [str(account_id)], [_name(missing[0], "its account")]))
    return out


def _name(found: Any, fallback: str) -> str:
    return found.name if isinstance(found, Link) and found.name else fallback
