"""One writing operation at a time per data folder, across threads and processes.

A sync, a retry, an undo, a match or conflict decision, a mapping save and a reconnect all take the run lock: an OS
file lock on ``run.lock`` in the data folder (``fcntl.flock`` on Linux and macOS, ``msvcrt.locking`` on Windows).
The OS drops the lock when its process dies, so a lock left by a killed process is simply free again; the file
only says who holds it, for the sentence a second run shows.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from app.errors import Busy

LOCK_NAME = "run.lock"
_in_process = threading.Lock()  # flock is per open file; this also keeps two threads of one process apart
_held = threading.local()  # a thread that holds the lock may take it again (a retry inside a sync, say)


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


def holder(data_dir: Path) -> dict[str, object]:
    """Who holds (or last held) the lock: ``{"pid", "by", "what", "started"}``, or {} when unknown."""
    try:
        text = (data_dir / LOCK_NAME).read_text(encoding="utf-8")
        # on Windows the first byte is the locked one; the note follows it
        return json.loads(text.lstrip(" "))
    except (OSError, ValueError):
        return {}


def busy_message(info: dict[str, object]) -> str:
    what = str(info.get("what") or "sync")
    by = {"app": "the desktop app", "cli": "a command"}.get(str(info.get("by")), "another Ledgerbridge")
    started = info.get("started")
    when = ""
    if isinstance(started, int | float):
        when = f"started {datetime.fromtimestamp(started).strftime('%H:%M')} "
    noun = "A sync is" if what == "sync" else f"Another change ({what}) is"
    return f"{noun} already running ({when}by {by}). Try again when it finishes."


@contextlib.contextmanager
def run_lock(data_dir: Path, what: str = "sync", *, by: str = "cli", wait: float = 0.0) -> Iterator[None]:
    """Hold the data folder's run lock for the block, or raise :class:`Busy` with a sentence saying who holds it.

    ``wait``: seconds to keep trying before giving up (0 = refuse at once)."""
    if getattr(_held, "depth", 0):
        _held.depth += 1
        try:
            yield
        finally:
            _held.depth -= 1
        return
    deadline = time.monotonic() + wait
    while not _in_process.acquire(blocking=False):
        if time.monotonic() >= deadline:
            raise Busy(busy_message(holder(data_dir)))
        time.sleep(0.05)
    try:
        path = data_dir / LOCK_NAME
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    raise Busy(busy_message(holder(data_dir)))
                time.sleep(0.05)
            note = json.dumps({"pid": os.getpid(), "by": by, "what": what, "started": time.time()})
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, (" " + note).encode())
            _held.depth = 1
            try:
                yield
            finally:
                _held.depth = 0
                _unlock(fd)
        finally:
            os.close(fd)
    finally:
        _in_process.release()
