"""Builds the AppContext for a headless command or the desktop app from the global options (``--data-dir``, ``--endpoints``,
``--demo``). In demo mode the sandbox runs in this process for the length of the command, its state kept in the
data folder so consecutive commands see the same Xero and Zoho."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator

from app.integrations.endpoints import Endpoints, endpoints_from_json, load_endpoints
from app.logging_setup import setup_logging
from app.paths import AppPaths, resolve_paths
from app.services.context import AppContext


def demo_paths(args: argparse.Namespace) -> AppPaths:
    """Demo mode keeps its own folder (``demo/`` inside the data folder) so it never mixes with real data."""
    base = resolve_paths(args.data_dir)
    return AppPaths(base.data_dir / "demo", base.log_dir / "demo").ensure()


@contextlib.contextmanager
def open_context(args: argparse.Namespace, *, check_profile: bool = True) -> Iterator[AppContext]:
    """``check_profile``: refuse a ``--profile`` that was never added (off for the ``profiles`` command itself)."""
    paths = demo_paths(args) if getattr(args, "demo", False) else resolve_paths(args.data_dir).ensure()
    setup_logging(paths.log_dir, console=getattr(args, "verbose", False))
    sandbox = None
    if getattr(args, "demo", False):
        from app.emulators.sandbox import Sandbox

        sandbox = Sandbox(seed="demo", state_file=paths.sandbox_state)
        endpoints: Endpoints = endpoints_from_json(sandbox.serve())
    else:
        endpoints = load_endpoints(getattr(args, "endpoints", None))
    ctx = AppContext.open(paths, endpoints)
    if sandbox is not None:
        ctx.profile_name = "demo"  # never shares keyring entries or state with a real profile
    try:
        if sandbox is None and check_profile:
            from app.services.profiles import resolve

            ctx.profile_name = resolve(getattr(args, "profile", None) or "default")
        if sandbox is not None:
            from app.services.connections import ConnectionService
            from app.services.demo import ensure_demo_connections

            ensure_demo_connections(ConnectionService(ctx))
        yield ctx
    finally:
        ctx.close()
        if sandbox is not None:
            sandbox.close()
