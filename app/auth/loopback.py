"""One-shot OAuth redirect listener on the loopback interface (RFC 8252 section 7.3).

Security properties, and why:

* Binds a 127.0.0.0/8 address only, never ``0.0.0.0``: nothing off this machine can reach it.
* The port is fixed by configuration because Xero and Zoho match the redirect URI exactly. Another local program
  could grab that port first and receive the code; PKCE makes such a stolen code useless without the verifier.
  On Windows, ``SO_EXCLUSIVEADDRUSE`` stops a second socket from binding the port while we listen.
* ``state`` is compared in constant time. A callback with a missing/wrong state is *rejected but not fatal*: the
  browser gets a failure page, the callback is never handed to anyone, and we keep waiting for the genuine one.
  Failing instead would let any web page abort a sign-in by navigating to our port (the forged request can't
  succeed either way: the state is 256 random bits). After ``MAX_REJECTED`` rejections we give up anyway.
* The ``Host`` header must name the loopback address or ``localhost`` (stops DNS-rebinding pages from talking to us).
* Exactly one callback (success or ``error=``) is accepted; afterwards every request gets 410 until closed.
* The query string (code, state) is never logged: ``BaseHTTPRequestHandler.log_message`` is silenced.
"""

from __future__ import annotations

import errno
import hmac
import ipaddress
import logging
import os
import socket
import socketserver
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import MappingProxyType, TracebackType
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from app.auth import _pages
from app.auth.errors import (
    AuthCancelled,
    AuthError,
    AuthorizationDenied,
    AuthTimeout,
    InvalidCallbackError,
    LoopbackError,
    PortInUseError,
    StateMismatchError,
)

log = logging.getLogger(__name__)

RedirectHost = Literal["localhost", "127.0.0.1"]

#: Give up after this many callbacks with a wrong state (someone is clearly poking at the port).
MAX_REJECTED = 10
#: How often a waiting caller re-checks its cancel Event, in seconds.
_CANCEL_POLL = 0.05
_MAX_QUERY_FIELDS = 50
_WSAEACCES = 10013


@dataclass(frozen=True, repr=False)
class CallbackResult:
    """The accepted redirect: the authorization ``code`` plus every other query parameter except ``state``.

    ``params`` holds e.g. Xero's ``scope``/``session_state`` or Zoho's ``location`` and ``accounts-server``.
    ``repr`` never shows the code.
    """

    code: str
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.params.get(name, default)

    def __repr__(self) -> str:
        return f"CallbackResult(code=<redacted>, params={sorted(self.params)})"


@dataclass(frozen=True)
class _Reply:
    status: int
    body: bytes


class LoopbackListener:
    """Listens on ``http://127.0.0.1:{port}{path}`` for a single OAuth redirect.

    Use as a context manager (``start`` on enter, ``close`` on exit). ``port=0`` picks a free port (tests, demo
    mode); real providers need the registered port. ``redirect_host`` only changes the host written into
    :attr:`redirect_uri` (Xero may insist on ``localhost``); the socket is bound to ``host`` either way.
    """

    def __init__(
        self,
        port: int,
        path: str = "/callback",
        host: str = "127.0.0.1",
        redirect_host: RedirectHost = "127.0.0.1",
    ) -> None:
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be 0-65535, got {port}")
        if not path.startswith("/") or "?" in path or "#" in path:
            raise ValueError("path must start with '/' and contain no query or fragment")
        try:
            address = ipaddress.ip_address(host)
        except ValueError as exc:
            raise ValueError(f"host must be an IPv4 loopback address, got {host!r}") from exc
        if address.version != 4 or not address.is_loopback:
            raise ValueError(f"host must be an IPv4 loopback address, got {host!r}")
        if redirect_host not in ("localhost", "127.0.0.1"):
            raise ValueError("redirect_host must be 'localhost' or '127.0.0.1'")
        self._requested_port = port
        self._path = path
        self._host = host
        self._redirect_host = redirect_host
        self._cond = threading.Condition()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._expected_state: str | None = None
        self._outcome: CallbackResult | AuthError | None = None
        self._ended = False  # the wait is over (result, error, timeout or cancel): later callbacks get 410
        self._closed = False
        self._waited = False
        self._rejected = 0

    # -- lifecycle -------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Bind and start serving in a daemon thread. Raises :class:`PortInUseError` if the port is taken."""
        with self._cond:
            if self._closed:
                raise RuntimeError("LoopbackListener cannot be restarted after close()")
            if self._server is not None:
                return
            try:
                server = _Server((self._host, self._requested_port), self)
            except OSError as exc:
                raise _bind_error(exc, self._requested_port) from exc
            self._server = server
            self._thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},  # so close() returns promptly
                name=f"oauth-loopback-{self.port}",
                daemon=True,
            )
            self._thread.start()
        log.debug("OAuth loopback listener started on %s:%d", self._host, self.port)

    def close(self) -> None:
        """Stop serving and release the port. Idempotent; any waiting callback request gets a 503 page."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._ended = True
            self._cond.notify_all()
            server, thread = self._server, self._thread
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        log.debug("OAuth loopback listener closed")

    def __enter__(self) -> LoopbackListener:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- properties ------------------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port (differs from the requested one only when it was 0)."""
        if self._server is None:
            if self._requested_port == 0:
                raise RuntimeError("port 0 is resolved only after start()")
            return self._requested_port
        return int(self._server.server_address[1])

    @property
    def path(self) -> str:
        return self._path

    @property
    def bound_address(self) -> tuple[str, int]:
        """The socket's actual local address (for diagnostics and tests)."""
        if self._server is None:
            raise RuntimeError("listener is not started")
        host, port = self._server.socket.getsockname()[:2]
        return str(host), int(port)

    @property
    def redirect_uri(self) -> str:
        return f"http://{self._redirect_host}:{self.port}{self._path}"

    @property
    def is_running(self) -> bool:
        return self._server is not None and not self._closed

    # -- waiting ---------------------------------------------------------------------------------------------

    def arm(self, expected_state: str) -> None:
        """Tell the listener which ``state`` to accept. Callbacks that arrive earlier are held until armed.

        ``run_loopback_login`` arms before opening the browser; :meth:`wait_for_callback` arms too.
        """
        if not expected_state:
            raise ValueError("expected_state must be a non-empty string")
        with self._cond:
            if self._expected_state is not None and self._expected_state != expected_state:
                raise RuntimeError("listener is already armed with a different state")
            self._expected_state = expected_state
            self._cond.notify_all()

    def wait_for_callback(
        self, expected_state: str, timeout: float, cancel: threading.Event | None = None
    ) -> CallbackResult:
        """Block until one valid callback arrives and return it.

        Raises :class:`AuthorizationDenied` (``error=`` in the redirect), :class:`AuthTimeout`,
        :class:`AuthCancelled` (``cancel`` was set; noticed within ~50 ms), :class:`StateMismatchError` (too many
        forged callbacks), :class:`InvalidCallbackError` (no code) or :class:`LoopbackError` (closed meanwhile).
        Callable once per listener.
        """
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        if self._server is None:
            raise RuntimeError("start the listener (use it as a context manager) before waiting")
        self.arm(expected_state)
        deadline = time.monotonic() + timeout
        log.info("Waiting for the sign-in callback on %s", self.redirect_uri)
        with self._cond:
            if self._waited:
                raise RuntimeError("a LoopbackListener accepts one sign-in; create a new one to retry")
            self._waited = True
            try:
                while self._outcome is None:
                    if self._closed:
                        raise LoopbackError("Ledgerbridge stopped listening for the sign-in.")
                    if cancel is not None and cancel.is_set():
                        log.info("Sign-in cancelled while waiting for the callback")
                        raise AuthCancelled()
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        log.info("Sign-in timed out after %gs", timeout)
                        raise AuthTimeout(timeout)
                    self._cond.wait(min(remaining, _CANCEL_POLL) if cancel is not None else remaining)
            finally:
                self._ended = True
                self._cond.notify_all()
            outcome = self._outcome
        if isinstance(outcome, AuthError):
            raise outcome
        return outcome

    # -- request handling (runs on server threads) -----------------------------------------------------------

    def _allowed_hosts(self) -> frozenset[str]:
        port = self.port
        return frozenset({f"{self._host}:{port}", f"127.0.0.1:{port}", f"localhost:{port}"})

    def _on_callback(self, query: str) -> _Reply:
        try:
            parsed = parse_qs(query, keep_blank_values=True, max_num_fields=_MAX_QUERY_FIELDS)
        except ValueError:
            parsed = {"": ["", ""]}  # too many fields: treated as malformed below
        with self._cond:
            while self._expected_state is None and not self._ended:
                self._cond.wait()
            if self._closed:
                return _Reply(503, _pages.CLOSED)
            if self._ended or self._outcome is not None or self._expected_state is None:
                log.warning("Ignored a sign-in callback that arrived after the sign-in had finished")
                return _Reply(410, _pages.ALREADY_USED)

            single = {k: v[0] for k, v in parsed.items() if len(v) == 1}
            state = single.get("state", "") if len(single) == len(parsed) else ""
            if not hmac.compare_digest(state.encode(), self._expected_state.encode()):
                self._rejected += 1
                log.warning(
                    "Rejected a sign-in callback with a missing or wrong state (%d of at most %d)",
                    self._rejected,
                    MAX_REJECTED,
                )
                if self._rejected >= MAX_REJECTED:
                    self._finish(StateMismatchError())
                return _Reply(400, _pages.STATE_MISMATCH)

            if "error" in single:
                denied = AuthorizationDenied(single["error"], single.get("error_description"))
                log.info("The sign-in page returned error %r", denied.error)
                self._finish(denied)
                return _Reply(200, _pages.DENIED)
            code = single.get("code", "")
            if not code:
                log.warning("Sign-in callback had a valid state but no code")
                self._finish(InvalidCallbackError())
                return _Reply(400, _pages.INVALID)
            extra = {k: v for k, v in single.items() if k not in ("code", "state")}
            self._finish(CallbackResult(code=code, params=MappingProxyType(extra)))
            log.info("Sign-in callback received (parameters: %s)", ", ".join(sorted(extra)) or "none")
            return _Reply(200, _pages.SUCCESS)

    def _finish(self, outcome: CallbackResult | AuthError) -> None:
        self._outcome = outcome
        self._cond.notify_all()


def _bind_error(exc: OSError, port: int) -> LoopbackError:
    technical = f"bind 127.0.0.1:{port}: {type(exc).__name__} errno={exc.errno} {exc.strerror or ''}".strip()
    if exc.errno == errno.EADDRINUSE or getattr(exc, "winerror", None) == _WSAEACCES:
        # WSAEACCES on Windows: another socket holds the port exclusively, or it's in a reserved range.
        return PortInUseError(port, technical=technical)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return LoopbackError(
            f"This computer doesn't let Ledgerbridge listen on port {port}. Choose a port above 1024 in Settings "
            "and add the matching redirect URI to the app registration.",
            title="Sign-in port not allowed",
            technical=technical,
        )
    return LoopbackError(f"Ledgerbridge couldn't listen on 127.0.0.1 port {port}.", technical=technical)


class _Server(ThreadingHTTPServer):
    # Threaded so a browser's speculative pre-connection can't block the real callback.
    daemon_threads = True
    # On Windows SO_REUSEADDR would let a second socket bind the same port; there we use SO_EXCLUSIVEADDRUSE.
    allow_reuse_address = os.name != "nt"

    def __init__(self, address: tuple[str, int], listener: LoopbackListener) -> None:
        self.listener = listener
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        exclusive = getattr(socket, "SO_EXCLUSIVEADDRUSE", None)
        if os.name == "nt" and exclusive is not None:
            self.socket.setsockopt(socket.SOL_SOCKET, exclusive, 1)
        # Skip HTTPServer.server_bind: its socket.getfqdn() can stall on a reverse DNS lookup.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "Ledgerbridge"
    sys_version = ""
    timeout = 10  # idle connections (browser pre-connects) don't hold a thread forever

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        listener = self.server.listener
        split = urlsplit(self.path)
        log.debug("Loopback request: GET %s", split.path)  # path only: the query holds code and state
        if self.headers.get("Host", "").lower() not in listener._allowed_hosts():
            self._reply(_Reply(400, _pages.BAD_REQUEST))
        elif split.path != listener.path:
            self._reply(_Reply(404, _pages.NOT_FOUND))
        else:
            self._reply(listener._on_callback(split.query))

    def _reply(self, reply: _Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        """Silenced: the stdlib logs the full request line, which contains the code and state."""
