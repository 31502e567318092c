"""``main.py sandbox``: serve both emulators, print one JSON line with their endpoints when ready, serve until
interrupted (Ctrl-C, SIGINT or SIGTERM), then save the state to ``--state``.

Exit codes: 0 after an interrupt, 1 when the sandbox cannot start or save (port in use, unreadable state file),
2 for an unknown seed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
from collections.abc import Callable, Iterator

from app.emulators.sandbox import Sandbox, SandboxStateError, check_seed

_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def _stop_signals() -> Iterator[Callable[[], object]]:
    """Yields a function that blocks until SIGINT or SIGTERM. Enter it before the server threads start."""
    if hasattr(signal, "pthread_sigmask"):
        # POSIX: a signal may land on any thread, and a Python handler would then not wake a main thread blocked in
        # Event.wait(). So block both signals here (the server threads inherit the mask) and take them with sigwait.
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            yield lambda: signal.sigwait(_STOP_SIGNALS)
        finally:
            while signal.sigpending() & _STOP_SIGNALS:  # a second Ctrl-C while saving must not raise afterwards
                signal.sigwait(_STOP_SIGNALS)
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    else:  # Windows: the handler runs in the main thread, between the timed waits
        stop = threading.Event()
        previous_handlers = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in _STOP_SIGNALS}

        def wait() -> None:
            while not stop.wait(0.5):
                pass

        try:
            yield wait
        finally:
            for sig, handler in previous_handlers.items():
                signal.signal(sig, handler)


def _close(sandbox: Sandbox) -> OSError | None:
    """Stop serving and save the state; the error if the state could not be written."""
    try:
        sandbox.close()
    except OSError as exc:
        return exc
    return None


def run_sandbox(args: argparse.Namespace) -> int:
    try:
        check_seed(args.seed)
    except ValueError as exc:
        print(f"main.py sandbox: {exc}", file=sys.stderr)
        return 2
    with _stop_signals() as wait_for_stop:
        try:
            sandbox = Sandbox(seed=args.seed, limits=args.limits, redirect_uris=args.redirect_uri,
                              state_file=args.state)
        except (SandboxStateError, OSError) as exc:
            print(f"Could not load the sandbox state: {exc}. Pick another --state file.", file=sys.stderr)
            return 1
        try:
            endpoints = sandbox.serve(args.host, args.xero_port, args.zoho_port)
        except OSError as exc:
            print(f"Could not start the sandbox on {args.host} (Xero port {args.xero_port}, Zoho port "
                  f"{args.zoho_port}): {exc.strerror or exc}. Pick other ports with --xero-port/--zoho-port "
                  "(0 picks free ones).", file=sys.stderr)
            return 1
        print(json.dumps(endpoints), flush=True)
        try:
            wait_for_stop()
        finally:
            save_error = _close(sandbox)
    if save_error is not None:
        print(f"Could not save the sandbox state to {args.state}: {save_error}", file=sys.stderr)
        return 1
    if args.state:
        print(f"Sandbox stopped; state saved to {args.state}", file=sys.stderr)
    return 0
