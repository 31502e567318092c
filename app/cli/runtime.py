"""Builds the AppContext for a headless command from the global options (``--data-dir``, ``--endpoints``,
``--demo``). In demo mode the sandbox runs in this process for the length of the command, its state kept in the
data folder so consecutive commands see the same Xero and Zoho."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator

from app.integrations.endpoints import Endpoints, endpoints_from_json, load_endpoints
from app.logging_setup import setup_logging
from app.paths import resolve_paths
from app.services.context import AppContext


@contextlib.contextmanager
def open_context(args: argparse.Namespace) -> Iterator[AppContext]:
    paths = resolve_paths(args.data_dir).ensure()
    setup_logging(paths.log_dir, console=getattr(args, "verbose", False))
    sandbox = None
    if getattr(args, "demo", False):
        from app.emulators.sandbox import Sandbox

        sandbox = Sandbox(seed="demo", state_file=paths.sandbox_state)
        endpoints: Endpoints = endpoints_from_json(sandbox.serve())
    else:
        endpoints = load_endpoints(getattr(args, "endpoints", None))
    ctx = AppContext.open(paths, endpoints)
    try:
        yield ctx
    finally:
        ctx.close()
        if sandbox is not None:
            sandbox.close()
