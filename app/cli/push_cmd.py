"""``push xero|zoho ID_OR_NAME``: send one record to Xero or Zoho CRM now, after what it needs (its customer).

Exit codes: 0 sent (or already up to date); 1 it could not be sent (the reason is printed); 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from app.services import push
from app.services.runtime import open_context
from app.services.sync import SyncService

COMMAND = "push"


def add_parsers(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser(COMMAND, help="send one record to Xero or Zoho CRM now",
                              description="Send one record now: `push zoho \"Acme Catering\"` sends the Xero "
                                          "contact to Zoho CRM; `push xero ID` sends a Zoho record to Xero.")
    cmd.add_argument("target", choices=list(push.TARGETS), help="where to send it")
    cmd.add_argument("record", metavar="ID_OR_NAME", help="the record's name, or its id in Xero or Zoho CRM")
    cmd.add_argument("--pair", choices=list(push.PUSH_PAIRS), help="look only among these records")
    cmd.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        result = push.push(SyncService(ctx), args.target, args.record, args.pair)
    print(json.dumps(asdict(result)) if args.json else result.message)
    return 0 if result.ok else 1
