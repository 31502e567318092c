"""Creating, changing and deleting stored records: decoration, derived fields, subform rows, the unique index.

Used by the API handlers, the seeds and the sandbox "web UI" edits alike, so every path bumps ``Modified_Time`` and
keeps derived values (``Full_Name``, deal ``Probability``, invoice totals) the same way. Callers hold the lock.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from . import wire
from .metadata import CURRENCIES, MODULES, STAGE_PROBABILITY
from .validation import RecordError, display_name, invalid, user_ref

if TYPE_CHECKING:
    from . import ZohoEmulator

RECYCLE_DAYS = 60
PERMANENT_DAYS = 120
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
SUBFORM = "Invoiced_Items"
ROW_COMPUTED = ("Total", "Total_After_Discount", "Tax", "Net_Total")
RECORD_COMPUTED = ("Sub_Total", "Tax", "Grand_Total")


_CENT = Decimal("0.01")


def _money(value: float) -> float:
    """Cents rounded half away from zero on the decimal value, as accounting systems do (not float banker's)."""
    text = repr(value + 0.0)
    dot = text.find(".")
    if dot >= 0 and len(text) - dot <= 3 and "e" not in text:  # already whole cents: the same float comes back
        return float(text)
    return float(Decimal(text).quantize(_CENT, ROUND_HALF_UP))


class Store:
    def __init__(self, emu: ZohoEmulator) -> None:
        self.emu = emu
        self._index: dict[str, dict[str, dict[str, set[str]]]] | None = None

    # ----- the index of duplicate-check and unique fields --------------------------------------------------
    def key_fields(self, module: str) -> list[str]:
        """System duplicate-check field first, then the module's unique fields (upsert's documented order)."""
        names = [MODULES[module][3]]
        names += [fd["api_name"] for fd in self.emu.state.fields[module] if fd["unique"]]
        return list(dict.fromkeys(names))

    def invalidate_index(self) -> None:
        self._index = None
        self.emu.validator.invalidate()  # called whenever field definitions change or the state is replaced

    def _ensure_index(self) -> dict[str, dict[str, dict[str, set[str]]]]:
        if self._index is None:
            self._index = {}
            for module, records in self.emu.state.records.items():
                self._index[module] = {name: {} for name in self.key_fields(module)}
                for rec in records.values():
                    self._index_add(module, rec)
        return self._index

    @staticmethod
    def norm(value: Any) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, dict):
            value = value.get("id")
        return str(value).strip().casefold()

    def _index_add(self, module: str, rec: dict[str, Any]) -> None:
        index = self._ensure_index()[module]
        for name, table in index.items():
            key = self.norm(rec.get(name))
            if key is not None:
                table.setdefault(key, set()).add(rec["id"])

    def _index_remove(self, module: str, rec: dict[str, Any]) -> None:
        index = self._ensure_index()[module]
        for name, table in index.items():
            key = self.norm(rec.get(name))
            if key is not None and key in table:
                table[key].discard(rec["id"])
                if not table[key]:
                    del table[key]

    def find(self, module: str, name: str, value: Any) -> list[str]:
        """Ids of records whose ``name`` equals ``value`` (case-insensitive), oldest first."""
        key = self.norm(value)
        if key is None:
            return []
        index = self._ensure_index()[module]
        if name in index:
            return sorted(index[name].get(key, ()))
        return sorted(r["id"] for r in self.emu.state.records[module].values() if self.norm(r.get(name)) == key)

    def check_unique(self, module: str, values: dict[str, Any], path: str, own_id: str | None) -> None:
        for fd in self.emu.state.fields[module]:
            name = fd["api_name"]
            if not fd["unique"] or name not in values:
                continue
            others = [i for i in self.find(module, name, values[name]) if i != own_id]
            if others:
                dup = self.emu.state.records[module][others[0]]
                owner = dup.get("Owner") or {}
                raise RecordError("DUPLICATE_DATA", {
                    "api_name": name, "json_path": f"{path}.{name}", "id": dup["id"], "more_records": len(others) > 1,
                    "duplicate_record": {
                        "Owner": {"name": owner.get("name"), "id": owner.get("id"), "zuid": _zuid(owner.get("id"))},
                        "module": {"api_name": module, "id": _module_id(module)},
                        "id": dup["id"],
                    },
                })

    # ----- create / update / delete ------------------------------------------------------------------------
    def create(self, module: str, values: dict[str, Any], user: str, path: str = "$.data[0]",
               when: float | None = None, owner: str | None = None) -> dict[str, Any]:
        """Store a new record from validated ``values``; raises ``RecordError`` for subform/unique problems."""
        emu = self.emu
        now = emu.clock.time() if when is None else when
        self.check_unique(module, values, path, None)
        rec_id = emu.state.new_id()
        rec: dict[str, Any] = {"id": rec_id}
        for fd in emu.state.fields[module]:
            if fd["data_type"] != "subform":
                rec[fd["api_name"]] = None
        rows_in = values.pop(SUBFORM, None)
        rec.update(values)
        if rec.get("Owner") is None:
            rec["Owner"] = user_ref(owner or user)
        stamp = wire.fmt_time(now, emu.tz)
        rec.update({
            "Created_By": user_ref(user), "Modified_By": user_ref(user), "Created_Time": stamp,
            "Modified_Time": stamp, "Record_Status__s": "Available", "Locked__s": False, "Tag": [],
            "$approval_state": "approved", "$editable": True, "$locked_for_me": False, "$in_merge": False,
            "$process_flow": False, "_ctime": now, "_mtime": now,
        })
        if module in emu.state.fields and any(f["data_type"] == "subform" for f in emu.state.fields[module]):
            rec[SUBFORM] = []
            self._apply_rows(rec, rows_in, path, creating=True)
        if module == "Invoices":
            rec["Invoice_Number"] = f"INV-{emu.state.next_invoice_number}"
            emu.state.next_invoice_number += 1
        self._derive(module, rec, values)
        emu.state.records[module][rec_id] = rec
        self._index_add(module, rec)
        return rec

    def update(self, module: str, rec: dict[str, Any], values: dict[str, Any], user: str,
               path: str = "$.data[0]", when: float | None = None) -> dict[str, Any]:
        emu = self.emu
        now = emu.clock.time() if when is None else when
        self.check_unique(module, values, path, rec["id"])
        work = dict(rec)
        work[SUBFORM] = [dict(r) for r in rec.get(SUBFORM) or []] if SUBFORM in rec else None
        if work[SUBFORM] is None:
            del work[SUBFORM]
        rows_in = values.pop(SUBFORM, None)
        work.update(values)
        if SUBFORM in work and rows_in is not None:
            self._apply_rows(work, rows_in, path, creating=False)
        self._derive(module, work, values)
        work["Modified_By"] = user_ref(user)
        work["Modified_Time"] = wire.fmt_time(now, emu.tz)
        work["_mtime"] = max(now, rec["_mtime"])
        self._index_remove(module, rec)
        rec.clear()
        rec.update(work)
        self._index_add(module, rec)
        return rec

    def delete(self, module: str, rec_id: str, user: str, permanent: bool = False) -> None:
        emu = self.emu
        rec = emu.state.records[module].pop(rec_id)
        self._index_remove(module, rec)
        created_by = rec.get("Created_By") or {}
        emu.state.deleted[module].append({
            "id": rec_id,
            "display_name": display_name(module, rec),
            "deleted_by": user_ref(user, email=False),
            "created_by": {"name": created_by.get("name"), "id": created_by.get("id")},
            "deleted_at": emu.clock.time(),
            "permanent": permanent,
        })
        # lookups that pointed at it are emptied (Zoho shows them blank); not a user edit, Modified_Time stays
        for other, defs in emu.state.fields.items():
            if other not in emu.state.records:
                continue
            names = [fd["api_name"] for fd in defs if fd.get("lookup") == module]
            for name in names:
                for r in emu.state.records[other].values():
                    if isinstance(r.get(name), dict) and r[name].get("id") == rec_id:
                        r[name] = None

    def deleted_entries(self, module: str) -> list[dict[str, Any]]:
        """Recycle bin then permanent (60 / 120 days), newest first; expired entries are dropped."""
        now = self.emu.clock.time()
        keep, out = [], []
        for entry in self.emu.state.deleted[module]:
            age_days = (now - entry["deleted_at"]) / 86400.0
            if age_days >= PERMANENT_DAYS:
                continue
            keep.append(entry)
            permanent = entry["permanent"] or age_days >= RECYCLE_DAYS
            out.append({
                "deleted_by": None if permanent else entry["deleted_by"],
                "id": entry["id"],
                "display_name": None if permanent else entry["display_name"],
                "type": "permanent" if permanent else "recycle",
                "created_by": None if permanent else entry["created_by"],
                "deleted_time": wire.fmt_time(entry["deleted_at"], self.emu.tz),
                "_at": entry["deleted_at"],
            })
        self.emu.state.deleted[module] = keep
        out.sort(key=lambda e: (e["_at"], e["id"]), reverse=True)
        return out

    # ----- derived values -------------------------------------------------------------------------------
    def _derive(self, module: str, rec: dict[str, Any], changed: dict[str, Any]) -> None:
        if module in ("Contacts", "Leads"):
            rec["Full_Name"] = " ".join(p for p in (rec.get("First_Name"), rec.get("Last_Name")) if p) or None
        if module == "Deals":
            if "Stage" in changed and "Probability" not in changed and rec.get("Stage") in STAGE_PROBABILITY:
                rec["Probability"] = STAGE_PROBABILITY[rec["Stage"]]
            if rec.get("Pipeline") is None:
                rec["Pipeline"] = "Standard (Standard)"
            if rec.get("Amount") is not None and rec.get("Probability") is not None:
                rec["Expected_Revenue"] = _money(float(rec["Amount"]) * int(rec["Probability"]) / 100.0)
        if "Currency" in rec or MODULES.get(module, (0, "", "", "", False))[4]:
            currency = rec.get("Currency") or next(iso for iso, c in CURRENCIES.items() if c[3])
            rec["Currency"] = currency
            if "Currency" in changed and "Exchange_Rate" not in changed or rec.get("Exchange_Rate") is None:
                rec["Exchange_Rate"] = float(CURRENCIES[currency][2])
            rec["$currency_symbol"] = CURRENCIES[currency][1]
        if module == "Invoices":
            self._totals(rec, changed)

    def _totals(self, rec: dict[str, Any], changed: dict[str, Any]) -> None:
        sw = self.emu.switches
        rows = rec.get(SUBFORM) or []
        if not sw["recompute_invoice_totals"]:
            return
        net = sum(r["Net_Total"] for r in rows)
        ex_tax = sum(r["Total_After_Discount"] for r in rows)
        line_tax = sum(r["Tax"] for r in rows)
        discount = float(rec.get("Discount") or 0)
        adjustment = float(rec.get("Adjustment") or 0)
        if sw["invoice_subtotal"] == "ex_tax":
            sub, tax = ex_tax, line_tax
        else:
            sub, tax = net, 0.0
        rec["Sub_Total"] = _money(sub)
        rec["Tax"] = _money(tax)
        rec["Grand_Total"] = _money(sub - discount + tax + adjustment)

    # ----- subform rows ----------------------------------------------------------------------------------
    def _apply_rows(self, rec: dict[str, Any], rows_in: Any, path: str, creating: bool) -> None:
        """Insert: rows become the rows (at least one, per switch). Update: new rows append, rows with ``id``
        change, ``[]`` clears, ``{"id": .., "_delete": null}`` removes one (OAS-md updateRecords)."""
        emu = self.emu
        rows: list[dict[str, Any]] = rec.get(SUBFORM) or []
        sub_path = f"{path}.{SUBFORM}"
        if rows_in is not None and not isinstance(rows_in, list):
            raise invalid(SUBFORM, sub_path, expected_data_type="jsonarray")
        if rows_in is not None:
            if creating or rows_in == []:
                rows = []
            by_id = {r["id"]: r for r in rows}
            for j, raw in enumerate(rows_in):
                rpath = f"{sub_path}[{j}]"
                if not isinstance(raw, dict):
                    raise invalid(SUBFORM, rpath, expected_data_type="jsonobject")
                row_id = str(raw["id"]) if raw.get("id") is not None and not creating else None
                if row_id is not None and row_id not in by_id:
                    raise invalid("id", f"{rpath}.id", "the id given seems to be invalid")
                if row_id is not None and "_delete" in raw:
                    rows = [r for r in rows if r["id"] != row_id]
                    by_id.pop(row_id, None)
                    continue
                existing = by_id.get(row_id) if row_id else None
                row = self._row(raw, rpath, existing)
                if existing is None:
                    row["id"] = emu.state.new_id()
                    rows.append(row)
                    by_id[row["id"]] = row
                else:
                    existing.update(row)
        if emu.switches["invoice_items_mandatory"] and creating and not rows:
            raise RecordError("MANDATORY_NOT_FOUND", {"api_name": SUBFORM, "json_path": sub_path})
        for seq, row in enumerate(rows, start=1):
            row["Sequence_Number"] = seq
        rec[SUBFORM] = rows

    def _row(self, raw: dict[str, Any], rpath: str, existing: dict[str, Any] | None) -> dict[str, Any]:
        emu = self.emu
        raw = {k: v for k, v in raw.items() if k not in ("id", "_delete")}
        pct = None
        if isinstance(raw.get("Discount"), str) and _PERCENT.match(raw["Discount"]):
            pct = float(_PERCENT.match(raw.pop("Discount")).group(1))  # type: ignore[union-attr]
        kept = {k: raw[k] for k in ROW_COMPUTED if k in raw and not emu.switches["recompute_invoice_totals"]}
        values = emu.validator.clean("Invoiced_Items", raw, rpath, creating=existing is None)
        row: dict[str, Any] = dict(existing or {})
        row.update(values)
        if row.get("List_Price") is None and row.get("Product_Name"):
            product = emu.state.records["Products"].get(row["Product_Name"]["id"]) or {}
            row["List_Price"] = product.get("Unit_Price")
        row.setdefault("Description", None)
        row.setdefault("Line_Tax", [])
        if row.get("Line_Tax") is None:
            row["Line_Tax"] = []
        qty = float(row.get("Quantity") or 0)
        price = float(row.get("List_Price") or 0)
        total = _money(qty * price)
        discount = _money(total * pct / 100.0) if pct is not None else float(row.get("Discount") or 0)
        after = _money(total - discount)
        rate = sum(t["percentage"] for t in row["Line_Tax"])
        tax = _money(after * rate / 100.0)
        for t in row["Line_Tax"]:
            t["value"] = _money(after * t["percentage"] / 100.0)
        row.update({"Discount": discount, "Total": total, "Total_After_Discount": after, "Tax": tax,
                    "Net_Total": _money(after + tax)})
        row.update(kept)
        return row


def _zuid(user_id: str | None) -> str | None:
    from .metadata import USERS

    for info in USERS.values():
        if info["id"] == user_id:
            return info["zuid"]
    return None


def _module_id(module: str) -> str:
    from .metadata import module_ref

    return module_ref(module)["id"]
