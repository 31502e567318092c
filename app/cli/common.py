"""What every headless command shares: usage errors, ``--json`` and ``--demo`` after the command, errors printed as
words (or as a JSON document), hints that name the command to run, and tables that fit the terminal."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import textwrap
from collections.abc import Sequence
from typing import Any, NoReturn

from app.errors import AppError

DEFAULT_WIDTH = 100


class UsageError(AppError):
    """The command was asked for something it cannot do as typed (not a settings problem)."""

    title = "Usage"
    exit_code = 2


class Parser(argparse.ArgumentParser):
    """argparse that answers ``--json`` with a JSON document even for a usage mistake."""

    def error(self, message: str) -> NoReturn:
        if "--json" in sys.argv[1:]:
            print_json({"error": {"title": "Usage", "message": f"{self.prog}: {message}"}})
            raise SystemExit(2)
        super().error(message)


def accept_everywhere(commands: argparse._SubParsersAction) -> None:
    """``main.py sync --demo`` works as well as ``main.py --demo sync``, and every command takes ``--json``."""
    for sub in commands.choices.values():
        options = {o for action in sub._actions for o in action.option_strings}
        if "--demo" not in options:
            sub.add_argument("--demo", action="store_true", default=argparse.SUPPRESS,
                             help="run against the built-in sandbox (same as before the command)")
        if "--json" not in options:
            sub.add_argument("--json", action="store_true", help="print a JSON document")


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, default=str))


def report_error(exc: AppError, args: argparse.Namespace) -> int:
    """An error as the user reads it: words on stderr (a JSON document on stdout with ``--json``); the exit code."""
    message = cli_hint(exc.message, provider=getattr(exc, "provider", None))
    if getattr(args, "json", False):
        print_json({"error": {"title": exc.title, "message": message}})
    elif isinstance(exc, UsageError):
        print(f"{message}\nSee `main.py {args.command} --help`.", file=sys.stderr)
    else:
        print(f"{exc.title}: {message}", file=sys.stderr)
    return exc.exit_code


# ----- hints that name the command -------------------------------------------------------------------------------
def cli_hint(text: str, *, failed_id: int | None = None, provider: str | None = None) -> str:
    """The window's hints name buttons; on the command line they name the command: "then click Retry" becomes
    "then run `retry 3`", "Open Connections and click Reconnect" becomes "Run `connect xero`"."""
    retry = f"`retry {failed_id}`" if failed_id is not None else "`retry ID`"
    text = re.sub(r"click Retry", f"run {retry}", text)
    connect = f"`connect {provider}`" if provider else "`connect xero` or `connect zoho`"
    text = re.sub(r"Open Connections and click (?:Reconnect|Connect)", f"Run {connect}", text)
    text = text.replace("(see Matches)", "(run `matches`)").replace("see Matches", "run `matches`")
    text = re.sub(r"in Field mapping", "in the field mapping (`mapping export`, then `mapping import`)", text)
    text = text.replace("click Sync now", "run `sync`")
    return text


# ----- the terminal ----------------------------------------------------------------------------------------------
def terminal_width() -> int:
    return max(60, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)


def clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, flexible: Sequence[int] = (),
          right: Sequence[int] = (), width: int | None = None) -> list[str]:
    """Columns as wide as their longest cell; when the lines would be wider than the terminal, the ``flexible``
    columns give way (longest first) and their cells end in "…"."""
    width = width or terminal_width()
    cells = [[" ".join(str(c).split()) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    gap = 2
    over = sum(widths) + gap * (len(widths) - 1) - width
    minimum = {i: max(len(headers[i]), 12) for i in flexible}
    while over > 0:  # one character at a time from the widest flexible column
        shrinkable = [i for i in flexible if widths[i] > minimum[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: widths[i])
        widths[widest] -= 1
        over -= 1

    def line(values: Sequence[str]) -> str:
        out = [clip(v, w).rjust(w) if i in right else clip(v, w).ljust(w)
               for i, (v, w) in enumerate(zip(values, widths, strict=True))]
        return (" " * gap).join(out).rstrip()

    return [line(headers)] + [line(r) for r in cells]


def wrapped(text: str, indent: str = "    ", width: int | None = None) -> list[str]:
    width = width or terminal_width()
    return textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=indent + "  ") or [indent]
