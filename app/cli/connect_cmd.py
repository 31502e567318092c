"""``connect``, ``status`` and ``disconnect``: sign in through the browser, check, and sign out."""

from __future__ import annotations

import argparse
import json
import sys
import webbrowser

from app.auth.secrets import store_report
from app.errors import AppError
from app.integrations.xero.models import Connection as XeroConnection
from app.services.connections import ConnectionService, ProviderStatus
from app.services.runtime import open_context


def add_parsers(commands: argparse._SubParsersAction) -> None:
    connect = commands.add_parser("connect", help="sign in to Xero or Zoho CRM through the browser")
    connect.add_argument("provider", choices=["xero", "zoho"])
    connect.add_argument("--no-browser", action="store_true", help="only print the sign-in URL")
    connect.add_argument("--timeout", type=float, default=300.0, metavar="S", help="seconds to wait (300)")
    connect.add_argument("--client-id", metavar="ID")
    connect.add_argument("--client-secret", metavar="S", help="Zoho only; optional with PKCE")
    connect.add_argument("--dc", metavar="DC", help="Zoho data centre: us eu in au jp ca sa uk cn")
    connect.add_argument("--org", metavar="NAME_OR_ID", help="Xero organisation to use when several are shared")
    connect.add_argument("--json", action="store_true")

    status = commands.add_parser("status", help="show both connections; exit 0 when both are connected")
    status.add_argument("--json", action="store_true")
    status.add_argument("--offline", action="store_true", help="do not call the APIs to check")

    disconnect = commands.add_parser("disconnect", help="sign out of Xero or Zoho CRM and revoke the token")
    disconnect.add_argument("provider", choices=["xero", "zoho"])


def _opener(no_browser: bool):
    def open_url(url: str) -> bool:
        print(url, flush=True)
        print("Open the link above to sign in; waiting for the browser to come back…", file=sys.stderr, flush=True)
        return False if no_browser else webbrowser.open(url)
    return open_url


def _chooser(wanted: str | None):
    def choose(connections: list[XeroConnection]) -> XeroConnection:
        if wanted:
            for c in connections:
                if wanted in (c.tenant_id, c.tenant_name):
                    return c
            raise AppError(f"No shared Xero organisation is called {wanted!r}. Shared: "
                           + ", ".join(c.tenant_name for c in connections))
        if sys.stdin.isatty():
            for n, c in enumerate(connections, 1):
                print(f"  {n}. {c.tenant_name}", file=sys.stderr)
            answer = input("Which organisation should Ledgerbridge sync? [1] ").strip() or "1"
            return connections[int(answer) - 1]
        print(f"Several organisations were shared; using {connections[0].tenant_name} (choose with --org).",
              file=sys.stderr)
        return connections[0]
    return choose


def _describe(status: ProviderStatus) -> str:
    label = "Xero" if status.provider == "xero" else "Zoho CRM"
    if not status.connected:
        return f"{label}: not connected" + (f" — {status.problem}" if status.problem else "")
    parts = [f"{label}: connected to {status.organisation or '(unnamed)'}"]
    if status.provider == "xero":
        parts.append(f"organisation id {status.org_id}")
        if status.reconnect_by:
            parts.append(f"renews automatically; reconnect needed only if unused until {status.reconnect_by}")
    else:
        parts.append(f"organisation id {status.org_id}, data centre {status.dc.upper()}")
    if status.access_token_expires_at:
        parts.append(f"access token until {status.access_token_expires_at}")
    if status.budget:
        b = status.budget
        if status.provider == "xero" and b.get("day_remaining") is not None:
            parts.append(f"API left today {b['day_remaining']}, this minute {b.get('minute_remaining')}")
        if status.provider == "zoho" and b.get("credits_remaining") is not None:
            parts.append(f"credits left {b['credits_remaining']}")
    if not status.secure_storage:
        parts.append("WARNING: no system keyring, sign-in kept in a private file")
    if status.problem:
        parts.append(f"problem: {status.problem}")
    return "; ".join(parts)


def run_connect(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        service = ConnectionService(ctx)
        if args.provider == "xero":
            status = service.connect_xero(_opener(args.no_browser), timeout=args.timeout, client_id=args.client_id,
                                          choose_org=_chooser(args.org))
        else:
            status = service.connect_zoho(_opener(args.no_browser), timeout=args.timeout, client_id=args.client_id,
                                          client_secret=args.client_secret, dc=args.dc)
        print(json.dumps(status.as_dict()) if args.json else _describe(status), flush=True)
    return 0


def _describe_storage(report: dict) -> str:
    """Which keyring backend keeps the sign-ins, or the private file and why (with the backends keyring found,
    so a build that lost them shows it)."""
    if "backend" in report:
        return f"Sign-ins kept in: {report['where']} (keyring backend {report['backend']})"
    if "file" not in report:
        return f"Sign-ins kept in: {report['where']}"
    found = ", ".join(report["keyring_plugins"]) or "none (this build is missing keyring's list of backends)"
    why = report["fallback_reason"] or "no system keyring is available"
    return (f"Sign-ins kept in: a private file on this PC ({report['file']}) because {why}. "
            f"Keyring backends found: {found}")


def run_status(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        service = ConnectionService(ctx)
        statuses = [service.status_of(p, live=not args.offline) for p in ("xero", "zoho")]
        storage = store_report(ctx.secrets)
    if args.json:
        print(json.dumps({**{s.provider: s.as_dict() for s in statuses}, "secret_store": storage}))
    else:
        for s in statuses:
            print(_describe(s))
        print(_describe_storage(storage))
    return 0 if all(s.connected for s in statuses) else 1


def run_disconnect(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        ConnectionService(ctx).disconnect(args.provider)
    label = "Xero" if args.provider == "xero" else "Zoho CRM"
    print(json.dumps({"disconnected": args.provider}) if getattr(args, "json", False) else f"{label} disconnected.")
    return 0
