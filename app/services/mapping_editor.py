"""The mapping editor's work against the live systems, for the page (on the worker thread) and the ``mapping``
commands: both sides' fields per pair, the records to preview on, value-map coverage from live data, a preview of
what a sync would do to one record (the engine's own merge and transforms; nothing written), a dry run of the whole
pair, and saving with checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.core.mapping import X2Z, Z2X, FieldLink, PairMapping
from app.core.merge import merge, project, read_field
from app.core.records import ARCHIVED, DELETED, SourceRecord
from app.core.runctx import RunLookups
from app.core.transforms import SkipRecord
from app.core.values import canon, numeric_text
from app.errors import AppError, ConfigError
from app.services.mapping_editor_coverage import RECORD_WORDS, SAMPLE_RECORDS, CoverageGap, coverage_gaps
from app.services.mapping_editor_coverage import value_counts as count_values
from app.services.mapping_editor_model import PairDraft, PairSchema
from app.services.mapping_editor_versions import VersionInfo, parse_export, save_version
from app.services.mappings import current_mappings
from app.services.sync import SyncService
from app.store.models import Link


@dataclass
class RecordRef:
    side: str  # "xero" | "zoho"
    id: str
    name: str


@dataclass
class FieldPreview:
    xero_field: str
    zoho_field: str
    xero_label: str
    zoho_label: str
    xero_before: Any
    zoho_before: Any
    xero_after: Any
    zoho_after: Any
    change: str  # "to_zoho" | "to_xero" | "same" | "conflict" | "error" | "not_sent"
    note: str = ""


@dataclass
class Preview:
    pair: str
    side: str
    record: str
    action: str  # "create" | "update" | "nothing" | "skip" | "fail" | "conflict"
    summary: str  # what the sync would do, in words
    fields: list[FieldPreview] = field(default_factory=list)


class MappingEditor:
    """Calls the live systems: build it on the worker thread (``controller.submit``) or in a command."""

    def __init__(self, service: SyncService) -> None:
        self.service = service
        self.profile = service.profile

    # ----- fields --------------------------------------------------------------------------------------------
    def schema(self, mapping: PairMapping, fresh: bool = False) -> PairSchema:
        """Both sides' fields; ``fresh`` reads Zoho's layout now rather than the copy a sync keeps for an hour (a
        field added in Zoho a minute ago is offered at once when the user opens the pair)."""
        if mapping.pair == "payments":
            return PairSchema("payments", mapping.zoho_module, [], [])
        connectors = self.service.connectors()
        if fresh:
            connectors.schema_cache.invalidate(mapping.zoho_module)
        xero = connectors.spec(mapping).xero.schema()
        zoho = connectors.zoho_port(mapping, deletions=False).schema()
        return PairSchema(mapping.pair, mapping.zoho_module, xero, zoho)

    def draft(self, pair: str, mapping: PairMapping | None = None, fresh: bool = False) -> PairDraft:
        mapping = mapping or current_mappings(self.profile)[pair]
        return PairDraft(mapping, self.schema(mapping, fresh))

    def open_pair(self, pair: str, zoho_module: str = "") -> dict[str, Any]:
        """What the page needs to show a pair: its saved mapping and both sides' fields. Moving the contacts to
        another Zoho module (Accounts, Contacts, Leads) takes out the links to fields that module does not have
        (``dropped`` names them)."""
        mapping = current_mappings(self.profile)[pair]
        saved = mapping.to_json()
        dropped: list[str] = []
        if zoho_module and zoho_module != mapping.zoho_module:
            mapping.zoho_module = zoho_module
            schema = self.schema(mapping, fresh=True)
            have = {f.name for f in schema.zoho}
            dropped = [link.zoho for link in mapping.fields if link.zoho not in have]
            mapping.fields = [link for link in mapping.fields if link.zoho in have]
        else:
            schema = self.schema(mapping, fresh=True)
        return {"mapping": mapping.to_json(), "schema": schema.as_dict(), "dropped": dropped, "saved": saved}

    # ----- records -------------------------------------------------------------------------------------------
    def read_all(self, mapping: PairMapping, side: str, limit: int | None = None) -> list[SourceRecord]:
        """One side's records of a pair; with ``limit``, the pages up to that many (a sample)."""
        connectors = self.service.connectors()
        if side == "xero":
            port = connectors.spec(mapping).xero
        else:
            port = connectors.zoho_port(mapping, deletions=False, subforms=mapping.direction != X2Z
                                        and mapping.pair == "invoices")
            if mapping.pair == "deals":
                port.fields = list(dict.fromkeys([*port.fields, "Stage"]))
        out: list[SourceRecord] = []
        for page in port.read(None, 1, ""):
            out += page.records
            if limit is not None and len(out) >= limit:
                break
        return out

    def records(self, mapping: PairMapping) -> list[RecordRef]:
        """Both sides' records of a pair, to pick one to preview (names sorted, Xero first): the first
        ``SAMPLE_RECORDS`` of each side (``find`` looks through all of them)."""
        out = []
        for side in ("xero", "zoho"):
            rows = sorted(self.read_all(mapping, side, SAMPLE_RECORDS), key=lambda r: r.name.lower())
            out += [RecordRef(side, r.id, r.name or r.id) for r in rows]
        return out

    def find(self, mapping: PairMapping, wanted: str) -> tuple[str, SourceRecord]:
        """A record by id or name (exact, else the only one containing it), on either side."""
        needle = wanted.strip().lower()
        found: list[tuple[str, SourceRecord]] = []
        for side in ("xero", "zoho"):
            for r in self.read_all(mapping, side):
                if r.id == wanted:
                    return side, r
                if needle and needle in r.name.lower():
                    found.append((side, r))
        exact = [f for f in found if f[1].name.lower() == needle]
        pick = exact or found
        if pick and all(sum(1 for s, _ in pick if s == side) <= 1 for side in ("xero", "zoho")):
            return pick[0]  # one record (seen on both sides, perhaps): Xero's copy
        if not pick:
            raise ConfigError(f"No {RECORD_WORDS.get(mapping.pair, ('record',))[0]} called '{wanted}' in Xero or "
                              "Zoho CRM.")
        names = ", ".join(sorted({f"{r.name} ({'Xero' if s == 'xero' else 'Zoho CRM'})" for s, r in pick})[:8])
        raise ConfigError(f"More than one record matches '{wanted}': {names}. Use more of the name, or the id.")

    # ----- preview -------------------------------------------------------------------------------------------
    def preview(self, mapping: PairMapping, side: str, record_id: str) -> Preview:
        """What a sync with this mapping would do to one record, field by field; nothing is written."""
        connectors = self.service.connectors()
        spec = connectors.spec(mapping)
        zoho_port = connectors.zoho_port(mapping, deletions=False)
        source = (spec.xero if side == "xero" else zoho_port).fetch([record_id])
        if not source:
            raise ConfigError(f"That record is no longer in {'Xero' if side == 'xero' else 'Zoho CRM'}.")
        rec = source[0]
        link = Link.get_or_none(Link.profile == self.profile, Link.pair == mapping.pair,
                                (Link.xero_id if side == "xero" else Link.zoho_id) == rec.id)
        lookups = RunLookups(self.profile, dry_run=True)
        labels = self._labels(mapping)
        if link is not None and link.xero_id and link.zoho_id and link.state != "orphan":
            other_id = link.zoho_id if side == "xero" else link.xero_id
            other = (zoho_port if side == "xero" else spec.xero).fetch([other_id])
            x = rec if side == "xero" else (other[0] if other else None)
            z = rec if side == "zoho" else (other[0] if other else None)
            return self._preview_linked(mapping, side, rec, link, x, z, lookups, labels)
        return self._preview_new(mapping, spec, side, rec, lookups, labels)

    def _labels(self, mapping: PairMapping) -> tuple[dict[str, str], dict[str, str]]:
        schema = self.schema(mapping)
        return {f.name: f.label for f in schema.xero}, {f.name: f.label for f in schema.zoho}

    def _preview_linked(self, mapping: PairMapping, side: str, rec: SourceRecord, link: Link,
                        x: SourceRecord | None, z: SourceRecord | None, lookups: RunLookups,
                        labels: tuple[dict[str, str], dict[str, str]]) -> Preview:
        x_now = x.fields if x else link.xero_values
        z_now = z.fields if z else link.zoho_values
        try:
            result = merge(mapping, link.xero_values, link.zoho_values, x_now, z_now, lookups,
                           xero_modified=x.modified if x else None, zoho_modified=z.modified if z else None)
        except SkipRecord as exc:
            return Preview(mapping.pair, side, rec.name, "skip", f"Skipped for now: {exc}.",
                           self._rows(mapping, x_now, z_now, {}, {}, {}, [], labels))
        rows = self._rows(mapping, x_now, z_now, result.changes_zoho, result.changes_xero, result.conflicts,
                          result.errors, labels)
        if result.errors:
            action, summary = "fail", "Would fail: " + _errors_in_words(result.errors, labels) + "."
        elif result.conflicts:
            names = ", ".join(labels[1].get(f, f) for f in result.conflicts)
            action, summary = "conflict", f"Both sides changed {names}: it would wait in Conflicts for you."
        elif result.to_zoho or result.to_xero:
            parts = []
            if result.to_zoho:
                parts.append("update " + ", ".join(labels[1].get(f, f) for f in result.to_zoho) + " in Zoho CRM")
            if result.to_xero:
                parts.append("update " + ", ".join(labels[0].get(f, f) for f in result.to_xero) + " in Xero")
            action, summary = "update", "Would " + " and ".join(parts) + "."
        else:
            action, summary = "nothing", "Already in step: nothing to change."
        return Preview(mapping.pair, side, rec.name, action, summary, rows)

    def _preview_new(self, mapping: PairMapping, spec: Any, side: str, rec: SourceRecord, lookups: RunLookups,
                     labels: tuple[dict[str, str], dict[str, str]]) -> Preview:
        to_zoho = side == "xero"
        here, there = ("Xero", "Zoho CRM") if to_zoho else ("Zoho CRM", "Xero")
        reads = mapping.direction in ("both", X2Z if to_zoho else Z2X)
        allowed = reads and (spec.create_in_zoho if to_zoho else spec.create_in_xero)
        x_now, z_now = (rec.fields, {}) if to_zoho else ({}, rec.fields)
        if not allowed:
            return Preview(mapping.pair, side, rec.name, "skip",
                           f"Not linked, and this pair does not copy new records from {here} to {there}.",
                           self._rows(mapping, x_now, z_now, {}, {}, {}, [], labels))
        if rec.status in (ARCHIVED, DELETED, "voided"):
            return Preview(mapping.pair, side, rec.name, "skip",
                           f"Not linked, and it is {rec.status} in {here}, so it is not copied.",
                           self._rows(mapping, x_now, z_now, {}, {}, {}, [], labels))
        if spec.zoho_filter is not None and not to_zoho and not spec.zoho_filter(rec):
            return Preview(mapping.pair, side, rec.name, "skip", "Not copied: it has not reached the stage that "
                           f"raises an invoice ({mapping.options.get('trigger_stage', 'Closed Won')}).",
                           self._rows(mapping, x_now, z_now, {}, {}, {}, [], labels))
        try:
            fields, _, _, errors = project(mapping, rec.fields, to_zoho, lookups)
        except SkipRecord as exc:
            return Preview(mapping.pair, side, rec.name, "skip", f"Skipped for now: {exc}.",
                           self._rows(mapping, x_now, z_now, {}, {}, {}, [], labels))
        changes = {k: [None, v] for k, v in fields.items()}
        rows = self._rows(mapping, x_now, z_now, changes if to_zoho else {}, {} if to_zoho else changes, {}, errors,
                          labels)
        if errors:
            return Preview(mapping.pair, side, rec.name, "fail", "Would fail: " + _errors_in_words(errors, labels) +
                           ".", rows)
        what = ", ".join((labels[1] if to_zoho else labels[0]).get(f, f) for f in fields)
        return Preview(mapping.pair, side, rec.name, "create",
                       f"Would create it in {there} with {what} — unless it matches a record already there, which "
                       "would be linked instead.", rows)

    def _rows(self, mapping: PairMapping, x_now: dict[str, Any], z_now: dict[str, Any],
              to_zoho: dict[str, list[Any]], to_xero: dict[str, list[Any]], conflicts: dict[str, Any],
              errors: list[str], labels: tuple[dict[str, str], dict[str, str]]) -> list[FieldPreview]:
        rows = []
        for link in mapping.fields:
            xv = numeric_text(read_field(x_now, link.xero)) if link.xero else None
            zv = numeric_text(z_now.get(link.zoho)) if link.zoho else None
            if link.transform.get("kind") == "link":  # ids of related records: their names
                xv, zv = self._name_of(link.transform.get("pair"), xv, "xero"), \
                    self._name_of(link.transform.get("pair"), zv, "zoho")
            row = FieldPreview(link.xero, link.zoho, labels[0].get(link.xero, link.xero),
                               labels[1].get(link.zoho, link.zoho), _shown(xv), _shown(zv), _shown(xv), _shown(zv),
                               "same")
            error = next((e for e in errors if e.startswith((f"{link.xero} → ", f"{link.zoho} → "))), None)
            if error:
                row.change, row.note = "error", error.split(": ", 1)[-1]
            elif link.zoho in conflicts:
                row.change, row.note = "conflict", "changed on both sides"
            elif link.zoho in to_zoho:
                after = to_zoho[link.zoho][1]
                if link.transform.get("kind") == "link":
                    after = self._name_of(link.transform.get("pair"), after, "zoho")
                row.change, row.zoho_after = "to_zoho", _shown(after)
            elif link.xero in to_xero or any(p in to_xero for p in link.xero.split("+")):
                after = to_xero.get(link.xero, [None, [to_xero.get(p, [None, None])[1]
                                                       for p in link.xero.split("+")]])[1]
                row.change, row.xero_after = "to_xero", _shown(after)
            elif not (link.flows(mapping.direction, True) or link.flows(mapping.direction, False)):
                row.change, row.note = "not_sent", "this link does not flow in this pair's direction"
            rows.append(row)
        return rows

    def _name_of(self, pair: Any, record_id: Any, side: str) -> Any:
        """The name of a related record (a customer, a product) from its link, else its id."""
        if not record_id or not pair:
            return record_id
        column = Link.xero_id if side == "xero" else Link.zoho_id
        found = Link.get_or_none(Link.profile == self.profile, Link.pair == str(pair), column == str(record_id))
        if found is not None and found.name:
            return found.name
        try:  # not synced yet: the system that has it knows its name
            related = current_mappings(self.profile)[str(pair)]
            connectors = self.service.connectors()
            port = connectors.spec(related).xero if side == "xero" else \
                connectors.zoho_port(related, deletions=False)
            records = port.fetch([str(record_id)])
        except (AppError, KeyError, ValueError):
            return record_id
        return f"{records[0].name} (not synced yet)" if records and records[0].name else record_id

    # ----- whole-pair dry run --------------------------------------------------------------------------------
    def dry_run(self, mapping: PairMapping) -> dict[str, Any]:
        """The engine's own dry run of this pair with this mapping over the live data: counts and a sentence."""
        mappings = {**current_mappings(self.profile), mapping.pair: mapping}
        with self.service.locked("dry run of the mapping"):
            report = self.service.engine(mappings).run_cycle(trigger="mapping preview", dry_run=True,
                                                             pairs=[mapping.pair])
        counts = report.counts
        parts = [f"{counts.get(k, 0)} to {w}" for k, w in (("create", "create"), ("update", "update"),
                                                           ("link", "link")) if counts.get(k)]
        fails = [e for e in report.plan if e.get("action") == "fail"]
        if fails:
            reasons = sorted({str((e.get("changes") or {}).get("error") or "") for e in fails})
            parts.append(f"{len(fails)} would fail: {'; '.join(r for r in reasons[:3] if r)}")
        return {"counts": counts, "summary": (", ".join(parts) or "Nothing would change") + ".",
                "plan": report.plan}

    # ----- coverage ------------------------------------------------------------------------------------------
    def value_counts(self, mapping: PairMapping, schema: PairSchema | None = None) -> dict[str, Any]:
        """How often each value occurs in each field of the live records (both sides, pick-lists included): what
        coverage and the value-map drop-downs are worked out from, on the window's side, as the user edits."""
        if mapping.pair == "payments":
            return {"xero": {}, "zoho": {}, "lines": {}}
        schema = schema or self.schema(mapping)
        wide = PairMapping.from_json(mapping.to_json())  # read every pick-list too, not only the mapped fields
        wide.fields = [*wide.fields, *[FieldLink("", f.name) for f in schema.zoho if f.type == "picklist"]]
        xs = self.read_all(mapping, "xero", SAMPLE_RECORDS)
        zs = self.read_all(wide, "zoho", SAMPLE_RECORDS)
        counts = count_values(xs, zs)
        counts["sampled"] = {"xero": len(xs) >= SAMPLE_RECORDS, "zoho": len(zs) >= SAMPLE_RECORDS}
        return counts

    def coverage(self, mapping: PairMapping, schema: PairSchema | None = None) -> list[CoverageGap]:
        """Values in the live records that the mapping has no answer for, before they cost a failed record."""
        schema = schema or self.schema(mapping)
        return coverage_gaps(mapping, schema, self.value_counts(mapping, schema))

    # ----- saving --------------------------------------------------------------------------------------------
    def save(self, mapping: PairMapping, note: str = "") -> VersionInfo:
        """Save as a new version, unless the live fields show a problem a sync would fail on."""
        blocking = PairDraft(mapping, self.schema(mapping)).blocking()
        if blocking:
            raise ConfigError("The mapping was not saved: " + " ".join(f"{c.message} {c.fix}" for c in blocking),
                              title="Fix the mapping first")
        with self.service.locked("mapping save"):  # never beside a run that is using the mapping
            return save_version(self.profile, mapping, self.service.ctx.actor, note)

    def import_file(self, text: str) -> list[VersionInfo]:
        """Import a mapping export: its shape, then each pair against the live fields; all or nothing."""
        mappings = parse_export(text)
        problems = [f"{m.pair}: {c.field}: {c.message}" for m in mappings if m.enabled
                    for c in PairDraft(m, self.schema(m)).blocking()]
        if problems:
            raise ConfigError("The mapping was not imported, so the one in use is unchanged: " + " ".join(problems),
                              title="Cannot import this file")
        with self.service.locked("mapping import"):
            return [save_version(self.profile, m, self.service.ctx.actor, "Imported from a file") for m in mappings]


def _errors_in_words(errors: list[str], labels: tuple[dict[str, str], dict[str, str]]) -> str:
    """The engine's "Contact.ContactID → Account_Name: …" as "Contact → Account Name: …"."""
    names = {**labels[0], **labels[1]}
    out = []
    for error in errors:
        where, _, what = error.partition(": ")
        fields = [names.get(part.strip(), part.strip()) for part in where.split(" → ")]
        out.append(f"{' → '.join(fields)}: {what}" if what else error)
    return "; ".join(out)


def _shown(value: Any) -> Any:
    """A value as the preview shows it: None for blank, text for the rest (lists summarised)."""
    if canon(value) is None:
        return None
    if isinstance(value, list):
        return f"{len(value)} row{'s' if len(value) != 1 else ''}"
    return value
