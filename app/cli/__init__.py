"""Headless commands (``main.py sandbox``, later ``connect``, ``status``, ``sync`` …) and the argument parser.

``main.py`` parses with :func:`build_parser`; with no command it starts the GUI, otherwise :func:`run_command`.
"""

from __future__ import annotations

import argparse
import sys

from app import __version__
from app.cli.common import Parser, accept_everywhere, report_error


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="main.py",
        description="Ledgerbridge keeps Xero and Zoho CRM in sync. With no command it opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"Ledgerbridge {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="keep every file the app writes under DIR")
    parser.add_argument("--endpoints", metavar="FILE", help="use the API endpoints in FILE (the sandbox's JSON line)")
    parser.add_argument("--demo", action="store_true", help="run against the built-in sandbox (demo data)")
    parser.add_argument("--profile", metavar="NAME", default="default",
                        help="work with this profile (one per Xero organisation; see `profiles list`)")
    parser.add_argument("-v", "--verbose", action="store_true", help="also log to the console")
    parser.add_argument("--self-test", action="store_true", help="open the window on the sandbox in a temporary folder, visit every page, run one sync, exit 0 or 1 with the reason")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    sandbox = commands.add_parser("sandbox", help="serve the local Xero and Zoho emulators until interrupted")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--xero-port", type=int, default=0, help="0 picks a free port")
    sandbox.add_argument("--zoho-port", type=int, default=0, help="0 picks a free port")
    sandbox.add_argument("--seed", default="demo", help="demo | empty | large:N")
    sandbox.add_argument("--state", metavar="FILE", help="load state from FILE on start, save to it on exit")
    sandbox.add_argument("--limits", choices=["real", "starter", "off"], default="real")
    sandbox.add_argument("--redirect-uri", action="append", default=[], metavar="URI",
                         help="also accept this OAuth redirect URI (repeatable)")
    from app.cli import connect_cmd, historical_cmd, profiles_cmd, push_cmd, reset_cmd, settings_cmd, sync_cmd

    connect_cmd.add_parsers(commands)
    sync_cmd.add_parsers(commands)
    historical_cmd.add_parsers(commands)
    push_cmd.add_parsers(commands)
    profiles_cmd.add_parsers(commands)
    settings_cmd.add_parsers(commands)
    reset_cmd.add_parsers(commands)
    accept_everywhere(commands)
    return parser


def run_command(args: argparse.Namespace) -> int:
    """Run a headless command; returns the process exit code."""
    if args.command == "sandbox":
        from app.cli.sandbox_cmd import run_sandbox

        return run_sandbox(args)
    from app.errors import AppError

    try:
        if args.command in ("connect", "status", "disconnect"):
            from app.cli import connect_cmd

            return getattr(connect_cmd, f"run_{args.command}")(args)
        from app.cli import historical_cmd, profiles_cmd, push_cmd, settings_cmd, sync_cmd

        if args.command == profiles_cmd.COMMAND:
            return profiles_cmd.run(args)
        if args.command == settings_cmd.COMMAND:
            return settings_cmd.run(args)
        from app.cli import reset_cmd

        if args.command == reset_cmd.COMMAND:
            return reset_cmd.run(args)

        if args.command in (historical_cmd.COMMAND, push_cmd.COMMAND):
            return (historical_cmd if args.command == historical_cmd.COMMAND else push_cmd).run(args)
        if args.command in sync_cmd.COMMANDS:
            return sync_cmd.run(args)
    except AppError as exc:
        return report_error(exc, args)
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
    raise SystemExit(f"unknown command {args.command!r}")
