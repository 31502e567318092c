"""``main.py sandbox``: serve both emulators and print one JSON line with their endpoints when ready."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from app.emulators.sandbox import Sandbox


def run_sandbox(args: argparse.Namespace) -> int:
    if args.seed not in ("demo", "empty") and not args.seed.startswith("large:"):
        print(f"Unknown seed {args.seed!r}: use demo, empty or large:N", file=sys.stderr)
        return 2
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        sandbox = Sandbox(seed=args.seed, limits=args.limits, redirect_uris=args.redirect_uri, state_file=args.state)
        endpoints = sandbox.serve(args.host, args.xero_port, args.zoho_port)
    except OSError as exc:
        print(f"Could not start the sandbox: {exc}. Pick other ports with --xero-port/--zoho-port.", file=sys.stderr)
        return 1
    print(json.dumps(endpoints), flush=True)
    try:
        stop.wait()
    finally:
        sandbox.close()
        if args.state:
            print(f"Sandbox state saved to {args.state}", file=sys.stderr)
    return 0
