"""``reset``: start fresh (or keep the links) after connecting another organisation, without the window.

``reset`` says exactly what it would set aside and does nothing; ``reset --yes`` backs the database up, then moves
the links, history, runs, failures, conflicts, possible matches and read positions to an archive profile named
after the old organisation; ``reset --keep-links`` keeps the links for the organisation connected now (the same
business under a new connection). The mapping, settings and sign-ins stay.

``reset --disconnect xero|zoho`` is the Connections page's "Reset connection…": it says what it would clear;
with ``--yes`` it backs up, sets the links and history aside the same way, then disconnects that side (its sign-in
is revoked).
"""

from __future__ import annotations

import argparse

from app.cli.common import print_json
from app.errors import ConfigError
from app.services import org_change
from app.services.runtime import open_context

COMMAND = "reset"


def add_parsers(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser(COMMAND, help="start fresh after connecting another organisation (the database is "
                                            "backed up first), or keep the links with --keep-links")
    choice = cmd.add_mutually_exclusive_group()
    choice.add_argument("--yes", action="store_true", help="do it: back up, then set the old links and history "
                                                           "aside under the old organisation's name")
    choice.add_argument("--keep-links", action="store_true",
                        help="the same business under a new connection: keep the links")
    cmd.add_argument("--disconnect", choices=("xero", "zoho"), metavar="xero|zoho",
                     help="start over with that side: set the links and history aside (after a backup), then "
                          "disconnect it; with --yes to do it")
    cmd.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    if getattr(args, "disconnect", None):
        return _reset_connection(args)
    with open_context(args) as ctx:
        changes = org_change.pending_changes(ctx.profile)
        if args.keep_links:
            done = org_change.decide(ctx, "keep")
            _say(args, {"done": "keep", "message": done})
            return 0
        if args.yes:
            done = org_change.decide(ctx, "fresh")
            _say(args, {"done": "fresh", "message": done})
            return 0
        counts = org_change.what_start_fresh_clears(ctx.profile)
        words = org_change.in_words(counts)
        if args.json:
            print_json({"done": None, "changes": [c.message for c in changes], "would_set_aside": counts})
            return 0
        for change in changes:
            print(change.message)
        if not words:
            print("Nothing to reset: this profile has no links or history yet.")
            return 0
        print("`reset --yes` would back up the database, then set aside under the old organisation's name: "
              + ", ".join(words) + ". The mapping, settings and sign-ins stay.")
        print("Or run `reset --keep-links` if it is the same business under a new connection.")
        return 0


def _reset_connection(args: argparse.Namespace) -> int:
    if args.keep_links:
        raise ConfigError("--keep-links and --disconnect do not go together: --disconnect sets the links aside.")
    side = org_change.PROVIDER_NAMES[args.disconnect]
    with open_context(args) as ctx:
        if args.yes:
            _say(args, {"done": "reset", "disconnected": args.disconnect,
                        "message": org_change.reset_connection(ctx, args.disconnect)})
            return 0
        counts = org_change.what_start_fresh_clears(ctx.profile)
        words = org_change.in_words(counts)
    if args.json:
        print_json({"done": None, "would_set_aside": counts, "would_disconnect": args.disconnect})
        return 0
    listed = ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)
    aside = ("set aside " + listed + " in an archive profile named after the old organisation (still "
             "readable, never synced again), then ") if words else "(there are no links or history to set aside) "
    print(f"`reset --disconnect {args.disconnect} --yes` would back up the database, {aside}disconnect {side} "
          "(its sign-in is revoked). The field mapping and settings stay.")
    return 0


def _say(args: argparse.Namespace, data: dict) -> None:
    if args.json:
        print_json(data)
    else:
        print(data["message"])
