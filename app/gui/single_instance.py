"""One running app per data folder: a second launch asks the first to come forward, then exits. The window shows
every profile of its folder (the header's picker), so a launch for another profile of the same folder also brings
the running window forward.

The first instance holds a lock file in the data folder for as long as it runs (``QLockFile``: a lock left by a
crashed process is recognised by its dead process id and taken over) and listens on a local socket (a named pipe
on Windows) whose name is derived from the data folder. A later launch finds the lock taken, connects,
sends ``show`` and waits for ``ok``. Because only the lock holder ever listens, a server name left behind by a crash
is simply removed before listening.

Use (after the QApplication exists, before building the window)::

    instance = SingleInstance(paths.data_dir)
    outcome = instance.claim()
    if outcome is not Claim.FIRST:
        return 0  # the running window was asked to come forward (or see Claim.NOT_ANSWERING)
    instance.show_requested.connect(lambda: bring_to_front(window))
"""

from __future__ import annotations

import enum
import getpass
import hashlib
import sys
import time
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

SHOW = b"show\n"
OK = b"ok\n"


class Claim(enum.Enum):
    FIRST = "first"  # this process is the instance for the folder; it now listens for later launches
    SHOWN_OTHER = "shown-other"  # another instance runs and was asked to come forward: exit quietly
    NOT_ANSWERING = "not-answering"  # another instance holds the folder but did not answer (busy or hung)


def server_name(data_dir: Path) -> str:
    """A short, per-user name for the data folder (a Unix socket path must stay under 108 bytes)."""
    key = f"{getpass.getuser()}\0{Path(data_dir).expanduser().resolve()}"
    return "ledgerbridge-" + hashlib.sha256(key.encode()).hexdigest()[:20]


class SingleInstance(QObject):
    """Signals: show_requested() when a later launch asked this (first) instance to come forward."""

    show_requested = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(data_dir)
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        self._lock = QLockFile(str(Path(data_dir) / "app.lock"))
        self._lock.setStaleLockTime(0)  # stale only when its process is gone, however long the app has run
        self._server: QLocalServer | None = None

    def claim(self, answer_timeout_ms: int = 5000) -> Claim:
        """Become the instance for this folder, or ask the one running to come forward."""
        if self._lock.tryLock(0):
            QLocalServer.removeServer(self.name)  # left over by a crash: only the lock holder listens
            server = QLocalServer(self)
            server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
            if not server.listen(self.name):
                self._lock.unlock()
                raise OSError(f"Cannot listen for other launches on {self.name}: {server.errorString()}")
            server.newConnection.connect(self._accept)
            self._server = server
            return Claim.FIRST
        return self._ask_to_show(answer_timeout_ms)

    def release(self) -> None:
        """Stop listening and give up the folder (at quit; the next launch becomes the first)."""
        if self._server is not None:
            self._server.close()
            self._server = None
            self._lock.unlock()

    # ----- the first instance -------------------------------------------------------------------------------------
    @Slot()
    def _accept(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.setParent(self)
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            return
        if bytes(socket.readLine().data()) == SHOW:
            socket.write(OK)
            socket.flush()
            self.show_requested.emit()
        socket.disconnectFromServer()

    # ----- a later launch -----------------------------------------------------------------------------------------
    def _ask_to_show(self, timeout_ms: int) -> Claim:
        _allow_others_to_take_focus()
        deadline = time.monotonic() + timeout_ms / 1000
        socket = QLocalSocket()
        while True:  # the first instance may still be starting: it holds the lock before it listens
            socket.connectToServer(self.name)
            if socket.waitForConnected(_left_ms(deadline)):
                break
            if time.monotonic() >= deadline:
                return Claim.NOT_ANSWERING
            time.sleep(0.1)
        socket.write(SHOW)
        answered = socket.waitForBytesWritten(_left_ms(deadline)) and socket.waitForReadyRead(_left_ms(deadline))
        reply = bytes(socket.readLine().data()) if answered else b""
        socket.abort()
        return Claim.SHOWN_OTHER if reply == OK else Claim.NOT_ANSWERING


def _left_ms(deadline: float) -> int:
    return max(1, int((deadline - time.monotonic()) * 1000))


def _allow_others_to_take_focus() -> None:
    """Windows lets only the process the user just started take the foreground: hand that right on, so the first
    instance's window can really come to the front (elsewhere raising the window is enough)."""
    if sys.platform == "win32":
        import ctypes

        ctypes.windll.user32.AllowSetForegroundWindow(-1)  # ASFW_ANY


def bring_to_front(window: QWidget) -> None:
    """Show ``window`` restored (not minimised), raised and active."""
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()
