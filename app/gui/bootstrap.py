"""Start the desktop app: check the desktop can show a window, open the data (and in demo mode the sandbox, for the
app's whole lifetime), install the crash hook, build a controller for every profile of the data folder (each runs its
own schedule while the app runs) and the window, run.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import tempfile
from collections.abc import Iterator

from app.gui.linux_libs import missing_xcb_packages

log = logging.getLogger(__name__)


def _has_display() -> bool:
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _uses_xcb() -> bool:
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.startswith("xcb")
    return bool(os.environ.get("DISPLAY")) and not os.environ.get("WAYLAND_DISPLAY")


def run_gui(args: argparse.Namespace) -> int:
    self_test = getattr(args, "self_test", False)
    if self_test:
        args.demo = True  # the self-test always runs against the sandbox, never a real account
        if not _has_display():
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if not _has_display():
        if args.demo:
            return _terminal_demo(args)
        print(
            "Ledgerbridge needs a desktop session to open its window (no DISPLAY is set).\n"
            "Run it from your desktop, or use the headless commands: `uv run main.py --help`.",
            file=sys.stderr,
        )
        return 2
    if sys.platform == "linux" and _uses_xcb():
        missing = missing_xcb_packages()
        if missing:
            print(f"Ledgerbridge's window needs a few desktop libraries this computer lacks; install them with "
                  f"`sudo apt install {' '.join(missing)}` and start it again.", file=sys.stderr)
            return 2
    with _data_dir_for(args):
        return _run_window(args, self_test)


@contextlib.contextmanager
def _data_dir_for(args: argparse.Namespace) -> Iterator[None]:
    """The self-test works in a fresh temporary folder unless ``--data-dir`` says otherwise."""
    if getattr(args, "self_test", False) and not args.data_dir and not os.environ.get("LEDGERBRIDGE_DATA_DIR"):
        with tempfile.TemporaryDirectory(prefix="ledgerbridge-self-test-") as folder:
            args.data_dir = folder
            yield
    else:
        yield


def _run_window(args: argparse.Namespace, self_test: bool) -> int:
    from PySide6.QtWidgets import QApplication

    from app.gui.single_instance import Claim, SingleInstance
    from app.gui.tray import icon
    from app.paths import resolve_paths
    from app.services.runtime import demo_paths

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Ledgerbridge")
    app.setApplicationDisplayName("Ledgerbridge")
    app.setDesktopFileName("ledgerbridge")
    app.setWindowIcon(icon("app"))
    app.setQuitOnLastWindowClosed(False)  # closing the window may leave the app in the tray; Quit ends it
    paths = demo_paths(args) if args.demo else resolve_paths(args.data_dir).ensure()
    instance = SingleInstance(paths.data_dir)  # one app per data folder: its window shows every profile
    claim = instance.claim()
    if claim is Claim.SHOWN_OTHER:
        print("Ledgerbridge is already open; its window has come to the front.")
        return 0
    if claim is Claim.NOT_ANSWERING:
        print("Ledgerbridge is already running for this data folder but is not answering. Close it (or end it in "
              "the task manager), then start it again.", file=sys.stderr)
        return 1
    try:
        return _open_window(app, args, self_test, instance)
    finally:
        instance.release()


def _session(ctx):  # noqa: ANN001, ANN202 - AppContext -> ProfileSession (imports stay lazy: a quicker start)
    """One profile's services for the window: its read API and its own controller (schedule and worker)."""
    from app.gui.controller import SyncController
    from app.gui.profile_switcher import ProfileSession
    from app.services.connections import ConnectionService
    from app.services.views import Views

    ctx.profile  # noqa: B018 - the profile row exists before the window reads it
    return ProfileSession(ctx.profile_name, Views.of(ctx), SyncController(ctx), lambda: ConnectionService(ctx), ctx)


def _open_window(app, args: argparse.Namespace, self_test: bool, instance) -> int:  # noqa: ANN001 - Qt objects
    from PySide6.QtCore import QTimer

    from app.gui.errors import CrashHandler
    from app.gui.profile_switcher import profile_context
    from app.gui.window import MainWindow
    from app.services.profiles import list_profiles
    from app.services.runtime import open_context

    with open_context(args) as ctx:
        ctx.actor = "app"  # named in the sentence a command's run gets while the app syncs
        crash = CrashHandler(ctx.paths.log_dir, show_dialog=not self_test)
        crash.install()
        first = _session(ctx)
        sessions = [first]
        if not args.demo:  # the demo has its one profile; a real data folder may have several
            sessions += [_session(profile_context(ctx, p.name)) for p in list_profiles() if p.name != ctx.profile_name]

        def open_profile(name: str):  # noqa: ANN202 - a profile just added from the window
            sessions.append(_session(profile_context(ctx, name)))
            return sessions[-1]

        controller = first.controller
        window = MainWindow(views=first.views, controller=controller, log_dir=ctx.paths.log_dir,
                            settings_file=ctx.paths.data_dir / "window.ini", clock=ctx.clock,
                            make_connections=first.make_connections, use_tray=not self_test, others=sessions[1:],
                            open_profile=None if args.demo else open_profile)
        if getattr(args, "profile", "default") != "default":  # asked for by name: shown first, not the last one shown
            window.show_profile(ctx.profile_name)
        window.quit_finished.connect(app.quit)
        instance.show_requested.connect(window.bring_to_front)  # a second launch asked this window forward
        for stop_signal in (signal.SIGINT, signal.SIGTERM):  # Ctrl-C or a log-off: quit cleanly, state saved
            signal.signal(stop_signal, lambda *_: window.request_quit())
        wake_python = QTimer()  # lets Python see Ctrl-C while Qt's event loop runs
        wake_python.start(500)
        wake_python.timeout.connect(lambda: None)
        window.show()
        window.activateWindow()  # keyboard focus at once, also where no window manager gives it
        log.info("window open (data in %s)", ctx.paths.data_dir)
        try:
            if self_test:
                from app.gui.selftest import run_self_test

                return run_self_test(app, window, controller, crash)
            return app.exec()
        finally:
            for session in sessions:
                _stop(session.controller)
            for session in sessions[1:]:
                session.ctx.close()  # the first profile's context closes with open_context
            crash.uninstall()


def _stop(controller) -> None:  # noqa: ANN001 - SyncController
    """Make sure the worker thread has ended before the database and the sandbox close."""
    from PySide6.QtCore import QEventLoop

    if controller.has_stopped:
        return
    loop = QEventLoop()
    controller.stopped.connect(loop.quit)
    controller.stop()
    if not controller.has_stopped:
        loop.exec()


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

