"""``settings`` and ``settings set KEY VALUE``: the Settings page from the command line (same checks, same words)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from app.errors import ConfigError
from app.services.runtime import open_context
from app.services.settings_schema import SECTIONS, Setting, apply_changes, load_values, schedule_cost, schema
from app.services.words import plural

COMMAND = "settings"
TRUE, FALSE = ("on", "yes", "true", "1"), ("off", "no", "false", "0")


def add_parsers(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser(COMMAND, help="show every setting, or change one (`settings set KEY VALUE`)")
    cmd.add_argument("--json", action="store_true")
    actions = cmd.add_subparsers(dest="action", metavar="ACTION")
    change = actions.add_parser("set", help="change settings: KEY VALUE [KEY VALUE …] (checked together)")
    change.add_argument("pairs", nargs="+", metavar="KEY VALUE")


def words(setting: Setting, value: Any) -> str:
    if setting.kind == "bool":
        return "on" if value else "off"
    if setting.kind == "choice":
        return setting.choice_words(value)
    if setting.kind == "percent":
        return f"{round(value * 100)}%"
    if setting.kind == "int" and setting.special and value == setting.minimum:
        return setting.special
    if setting.kind != "int":
        return str(value)
    return plural(value, setting.unit.rstrip("s")) if setting.unit else f"{value:,}"


def parse(setting: Setting, text: str) -> Any:
    """A value as typed: on/off, 10 or 10%, a choice's value or its words."""
    low = text.strip().lower()
    if setting.kind == "bool":
        if low in TRUE + FALSE:
            return low in TRUE
        raise ConfigError(f"{setting.label}: say on or off.")
    if setting.kind in ("int", "percent"):
        if setting.special and low == setting.special.lower():
            return setting.minimum
        try:
            number = int(low.rstrip("%").replace(",", ""))
        except ValueError as exc:
            raise ConfigError(f"{setting.label} must be a whole number.") from exc
        return round(number / 100, 4) if setting.kind == "percent" else number
    if setting.kind == "choice":
        for value, label in setting.choices:
            if low in (str(value).lower(), label.lower()):
                return value
        raise ConfigError(f"{setting.label}: choose one of {', '.join(str(v) for v, _ in setting.choices)}.")
    return text


def run(args: argparse.Namespace) -> int:
    spec = schema()
    with open_context(args) as ctx:
        if args.action == "set":
            if len(args.pairs) % 2:
                raise ConfigError("Give each setting a value: settings set KEY VALUE [KEY VALUE …].")
            changes = {}
            for key, text in zip(args.pairs[::2], args.pairs[1::2], strict=True):
                if key not in spec:
                    raise ConfigError(f"Unknown setting {key!r}. `settings` lists them.")
                changes[key] = parse(spec[key], text)
            changed = apply_changes(ctx, changes)
            print("Saved: " + ", ".join(f"{spec[k].label} = {words(spec[k], changes[k])}" for k in changed)
                  if changed else "Nothing changed.")
            print("Changes apply from the next sync.")
            return 0
        values = load_values(ctx.profile, spec)
    if args.json:
        print(json.dumps(values))
        return 0
    for section in SECTIONS:
        print(f"{section}:")
        for setting in spec.in_section(section):
            print(f"  {setting.key} = {words(setting, values[setting.key])}  ({setting.label})")
        if section == SECTIONS[0]:
            print(f"  {schedule_cost(values['sync.interval_minutes'], values['xero.plan']).words}")
    return 0
