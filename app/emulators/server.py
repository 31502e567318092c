"""Serve an emulator's ``handle(httpx.Request) -> httpx.Response`` on 127.0.0.1 with a small threaded server."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

Handler = Callable[[httpx.Request], httpx.Response]

log = logging.getLogger(__name__)

# Hop-by-hop headers the server writes itself.
_SKIP_RESPONSE_HEADERS = {"content-length", "transfer-encoding", "connection", "content-encoding"}


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: without this each reply waits ~40 ms
    server: _Server

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        host = self.headers.get("Host") or f"{self.server.server_address[0]}:{self.server.server_address[1]}"
        url = f"http://{host}{self.path}"
        headers = [(k, v) for k, v in self.headers.items() if k.lower() != "host"]
        headers.append(("Host", host))
        request = httpx.Request(self.command, url, headers=headers, content=body)
        try:
            response = self.server.handler(request)
            content = response.content
        except Exception:  # an emulator bug must not kill the server thread
            log.exception("emulator failed on %s %s", self.command, self.path)
            response = httpx.Response(500, text="emulator error")
            content = response.content
        try:
            self.send_response_only(response.status_code)  # the emulator's own Date (its clock may be virtual)
            self.send_header("Server", self.version_string())
            for key, value in response.headers.multi_items():
                if key.lower() not in _SKIP_RESPONSE_HEADERS:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if self.command != "HEAD" and content:
                self.wfile.write(content)
        except (BrokenPipeError, ConnectionResetError):  # the client went away (closed, killed): not our fault
            log.debug("client left before the answer to %s %s", self.command, self.path)
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _dispatch

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s " + format, self.address_string(), *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: Handler) -> None:
        self.handler = handler
        super().__init__(address, _RequestHandler)


class ServedEmulator:
    """A handler served in a background thread until :meth:`close`."""

    def __init__(self, handler: Handler, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _Server((host, port), handler)
        self.host, self.port = self._server.server_address[:2]
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"emulator-{self.port}", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ServedEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
