"""``mapping``: the field-mapping editor without the window. Export, import and validate the mapping; preview what a
sync would do to one record; list live values nothing maps (coverage); list saved versions, show the difference
between two, restore one or reset to the shipped defaults. Every action takes ``--json``.

Exit codes: 0 all good; 1 the mapping has problems or live values nothing maps; 2 a usage or settings mistake.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.cli.common import UsageError, print_json, table, wrapped
from app.services import mapping_apply
from app.services import mapping_editor_versions as versions
from app.services import mappings as mapping_store
from app.services.mapping_editor import MappingEditor
from app.services.mappings import current_mappings
from app.services.sync import SyncService
from app.services.words import local_time, pair_label, plural

PAIRS = ["contacts", "items", "invoices", "payments", "deals"]
ACTIONS = ["export", "import", "validate", "preview", "coverage", "versions", "diff", "restore", "reset"]
CHANGE_WORDS = {"to_zoho": "→ Zoho CRM", "to_xero": "→ Xero", "same": "same", "conflict": "conflict",
                "error": "would fail", "not_sent": "not sent"}


def add_parser(commands: argparse._SubParsersAction) -> None:
    mapping = commands.add_parser(
        "mapping", help="see, check, preview and version the field mapping",
        description="export [FILE] | import [FILE] | validate | preview --pair P --record NAME_OR_ID | "
                    "coverage [--pair P] | versions [--pair P] | diff A B --pair P | restore N --pair P | "
                    "reset --pair P")
    mapping.add_argument("action", choices=ACTIONS)
    mapping.add_argument("values", nargs="*", metavar="FILE|VERSION",
                         help="the file to write or read (export, import); versions to compare (diff A B); the "
                              "version to restore (restore N); 0 is the shipped default")
    mapping.add_argument("--pair", choices=PAIRS, help="which pair (contacts, items, invoices, payments, deals)")
    mapping.add_argument("--record", metavar="NAME_OR_ID", help="the record to preview (a name or an id, either side)")
    mapping.add_argument("--json", action="store_true", help="print a JSON document")
    mapping.add_argument("--apply", action="store_true",
                         help="import: also carry the new mapping to the records already linked (says how many first)")


def run(service: SyncService, args: argparse.Namespace) -> int:
    handler = {"export": _export, "import": _import, "validate": _validate, "preview": _preview,
               "coverage": _coverage, "versions": _versions, "diff": _diff, "restore": _restore,
               "reset": _reset}[args.action]
    return handler(service, args)


def _pair(args: argparse.Namespace) -> str:
    if not args.pair:
        raise UsageError(f"Say which pair: mapping {args.action} … --pair contacts (or items, invoices, deals).")
    return args.pair


def _numbers(args: argparse.Namespace, count: int, usage: str) -> list[int]:
    try:
        numbers = [int(v) for v in args.values]
    except ValueError:
        numbers = []
    if len(numbers) != count or any(n < 0 for n in numbers):
        raise UsageError(f"Use: mapping {usage}")
    return numbers


# ----- export, import, validate ----------------------------------------------------------------------------------
def _export(service: SyncService, args: argparse.Namespace) -> int:
    text = mapping_store.export_json(service.profile)
    if args.values:
        Path(args.values[0]).write_text(text, encoding="utf-8")
        print_json({"written": args.values[0]}) if args.json else print(f"Mapping written to {args.values[0]}.")
    else:
        print(text)
    return 0


def _import(service: SyncService, args: argparse.Namespace) -> int:
    text = Path(args.values[0]).read_text(encoding="utf-8") if args.values else sys.stdin.read()
    saved = MappingEditor(service).import_file(text)
    applied = _apply_to_linked(service, [v.pair for v in saved], args.json) if args.apply else []
    if args.json:
        print_json({"imported": [asdict(v) for v in saved], **({"applied": applied} if args.apply else {})})
    else:
        print(f"Imported mapping for {', '.join(v.pair for v in saved)} "
              f"(saved as version {', '.join(str(v.version) for v in saved)}).")
    return 1 if any(a.get("outcome") in ("partial", "failed") for a in applied) else 0


def _apply_to_linked(service: SyncService, pairs: list[str], quiet: bool) -> list[dict[str, Any]]:
    """``import --apply``: the dry-run count, then the new mapping carried to each pair's linked records."""
    out = []
    for pair in pairs:
        preview = mapping_apply.preview(service, pair)
        if preview is None:
            continue
        if not quiet:
            print(f"{pair_label(pair)}: {preview.message}")
        report = mapping_apply.apply(service, pair) if preview.would_change else None
        result = {"pair": pair, "would_change": preview.would_change, **mapping_apply.summary(report)}
        if not quiet and report is not None:
            print(f"{pair_label(pair)}: {report.message}")
        out.append(result)
    return out


def _validate(service: SyncService, args: argparse.Namespace) -> int:
    editor = MappingEditor(service)
    checks = [c for pair, m in current_mappings(service.profile).items() if m.enabled and pair != "payments"
              for c in editor.draft(pair, m, fresh=True).checks()]
    if args.json:
        print_json([asdict(c) for c in checks])
    elif not checks:
        print("The mapping works with both systems.")
    else:  # only notes (an optional link left out) do not make it a problem
        print("The mapping has problems:" if any(c.blocking for c in checks) else
              "The mapping works with both systems. To note:")
        for c in checks:
            print("\n".join(wrapped(f"• {pair_label(c.pair)}: {c.message} {c.fix}", indent="  ")))
    return 1 if any(c.blocking for c in checks) else 0


# ----- preview and coverage --------------------------------------------------------------------------------------
def _preview(service: SyncService, args: argparse.Namespace) -> int:
    pair = _pair(args)
    if not args.record:
        raise UsageError("Say which record: mapping preview --pair P --record NAME_OR_ID.")
    editor = MappingEditor(service)
    mapping = current_mappings(service.profile)[pair]
    side, record = editor.find(mapping, args.record)
    preview = editor.preview(mapping, side, record.id)
    if args.json:
        print_json(asdict(preview))
        return 0
    where = "Xero" if side == "xero" else "Zoho CRM"
    print(f"{record.name or record.id} ({where}, {pair_label(pair, mapping.zoho_module)})")
    print("\n".join(wrapped(preview.summary, indent="")))
    rows = [[f.xero_label, _value(f.xero_before) + (f" → {_value(f.xero_after)}" if f.change == "to_xero" else ""),
             f.zoho_label, _value(f.zoho_before) + (f" → {_value(f.zoho_after)}" if f.change == "to_zoho" else ""),
             CHANGE_WORDS.get(f.change, f.change) + (f": {f.note}" if f.note else "")] for f in preview.fields]
    print()
    print("\n".join(table(["Xero", "value", "Zoho CRM", "value", "what happens"], rows, flexible=(1, 3, 4))))
    return 0


def _value(value: Any) -> str:
    return "(empty)" if value is None else str(value)


def _coverage(service: SyncService, args: argparse.Namespace) -> int:
    editor = MappingEditor(service)
    mappings = current_mappings(service.profile)
    pairs = [args.pair] if args.pair else [p for p, m in mappings.items() if m.enabled and p != "payments"]
    gaps = [g for p in pairs for g in editor.coverage(mappings[p])]
    if args.json:
        print_json([asdict(g) for g in gaps])
    elif not gaps:
        print("Every value in the live records has a mapping.")
    else:
        for g in gaps:
            print("\n".join(wrapped(f"• {pair_label(g.pair)}: {g.message}. {g.fix}", indent="")))
    return 1 if gaps else 0


# ----- versions --------------------------------------------------------------------------------------------------
def _versions(service: SyncService, args: argparse.Namespace) -> int:
    rows = versions.versions(service.profile, args.pair)
    if args.json:
        print_json([asdict(v) for v in rows])
        return 0
    if not rows:
        print("No saved versions: the shipped mapping (version 0) is in use.")
        return 0
    now = datetime.fromtimestamp(service.ctx.clock.time(), UTC)
    print("\n".join(table(["Pair", "Version", "Saved", "By", "Links", "Note"],
                          [[v.pair, str(v.version), local_time(datetime.fromisoformat(v.saved_at), now)
                            if v.saved_at else "", v.saved_by, plural(v.links, "link"), v.note] for v in rows],
                          flexible=(3, 5), right=(1,))))
    return 0


def _diff(service: SyncService, args: argparse.Namespace) -> int:
    pair = _pair(args)
    a, b = _numbers(args, 2, "diff A B --pair P (0 is the shipped default)")
    lines = versions.version_diff(service.profile, pair, a, b)
    if args.json:
        print_json({"pair": pair, "from": a, "to": b, "changes": lines})
    else:
        print(f"{pair_label(pair)}: version {a} → version {b}")
        print("\n".join(f"  {line}" for line in lines) if lines else "  No difference.")
    return 0


def _restore(service: SyncService, args: argparse.Namespace) -> int:
    pair = _pair(args)
    (number,) = _numbers(args, 1, "restore N --pair P (0 is the shipped default)")
    return _saved(versions.restore(service.profile, pair, number, service.ctx.actor), args)


def _reset(service: SyncService, args: argparse.Namespace) -> int:
    return _saved(versions.reset(service.profile, _pair(args), service.ctx.actor), args)


def _saved(info: versions.VersionInfo, args: argparse.Namespace) -> int:
    if args.json:
        print_json(asdict(info))
    else:
        print(f"{info.note}: the {info.pair} mapping is now version {info.version}.")
    return 0
