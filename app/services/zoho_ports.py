"""Zoho CRM as the engine sees it: module records with lookups flattened to ids and numbers kept as exact text."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.core.records import ACTIVE, FieldInfo, ReadPage, SourceRecord, WriteOp, WriteResult
from app.errors import ConfigError, ConnectionLost, RecordRejected
from app.integrations.common import BatchResult, version_text
from app.integrations.zoho.client import ZohoClient
from app.integrations.zoho.models import ZohoField, ZohoRecord

_TYPES = {
    "text": "text", "textarea": "text", "email": "email", "phone": "phone", "website": "url", "picklist": "picklist",
    "multiselectpicklist": "text", "integer": "number", "bigint": "number", "double": "number",
    "decimal": "number", "currency": "money", "percent": "number", "boolean": "bool", "date": "date",
    "datetime": "datetime", "lookup": "lookup", "ownerlookup": "lookup", "userlookup": "lookup", "subform": "list",
    "autonumber": "text", "formula": "text",
}
NAME_FIELDS = {"Accounts": "Account_Name", "Contacts": "Full_Name", "Leads": "Full_Name", "Deals": "Deal_Name",
               "Products": "Product_Name", "Invoices": "Subject"}
CENT = Decimal("0.01")


def _number(value: Any) -> Any:
    if isinstance(value, float | int) and not isinstance(value, bool):
        return str(Decimal(str(value)))
    return value


class ZohoModulePort:
    system = "zoho"

    def __init__(self, client: ZohoClient, module: str, fields: list[str], *, xref_field: str | None = None,
                 poll_deletions: bool = False, on_deletions_polled: Callable[[], None] | None = None,
                 allow_workflows: bool = False, fetch_subforms: bool = False,
                 schema_cache: Any = None, duplicate_check: list[str] | None = None) -> None:
        self.client = client
        self.module = self.entity = module
        self.xref_field = xref_field
        self.poll_deletions = poll_deletions
        self.on_deletions_polled = on_deletions_polled
        self.allow_workflows = allow_workflows
        self.fetch_subforms = fetch_subforms
        self.schema_cache = schema_cache
        self.duplicate_check = duplicate_check or ([xref_field] if xref_field else [])
        self.owner_for: Callable[[str], str | None] | None = None  # a new record's owner (see services.owners)
        self.currency_enabled: Callable[[str], bool] | None = None  # whether Zoho CRM has added a currency
        self.on_read: Callable[[ZohoRecord], None] | None = None  # sees each record read (see services.owner_groups)
        wanted = [f for f in fields if f and "." not in f]
        if xref_field:
            wanted.append(xref_field)
        name = NAME_FIELDS.get(module)
        if name and name != "Full_Name":
            wanted.append(name)
        self.fields = list(dict.fromkeys(wanted))

    # ----- metadata ------------------------------------------------------------------------------------------
    def meta(self) -> dict[str, ZohoField]:
        if self.schema_cache is None:
            if not hasattr(self, "_meta"):
                self._meta = {f.api_name: f for f in self.client.fields(self.module)}
            return self._meta
        return self.schema_cache.get(self.module, lambda: self.client.fields(self.module))

    def _schema_changed(self, exc: RecordRejected) -> ConfigError:
        """A read or write refused a field the mapping uses: the Zoho layout changed under the mapping."""
        if self.schema_cache is not None:
            self.schema_cache.invalidate(self.module)
        which = f"the field '{exc.field}'" if exc.field else "a field the mapping uses"
        return ConfigError(f"Zoho CRM's {self.module} no longer accepts {which} ({exc.message}); it was probably "
                           "renamed or removed in Zoho. Open Field mapping to fix it, then sync again.",
                           technical=exc.technical)

    def schema(self) -> list[FieldInfo]:
        out = []
        for f in self.meta().values():
            read_only = f.read_only
            if self.module == "Invoices" and f.api_name == "Grand_Total":
                read_only = False  # written through Adjustment so Zoho's total equals Xero's to the cent
            out.append(FieldInfo(f.api_name, f.label or f.api_name, _TYPES.get(f.data_type, "text"),
                                 required=f.mandatory, read_only=read_only, max_length=f.length,
                                 choices=[c for c in f.picklist if c != "-None-"], custom=f.custom))
        return out

    # ----- reading -------------------------------------------------------------------------------------------
    def flatten(self, r: ZohoRecord) -> SourceRecord:
        if self.on_read is not None:
            self.on_read(r)
        values: dict[str, Any] = {}
        for key, value in r.values.items():
            if key.startswith("$"):
                continue
            if isinstance(value, dict) and "id" in value:
                values[key] = str(value["id"])
            elif isinstance(value, list) and value and isinstance(value[0], dict) and key != "Invoiced_Items":
                values[key] = value
            else:
                values[key] = _number(value)
        if "Invoiced_Items" in r.values:
            values["Invoiced_Items"] = [{k: _number(v) for k, v in row.items()} for row in
                                        r.values.get("Invoiced_Items") or []]
        name_field = NAME_FIELDS.get(self.module, "")
        name = str(r.values.get(name_field) or "")
        if not name and self.module in ("Contacts", "Leads"):
            name = " ".join(str(r.values.get(k) or "") for k in ("First_Name", "Last_Name")).strip()
        xref = str(r.values.get(self.xref_field) or "") if self.xref_field else ""
        return SourceRecord(r.id or "", values, r.version, r.modified, ACTIVE, name, xref or None)

    def read(self, since: datetime | None, start_page: int, page_token: str) -> Iterator[ReadPage]:
        try:
            pages = list(self.client.records(self.module, self.fields, since, start_page, page_token))
        except RecordRejected as exc:
            raise self._schema_changed(exc) from exc
        for n, page in enumerate(pages):
            records = [self.flatten(r) for r in page.items]
            if self.fetch_subforms and records:
                full = {r.id: r for r in self.fetch([r.id for r in records])}
                records = [full.get(r.id, r) for r in records]
            read_page = ReadPage(records, page.number, page.last, page.next_token, as_of=version_text(page.as_of))
            if n == len(pages) - 1 and self.poll_deletions:
                read_page.deleted_ids = [d.id for p in self.client.deleted(self.module, since) for d in p.items]
                if self.on_deletions_polled:
                    self.on_deletions_polled()
            yield read_page

    def fetch(self, ids: list[str]) -> list[SourceRecord]:
        if not ids:
            return []
        if not self.fetch_subforms:  # list reads by id, 100 at a time (subform rows need one call per record)
            return [self.flatten(r) for r in self.client.records_by_id(self.module, self.fields, ids)]
        out = []
        for rid in ids:
            record = self.client.record(self.module, rid)
            if record is not None:
                out.append(self.flatten(record))
        return out

    def find_by_xref(self, xref: str) -> SourceRecord | None:
        return None

    # ----- writing -------------------------------------------------------------------------------------------
    def _wire(self, op: WriteOp) -> dict[str, Any]:
        meta = self.meta()
        body: dict[str, Any] = {}
        for key, value in op.fields.items():
            f = meta.get(key)
            if f is not None and f.data_type in ("lookup", "ownerlookup", "userlookup") and value not in (None, ""):
                body[key] = {"id": str(value)}
            elif f is not None and f.data_type in ("currency", "double", "decimal", "percent") and \
                    value not in (None, ""):
                body[key] = float(Decimal(str(value)))
            elif f is not None and f.data_type in ("integer", "bigint") and value not in (None, ""):
                body[key] = int(Decimal(str(value)))
            elif key == "Invoiced_Items":
                body[key] = [_wire_row(row) for row in value or []]
            else:
                body[key] = value
        if self.module == "Invoices" and "Grand_Total" in body:
            rows = op.fields.get("Invoiced_Items", (op.current or {}).get("Invoiced_Items")) or []
            total = body.pop("Grand_Total")
            if total is not None:
                body["Adjustment"] = float(Decimal(str(total)) - zoho_total(rows))
        if op.target_id:
            body["id"] = op.target_id
        elif self.owner_for is not None and op.source_id and "Owner" not in body:
            owner = self.owner_for(op.source_id)
            if owner:
                body["Owner"] = {"id": owner}
        return body

    def write(self, ops: list[WriteOp]) -> list[WriteResult]:
        out = [r for r in (self._currency_refused(op) for op in ops) if r is not None]
        refused = {r.key for r in out}
        creates = [op for op in ops if op.is_create and op.key not in refused]
        updates = [op for op in ops if not op.is_create and op.key not in refused]
        if creates:
            bodies = [self._wire(op) for op in creates]
            batch = self.client.upsert(self.module, bodies, self.duplicate_check, self.allow_workflows)
            # An upsert that found the record (a retried create, or a run resumed after a crash) appends subform
            # rows to the ones already there: put the rows back to exactly these.
            refit = [(o, bodies[o.index]) for o in batch.outcomes if o.ok and o.action == "update" and o.id
                     and bodies[o.index].get("Invoiced_Items")]
            if refit:
                redo = self._set_rows([{**body, "id": o.id} for o, body in refit])
                for (o, _), again in zip(refit, redo.outcomes, strict=True):
                    o.version = again.version or o.version
            out += _results(batch, creates)
        if updates:
            bodies = [self._wire(op) for op in updates]
            relined = [i for i, b in enumerate(bodies) if "Invoiced_Items" in b]
            plain = [i for i in range(len(bodies)) if i not in set(relined)]
            if plain:
                out += _results(self.client.update(self.module, [bodies[i] for i in plain], self.allow_workflows),
                                [updates[i] for i in plain])
            if relined:
                out += _results(self._set_rows([bodies[i] for i in relined]), [updates[i] for i in relined])
        if self.schema_cache is not None and any(
                r.error and "api name" in str(r.error.get("message", "")) for r in out):
            self.schema_cache.invalidate(self.module)  # a mapped field vanished: re-validate before the next run
        return out

    def _currency_refused(self, op: WriteOp) -> WriteResult | None:
        """A record in a currency Zoho CRM has not added fails with the reason, before it is sent."""
        code = str(op.fields.get("Currency") or "").upper()
        if not code or self.currency_enabled is None or self.currency_enabled(code):
            return None
        return WriteResult(op.key, False, error={
            "message": f"Zoho CRM is not set up for {code}: the organisation has not added this currency.",
            "hint": f"Add {code} in Zoho CRM (Setup → Company Details → Currencies), then Retry.",
            "code": "currency", "field": "Currency", "transient": False})

    def _set_rows(self, bodies: list[dict[str, Any]], attempts: int = 4) -> BatchResult:
        """Replace subform rows: clear them, then send the new ones. Sending rows appends, so the second request
        is never resent blindly; after a lost answer the pair starts again from the clear."""
        for attempt in range(attempts):
            self.client.update(self.module, [{"id": b["id"], "Invoiced_Items": []} for b in bodies],
                               self.allow_workflows)
            try:
                return self.client.update(self.module, bodies, self.allow_workflows, repeatable=False)
            except ConnectionLost:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def archive(self, ids: list[str]) -> list[WriteResult]:
        return []

    def calls(self) -> int:
        return self.client.session.calls


def _wire_row(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for key in ("Quantity", "List_Price", "Discount"):
        if out.get(key) not in (None, ""):
            out[key] = float(Decimal(str(out[key])))
    return {k: v for k, v in out.items() if v is not None}


def zoho_total(rows: list[dict[str, Any]]) -> Decimal:
    """What Zoho computes for these rows: per row, amount after discount plus that row's tax rounded to cents."""
    total = Decimal("0")
    for row in rows:
        qty = Decimal(str(row.get("Quantity") or 0))
        price = Decimal(str(row.get("List_Price") or 0))
        net = (qty * price).quantize(CENT, ROUND_HALF_UP) - Decimal(str(row.get("Discount") or 0))
        rate = sum((Decimal(str(t.get("percentage") or 0)) for t in row.get("Line_Tax") or []), Decimal("0"))
        total += net + (net * rate / 100).quantize(CENT, ROUND_HALF_UP)
    return total


def _results(batch: BatchResult, ops: list[WriteOp]) -> list[WriteResult]:
    out = []
    for outcome in batch.outcomes:
        op = ops[outcome.index]
        if outcome.ok:
            out.append(WriteResult(op.key, True, outcome.id, outcome.version))
        else:
            f = outcome.failure
            assert f is not None
            out.append(WriteResult(op.key, False, error={"message": f.message, "code": f.code, "field": f.field,
                                                         "hint": f.hint, "transient": f.transient, "raw": f.raw}))
    return out
