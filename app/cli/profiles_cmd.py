"""``profiles list|add|remove|rename``: several Xero organisations side by side, each a profile with its own
links, history, mapping, schedule and sign-ins. Every other command runs as ``--profile NAME`` (default ``default``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from app.errors import AppError
from app.services import profiles
from app.services.connections import ConnectionService
from app.services.context import AppContext
from app.services.runtime import open_context
from app.services.words import local_time

COMMAND = "profiles"


def add_parsers(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser(COMMAND, help="list, add, remove or rename profiles (one per Xero organisation)")
    actions = cmd.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every profile with its organisations and last sync")
    listing.add_argument("--json", action="store_true")
    add = actions.add_parser("add", help="add an empty profile; then `--profile NAME connect xero` …")
    add.add_argument("name")
    remove = actions.add_parser("remove", help="remove a profile with its links, history and sign-ins "
                                               "(the database is backed up first)")
    remove.add_argument("name")
    rename = actions.add_parser("rename", help="rename a profile (its sign-ins move with it)")
    rename.add_argument("old")
    rename.add_argument("new")


def run(args: argparse.Namespace) -> int:
    with open_context(args, check_profile=False) as ctx:
        if args.action == "list":
            found = profiles.list_profiles()
            if args.json:
                print(json.dumps([{"name": p.name, "xero": p.xero, "zoho": p.zoho,
                                   "last_sync": p.last_sync.isoformat() if p.last_sync else None} for p in found]))
                return 0
            for p in found:
                xero = p.xero or "Xero not connected"
                zoho = p.zoho or "Zoho CRM not connected"
                print(f"{p.name}: {xero} ⇄ {zoho} · last sync {local_time(p.last_sync)}")
            return 0
        if args.action == "add":
            name = profiles.add(args.name)
            print(f"Added profile {name!r}. Connect it with `main.py --profile \"{name}\" connect xero`, then zoho.")
            return 0
        if args.action == "rename":
            name = profiles.rename(args.old, args.new, ctx.secrets)
            print(f"Renamed profile {args.old!r} to {name!r}.")
            return 0
        _sign_out(ctx, args.name)
        backup = profiles.remove(args.name, ctx.secrets, ctx.paths.data_dir / "backups")
        print(f"Removed profile {args.name!r} with its links, history, settings and sign-ins. "
              f"A copy of the database from before is at {backup}.")
        return 0


def _sign_out(ctx: AppContext, name: str) -> None:
    """Revoke a removed profile's sign-ins with Xero and Zoho CRM (best effort: removal goes ahead offline)."""
    if name not in {p.name for p in profiles.list_profiles()}:
        return
    service = ConnectionService(dataclasses.replace(ctx, profile_name=name, _profile=None))
    for provider in profiles.PROVIDERS:
        if service.connection(provider) is None:
            continue
        try:
            service.disconnect(provider)
        except AppError as exc:
            print(f"Could not sign out of {provider} first ({exc.message}); removing the profile anyway.",
                  file=sys.stderr)
