"""Every setting a person can change, declared once: label and help in plain words, type, range or choices,
default, validation with a reason, and where it is kept.

Most settings are rows of the Setting table (``app.store.settings``). A pair's on/off, direction and conflict rules
live in its field mapping, so changing them saves a new mapping version (``app.services.mappings``): the engine
reads both at the start of each run, so a change applies to the next run. The Settings page and the command line
both load, validate and save through :func:`load_values`, :func:`problems` and :func:`save_values`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.core.beats import idle_calls
from app.core.mapping import BOTH, X2Z, Z2X, PairMapping
from app.errors import AppError, ConfigError
from app.services import autostart
from app.services.mappings import current_mappings, default_mappings, save_mapping
from app.services.words import pair_label, plural
from app.store.db import DB
from app.store.models import Profile
from app.store.settings import DEFAULTS, all_settings, set_setting

if TYPE_CHECKING:
    from app.services.context import AppContext

# ----- what a schedule costs --------------------------------------------------------------------------------------
#: API calls one sync makes when nothing changed (one list call per Xero and Zoho CRM module it reads). The floor
#: of what a schedule costs; update it here when the idle cycle gets cheaper.
#: Xero's calls a day per organisation, by plan.
XERO_DAY_LIMITS = {"standard": 5000, "starter": 1000}
#: A schedule may use at most this share of Xero's day for idle syncs: the rest is for the changes themselves,
#: retries and the daily comparison.
SCHEDULE_SHARE = 0.8
MAX_INTERVAL = 60
MINUTES_A_DAY = 24 * 60


def idle_calls_per_cycle(interval_minutes: int) -> dict[str, float]:
    """Average calls per side of a scheduled sync that finds nothing to do (the engine's beats)."""
    return idle_calls(interval_minutes)


def interval_words(minutes: int) -> str:
    if minutes <= 0:
        return "Off"
    return "Every minute" if minutes == 1 else f"Every {minutes} minutes"


def _about(n: int) -> str:
    """"about 2,900" — two significant figures are all a daily estimate deserves."""
    if n < 100:
        return f"{n:,}"
    step = 10 ** (len(str(n)) - 2)
    return f"{round(n / step) * step:,}"


@dataclass(frozen=True)
class ScheduleCost:
    interval_minutes: int
    xero_calls: int  # a day, idle syncs only
    zoho_calls: int
    xero_day_limit: int

    @property
    def refused(self) -> str:
        """Why this schedule cannot be used ("" when it can)."""
        if self.interval_minutes <= 0 or self.xero_calls <= self.xero_day_limit * SCHEDULE_SHARE:
            return ""
        shortest = shortest_interval(self.xero_day_limit)
        return (f"{interval_words(self.interval_minutes)} would use about {_about(self.xero_calls)} of Xero's "
                f"{self.xero_day_limit:,} calls a day before any change is synced, so syncing would stop for the "
                f"rest of the day. Choose every {plural(shortest, 'minute')} or more.")

    @property
    def words(self) -> str:
        if self.interval_minutes <= 0:
            return "Off: Ledgerbridge syncs only when you click Sync now."
        return (f"{interval_words(self.interval_minutes)} uses about {_about(self.xero_calls)} of Xero's "
                f"{self.xero_day_limit:,} calls a day (and about {_about(self.zoho_calls)} Zoho CRM credits) "
                "when nothing has changed.")


def schedule_cost(interval_minutes: int, xero_plan: str = "standard") -> ScheduleCost:
    limit = XERO_DAY_LIMITS.get(xero_plan, XERO_DAY_LIMITS["standard"])
    if interval_minutes <= 0:
        return ScheduleCost(0, 0, 0, limit)
    runs = math.ceil(MINUTES_A_DAY / interval_minutes)
    calls = idle_calls_per_cycle(interval_minutes)
    return ScheduleCost(interval_minutes, round(runs * calls["xero"]), round(runs * calls["zoho"]), limit)


def shortest_interval(xero_day_limit: int) -> int:
    """The shortest schedule whose idle syncs leave Xero's day enough room."""
    for minutes in range(1, MAX_INTERVAL + 1):
        if math.ceil(MINUTES_A_DAY / minutes) * idle_calls_per_cycle(minutes)["xero"] <= \
                xero_day_limit * SCHEDULE_SHARE:
            return minutes
    return MAX_INTERVAL


# ----- the declarations --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Setting:
    key: str
    section: str
    label: str
    help: str
    kind: str  # "bool" | "int" | "percent" (kept as a fraction, shown as a percentage) | "choice" | "text"
    default: Any = None
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[tuple[Any, str], ...] = ()  # (value, words)
    unit: str = ""  # shown after a number: "minutes", "days", "records"
    pair: str = ""  # kept in this pair's field mapping, not in the Setting table
    special: str = ""  # the words for the minimum (e.g. "Off" for an interval of 0)
    short: str = ""  # the label under its pair's heading on the page ("Direction"); ``label`` stands alone

    @property
    def short_label(self) -> str:
        return self.short or self.label

    def choice_words(self, value: Any) -> str:
        return next((words for v, words in self.choices if v == value), str(value))

    def problem(self, value: Any) -> str:
        """Why ``value`` cannot be saved, in words ("" when it can)."""
        if self.kind == "bool":
            return "" if isinstance(value, bool) else f"{self.label}: choose on or off."
        if self.kind == "choice":
            allowed = [v for v, _ in self.choices]
            return "" if value in allowed else \
                f"{self.label}: choose one of {', '.join(w for _, w in self.choices)}."
        if self.kind == "text":
            return "" if isinstance(value, str) and value.strip() else f"{self.label} cannot be empty."
        if self.kind == "percent":
            if not isinstance(value, int | float) or isinstance(value, bool):
                return f"{self.label} must be a percentage."
            low, high = (self.minimum or 0) / 100, (self.maximum or 100) / 100
            if not low <= value <= high:
                return f"{self.label} must be between {self.minimum}% and {self.maximum}%."
            return ""
        if not isinstance(value, int) or isinstance(value, bool):
            return f"{self.label} must be a whole number."
        if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
            unit = f" {self.unit}" if self.unit else ""
            if self.special:
                return f"{self.label} must be {self.special} ({self.minimum}) or {self.minimum + 1:,} to " \
                    f"{self.maximum:,}{unit}."
            return f"{self.label} must be {self.minimum:,} to {self.maximum:,}{unit}."
        return ""


DIRECTION_WORDS = {BOTH: "Both ways", X2Z: "Xero → Zoho CRM only", Z2X: "Zoho CRM → Xero only"}
POLICY_WORDS = {"newest": "The most recent change wins", "xero_wins": "Xero wins", "zoho_wins": "Zoho CRM wins",
                "ask": "Ask me (listed under Conflicts)"}
FIRST_LINK_WORDS = {"xero_wins": "Keep Xero's values", "zoho_wins": "Keep Zoho CRM's values",
                    "newest": "Keep the most recently edited values"}
#: The directions the engine can run each pair in: invoices come from Xero, deals go to Xero, payments to Zoho.
PAIR_DIRECTIONS = {"contacts": (BOTH, X2Z, Z2X), "items": (BOTH, X2Z, Z2X), "invoices": (X2Z, BOTH),
                   "payments": (X2Z,), "deals": (Z2X,)}
PAIR_ORDER = ("contacts", "items", "invoices", "payments", "deals")
#: Pairs where both sides can change the same record (a conflict rule matters) and existing records are matched.
TWO_WAY_PAIRS = ("contacts", "items", "invoices")
INVOICE_STATUSES = (("DRAFT", "Draft"), ("SUBMITTED", "Awaiting approval"), ("AUTHORISED", "Awaiting payment"))

SCHEDULE, PAIRS_SECTION, DELETIONS, RETRIES, DEALS, DESKTOP, ADVANCED = (
    "Schedule", "What syncs", "Deletions and the safety brake", "Retries and history", "Closed Won deals",
    "Desktop", "Advanced")
SECTIONS = (SCHEDULE, PAIRS_SECTION, DELETIONS, RETRIES, DEALS, DESKTOP, ADVANCED)
#: Said once above a section whose settings repeat per pair (each setting's own help is its tooltip there).
SECTION_NOTES = {
    PAIRS_SECTION: "Turn a pair off to leave those records alone (its links are kept). Direction: which way changes "
                   "flow. When both changed: which side wins when the same field was edited in both since the last "
                   "sync. First match: whose values to keep when a record that exists in both is linked for the "
                   "first time.",
}


def _pair_settings() -> list[Setting]:
    out: list[Setting] = []
    defaults = default_mappings()
    for pair in PAIR_ORDER:
        mapping = defaults[pair]
        label = pair_label(pair, mapping.zoho_module)
        out.append(Setting(f"pairs.{pair}.enabled", PAIRS_SECTION, f"Sync {label}",
                           "Turn a pair off to leave those records alone; its links are kept for when you turn it "
                           "back on.", "bool", mapping.enabled, pair=pair))
        directions = PAIR_DIRECTIONS[pair]
        if len(directions) > 1:
            out.append(Setting(f"pairs.{pair}.direction", PAIRS_SECTION, f"{label}: direction",
                               "Which way changes flow. One way means the other system's edits are never copied "
                               "back.", "choice", mapping.direction,
                               choices=tuple((d, DIRECTION_WORDS[d]) for d in directions), pair=pair,
                               short="Direction"))
        if pair in TWO_WAY_PAIRS:
            out.append(Setting(f"pairs.{pair}.conflict_policy", PAIRS_SECTION, f"{label}: when both changed",
                               "When the same field was changed in both systems since the last sync.", "choice",
                               mapping.conflict_policy, choices=tuple(POLICY_WORDS.items()), pair=pair,
                               short="When both changed"))
            out.append(Setting(f"pairs.{pair}.first_link_policy", PAIRS_SECTION, f"{label}: first match",
                               "When a record that already exists in both systems is linked for the first time and "
                               "their values differ.", "choice", mapping.options.get("first_link_policy",
                                                                                     "xero_wins"),
                               choices=tuple(FIRST_LINK_WORDS.items()), pair=pair, short="First match"))
        if pair == "contacts":
            out.append(Setting("pairs.contacts.owner_groups", PAIRS_SECTION,
                               "Show each account's owner in Xero as a contact group",
                               "Puts each linked Xero contact in a contact group named after its Zoho CRM owner "
                               "(\"Owner: Tom Baker\"), so people in Xero can filter contacts by salesperson. A "
                               "contact moves when its owner changes in Zoho CRM; your own groups are left alone.",
                               "bool", bool(mapping.options.get("owner_groups", False)), pair=pair,
                               short="Owners in Xero"))
    deals = defaults["deals"]
    out.append(Setting("pairs.deals.trigger_stage", DEALS, "Stage that creates the invoice",
                       "A deal reaching this stage in Zoho CRM becomes an invoice in Xero (type it as Zoho shows it).",
                       "text", deals.options.get("trigger_stage", DEFAULTS["deals.trigger_stage"]), pair="deals"))
    out.append(Setting("pairs.deals.invoice_status", DEALS, "New invoices start as",
                       "The status of the Xero invoice made from a won deal.", "choice",
                       deals.options.get("invoice_status", DEFAULTS["deals.invoice_status"]),
                       choices=INVOICE_STATUSES, pair="deals"))
    out.append(Setting("pairs.deals.email_invoice", DEALS, "Email Awaiting payment invoices to the customer",
                       "Xero emails each new invoice made from a won deal to the customer's email address, with the "
                       "customer's branding theme. Only when new invoices start as Awaiting payment: drafts are "
                       "never sent.", "bool",
                       deals.options.get("email_invoice", DEFAULTS["deals.email_invoice"]), pair="deals"))
    return out


def _declare() -> tuple[Setting, ...]:
    d = DEFAULTS
    return (
        Setting("sync.interval_minutes", SCHEDULE, "Sync automatically",
                "How often Ledgerbridge looks for changes while it is running. Off means only when you click "
                "Sync now.", "int", d["sync.interval_minutes"], 0, MAX_INTERVAL, unit="minutes", special="Off"),
        Setting("xero.plan", SCHEDULE, "Your Xero plan",
                "Xero allows 5,000 API calls a day per organisation, 1,000 on the Starter plan.", "choice",
                d["xero.plan"], choices=(("standard", "Standard or higher (5,000 calls a day)"),
                                         ("starter", "Starter (1,000 calls a day)"))),
        Setting("reconcile.interval_hours", SCHEDULE, "Compare both systems in full",
                "A full comparison finds anything a sync could have missed. It reads every record, so it costs "
                "more calls than a sync.", "choice", d["reconcile.interval_hours"],
                choices=((24, "Every day"), (168, "Every week"), (0, "Only when I ask"))),
        *_pair_settings(),
        Setting("deletes.archive_xero_on_zoho_delete", DELETIONS,
                "Archive the Xero contact when its Zoho CRM account is deleted",
                "Off: the link is removed and the Xero contact stays as it is. Xero never deletes contacts, so "
                "archiving is the closest match.", "bool", d["deletes.archive_xero_on_zoho_delete"]),
        Setting("brake.fraction", DELETIONS, "Stop before archiving more than",
                "Of a pair's linked records in one sync. A sync that would archive, delete or empty more stops and "
                "asks you first.", "percent", d["brake.fraction"], 1, 100),
        Setting("brake.min_records", DELETIONS, "…but always allow up to",
                "Small changes never stop a sync, even in a small book.", "int", d["brake.min_records"], 0, 10_000,
                unit="records"),
        Setting("retry.first_delay_minutes", RETRIES, "Retry a failed record after",
                "Each further try waits longer (3, 12, 48 and 144 times as long, at most a day). Retry sends it "
                "again at once.", "int", d["retry.first_delay_minutes"], 1, 240, unit="minutes"),
        Setting("history.retention_days", RETRIES, "Keep history for",
                "Older history is removed after each sync. Links between records are always kept.", "int",
                d["history.retention_days"], 7, 3650, unit="days"),
        Setting("app.start_with_os", DESKTOP, "Start Ledgerbridge when I sign in to this computer",
                "So scheduled syncs keep running without anyone opening the app.", "bool", d["app.start_with_os"]),
        Setting("app.start_minimised", DESKTOP, "Start in the tray",
                "Open as an icon in the tray instead of a window.", "bool", d["app.start_minimised"]),
        Setting("app.notifications", DESKTOP, "Desktop notifications",
                "Shown only when something needs you: a failed record, a conflict or a reconnect.", "bool",
                d["app.notifications"]),
        Setting("zoho.allow_workflows", ADVANCED, "Let Zoho CRM workflows run on records Ledgerbridge writes",
                "Off avoids workflow emails and field updates firing for every synced record.", "bool",
                d["zoho.allow_workflows"]),
        Setting("xero.redirect_port", ADVANCED, "Xero sign-in port",
                "The port in the redirect URI registered with your Xero app. Change both together.", "int",
                d["xero.redirect_port"], 1024, 65535),
        Setting("zoho.redirect_port", ADVANCED, "Zoho CRM sign-in port",
                "The port in the redirect URI registered with your Zoho app. Change both together.", "int",
                d["zoho.redirect_port"], 1024, 65535),
    )


@dataclass(frozen=True)
class Schema:
    settings: tuple[Setting, ...] = field(default_factory=_declare)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {s.key: s for s in self.settings})

    def __getitem__(self, key: str) -> Setting:
        return self._by_key[key]  # type: ignore[attr-defined]

    def __contains__(self, key: object) -> bool:
        return key in self._by_key  # type: ignore[attr-defined]

    def keys(self) -> list[str]:
        return [s.key for s in self.settings]

    def in_section(self, section: str) -> list[Setting]:
        return [s for s in self.settings if s.section == section]

    def defaults(self) -> dict[str, Any]:
        return {s.key: s.default for s in self.settings}


def schema() -> Schema:
    return Schema()


# ----- load, validate, save ----------------------------------------------------------------------------------------
def _mapping_value(mapping: PairMapping, name: str) -> Any:
    if name in ("enabled", "direction", "conflict_policy"):
        return getattr(mapping, name)
    return mapping.options.get(name)


def load_values(profile: Profile, spec: Schema | None = None) -> dict[str, Any]:
    """The saved value of every setting (the default where none was saved). Reads only."""
    spec = spec or schema()
    stored = all_settings(profile)
    mappings = current_mappings(profile)
    values: dict[str, Any] = {}
    for s in spec.settings:
        if s.pair:
            value = _mapping_value(mappings[s.pair], s.key.rsplit(".", 1)[1])
            values[s.key] = s.default if value is None else value
        else:
            values[s.key] = stored.get(s.key, s.default)
    return values


def problems(values: dict[str, Any], spec: Schema | None = None) -> dict[str, str]:
    """Every value that cannot be saved, with the reason, by key (empty when all can)."""
    spec = spec or schema()
    out = {key: reason for key, value in values.items() if key in spec and (reason := spec[key].problem(value))}
    interval = values.get("sync.interval_minutes")
    if "sync.interval_minutes" not in out and isinstance(interval, int):
        refused = schedule_cost(interval, values.get("xero.plan", "standard")).refused
        if refused:
            out["sync.interval_minutes"] = refused
    ports = values.get("xero.redirect_port"), values.get("zoho.redirect_port")
    if ports[0] is not None and ports[0] == ports[1] and "zoho.redirect_port" not in out:
        out["zoho.redirect_port"] = "Xero and Zoho CRM need different sign-in ports."
    return out


def save_values(profile: Profile, changes: dict[str, Any], spec: Schema | None = None) -> list[str]:
    """Validate ``changes`` together with the saved values, then save them; returns the keys that changed.

    Raises :class:`ConfigError` listing every reason and saves nothing when any value is refused. Writes: call it
    on the worker thread.
    """
    spec = spec or schema()
    unknown = [k for k in changes if k not in spec]
    if unknown:
        raise ConfigError(f"Unknown setting(s): {', '.join(unknown)}.")
    current = load_values(profile, spec)
    merged = {**current, **changes}
    refused = problems(merged, spec)
    if refused:
        raise ConfigError("These settings were not saved:\n" + "\n".join(f"  • {r}" for r in refused.values()))
    changed = [k for k in spec.keys() if k in changes and changes[k] != current[k]]
    with DB.obj.atomic():
        _write(profile, spec, changes, changed)
    return changed


def _write(profile: Profile, spec: Schema, changes: dict[str, Any], changed: list[str]) -> None:
    by_pair: dict[str, list[str]] = {}
    for key in changed:
        setting = spec[key]
        if setting.pair:
            by_pair.setdefault(setting.pair, []).append(key)
        else:
            set_setting(profile, key, changes[key])
    if by_pair:
        mappings = current_mappings(profile)
        for pair, keys in by_pair.items():
            mapping = mappings[pair]
            for key in keys:
                name = key.rsplit(".", 1)[1]
                if name in ("enabled", "direction", "conflict_policy"):
                    setattr(mapping, name, changes[key])
                else:
                    mapping.options[name] = changes[key]
            save_mapping(profile, mapping)


def apply_changes(ctx: AppContext, changes: dict[str, Any]) -> list[str]:
    """:func:`save_values` for the context's profile, and what a setting changes outside the database (starting
    with the computer). Nothing is saved when that fails. Call on the worker thread."""
    spec = schema()
    current = load_values(ctx.profile, spec)
    if problems({**current, **changes}, spec):
        return save_values(ctx.profile, changes, spec)  # raises with every reason
    wanted = changes.get("app.start_with_os", current["app.start_with_os"])
    if wanted != current["app.start_with_os"]:
        try:
            autostart.set_enabled(bool(wanted), autostart.launch_command(ctx.paths.data_dir, ctx.profile_name))
        except OSError as exc:
            raise AppError("Ledgerbridge could not change the programs that start with your computer, so the "
                           "settings were not saved.", title="Settings not saved",
                           technical=f"{type(exc).__name__}: {exc}") from exc
    return save_values(ctx.profile, changes, spec)
