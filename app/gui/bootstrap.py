"""Start the desktop app: folders, logging, the crash hook, then the window.

The full app arrives with the GUI issue; until then this opens a small window that says what is running.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from app.logging_setup import setup_logging
from app.paths import resolve_paths

log = logging.getLogger(__name__)


def _has_display() -> bool:
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_gui(args: argparse.Namespace) -> int:
    if not _has_display():
        if args.demo:
            return _terminal_demo(args)
        print(
            "Ledgerbridge needs a desktop session to open its window (no DISPLAY is set).\n"
            "Run it from your desktop, or use the headless commands: `uv run main.py --help`.",
            file=sys.stderr,
        )
        return 2
    from app.services.runtime import demo_paths

    paths = demo_paths(args) if args.demo else resolve_paths(args.data_dir).ensure()
    setup_logging(paths.log_dir, console=args.verbose)
    from PySide6.QtWidgets import QApplication

    from app.gui.placeholder import PlaceholderWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Ledgerbridge")
    sandbox = None
    if args.demo:
        from app.emulators.sandbox import Sandbox

        sandbox = Sandbox(seed="demo", state_file=paths.sandbox_state)
        endpoints = sandbox.serve()
        log.info("demo sandbox serving: xero %s, zoho %s", endpoints["xero"]["api_base"], endpoints["zoho"]["api_domain"])
    window = PlaceholderWindow(demo_endpoints=sandbox.endpoints() if sandbox else None)
    app.aboutToQuit.connect(lambda: log.info("window closed"))
    window.show()
    try:
        return app.exec()
    finally:
        if sandbox:
            sandbox.close()


def _terminal_demo(args: argparse.Namespace) -> int:
    """No desktop session: show the demo in the terminal instead (sign in to the sandbox, sync, report)."""
    from app.services.runtime import open_context
    from app.services.sync import SyncService

    print("No desktop session was found, so here is the demo in the terminal.\n"
          "Signing in to the built-in Xero and Zoho CRM sandbox and running a sync…", flush=True)
    with open_context(args) as ctx:
        report = SyncService(ctx).sync(trigger="demo")
        print(f"Sync run {report.run_id}: {report.message}")
        print(f"\nDemo data and logs are in {ctx.paths.data_dir}. Try `uv run main.py --demo sync --dry-run`, "
              "`--demo matches`, `--demo history` or `uv run main.py --help`.")
    return 0
