"""The loopback listener, driven over real sockets with the test acting as the browser."""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading

import httpx
import pytest

from app.auth.errors import (
    AuthCancelled,
    AuthorizationDenied,
    AuthTimeout,
    InvalidCallbackError,
    PortInUseError,
    StateMismatchError,
)
from app.auth.loopback import MAX_REJECTED, CallbackResult, LoopbackListener
from app.auth.pkce import new_state
from tests.auth.conftest import browser_get

CLOSE_HINT = "You can close this tab and return to Ledgerbridge"
CODE = "secret-auth-code-4f1c2e"


class WaitThread(threading.Thread):
    """Runs wait_for_callback in the background and keeps its result or exception."""

    def __init__(
        self, listener: LoopbackListener, state: str, timeout: float, cancel: threading.Event | None = None
    ):
        super().__init__(daemon=True)
        self.listener, self.state, self.timeout, self.cancel = listener, state, timeout, cancel
        self.result: CallbackResult | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.listener.wait_for_callback(
                self.state, timeout=self.timeout, cancel=self.cancel
            )
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            self.error = exc


def test_round_trip_returns_code_and_other_params() -> None:
    state = new_state()
    with LoopbackListener(port=0) as listener:
        waiter = WaitThread(listener, state, timeout=2)
        waiter.start()
        response = browser_get(
            listener.redirect_uri,
            {"code": CODE, "state": state, "location": "eu", "accounts-server": "https://accounts.zoho.eu"},
        )
        waiter.join(2)
    assert response.status_code == 200
    assert CLOSE_HINT in response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert waiter.error is None
    assert waiter.result is not None
    assert waiter.result.code == CODE
    assert dict(waiter.result.params) == {"location": "eu", "accounts-server": "https://accounts.zoho.eu"}
    assert waiter.result.get("location") == "eu"
    assert CODE not in repr(waiter.result)


def test_callback_before_wait_is_held_until_armed() -> None:
    """A fast redirect (e.g. the emulator) may arrive before wait_for_callback; it must not be lost."""
    state = new_state()
    with LoopbackListener(port=0) as listener:
        responses: list[httpx.Response] = []
        browser = threading.Thread(
            target=lambda: responses.append(
                browser_get(listener.redirect_uri, {"code": CODE, "state": state})
            )
        )
        browser.start()
        result = listener.wait_for_callback(state, timeout=2)
        browser.join(2)
    assert result.code == CODE
    assert responses[0].status_code == 200


def test_redirect_uri_and_binding() -> None:
    with LoopbackListener(port=0) as listener:
        assert listener.redirect_uri == f"http://127.0.0.1:{listener.port}/callback"
        assert listener.bound_address == ("127.0.0.1", listener.port)
    with LoopbackListener(port=0, path="/cb", redirect_host="localhost") as listener:
        assert listener.redirect_uri == f"http://localhost:{listener.port}/cb"
        assert listener.bound_address[0] == "127.0.0.1"
        # A browser that resolved localhost to 127.0.0.1 sends Host: localhost:port.
        state = new_state()
        listener.arm(state)
        response = browser_get(
            f"http://127.0.0.1:{listener.port}/cb",
            {"code": CODE, "state": state},
            headers={"Host": f"localhost:{listener.port}"},
        )
        assert response.status_code == 200
        assert listener.wait_for_callback(state, timeout=2).code == CODE


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::1", "localhost"])
def test_refuses_non_loopback_or_non_ipv4_bind_host(host: str) -> None:
    with pytest.raises(ValueError):
        LoopbackListener(port=0, host=host)


def test_wrong_state_is_rejected_and_listener_keeps_waiting() -> None:
    state = new_state()
    with LoopbackListener(port=0) as listener:
        listener.arm(state)
        wrong = browser_get(listener.redirect_uri, {"code": "attacker-code", "state": new_state()})
        missing = browser_get(listener.redirect_uri, {"code": "attacker-code"})
        duplicated = browser_get(f"{listener.redirect_uri}?code=x&state={state}&state={state}")
        good = browser_get(listener.redirect_uri, {"code": CODE, "state": state})
        result = listener.wait_for_callback(state, timeout=2)
    assert [r.status_code for r in (wrong, missing, duplicated)] == [400, 400, 400]
    assert "not recognised" in wrong.text
    assert good.status_code == 200
    assert result.code == CODE


def test_too_many_wrong_states_abort() -> None:
    state = new_state()
    with LoopbackListener(port=0) as listener:
        listener.arm(state)
        for _ in range(MAX_REJECTED):
            assert browser_get(listener.redirect_uri, {"code": "x", "state": "nope"}).status_code == 400
        with pytest.raises(StateMismatchError):
            listener.wait_for_callback(state, timeout=2)
        # The genuine callback now arrives too late and is not handed out.
        assert browser_get(listener.redirect_uri, {"code": CODE, "state": state}).status_code == 410


def test_second_callback_is_refused() -> None:
    state = new_state()
    with LoopbackListener(port=0) as listener:
        listener.arm(state)
        first = browser_get(listener.redirect_uri, {"code": CODE, "state": state})
        second = browser_get(listener.redirect_uri, {"code": "second-code", "state": state})
        result = listener.wait_for_callback(state, timeout=2)
        third = browser_get(listener.redirect_uri, {"code": "third-code", "state": state})
        with pytest.raises(RuntimeError):
            listener.wait_for_callback(state, timeout=2)
    assert first.status_code == 200
    assert second.status_code == 410 and third.status_code == 410
    assert result.code == CODE


def test_access_denied_is_surfaced() -> None:
    state = new_state()
    with LoopbackListener(port=0) as listener:
        listener.arm(state)
        response = browser_get(listener.redirect_uri, {"error": "access_denied", "state": state})
        with pytest.raises(AuthorizationDenied) as info:
            listener.wait_for_callback(state, timeout=2)
    assert response.status_code == 200
    assert CLOSE_HINT in response.text
    assert info.value.error == "access_denied"
    assert "not given access" in info.value.message
    assert info.value.title


def test_other_provider_error_is_sanitised() -> None:
    state = new_state()
    with LoopbackListener(port=0) as listener:
        listener.arm(state)
        browser_get(
            listener.redirect_uri,
            {"error": "invalid_scope<script>", "error_description": "Bad\nscope", "state": state},
        )
        with pytest.raises(AuthorizationDenied) as info:
            listener.wait_for_callback(state, timeout=2)
    assert info.value.error == "invalid_scopescript"
    assert "invalid_scopescript" in info.value.message and "Badscope" in info.value.message


def test_error_with_wrong_state_is_not_surfaced() -> None:
    """Otherwise any web page could abort a sign-in by sending error=access_denied."""
    state = new_state()
    with LoopbackListener(port=0) as listener:
        listener.arm(state)
        assert browser_get(listener.redirect_uri, {"error": "access_denied", "state": "x"}).status_code == 400
        browser_get(listener.redirect_uri, {"code": CODE, "state": state})
        assert listener.wait_for_callback(state, timeout=2).code == CODE


def test_valid_state_without_code_fails() -> None:
    state = new_state()
    with LoopbackListener(port=0) as listener:
        listener.arm(state)
        assert browser_get(listener.redirect_uri, {"state": state}).status_code == 400
        with pytest.raises(InvalidCallbackError):
            listener.wait_for_callback(state, timeout=2)


def test_other_paths_and_foreign_hosts_are_not_callbacks() -> None:
    state = new_state()
    with LoopbackListener(port=0) as listener:
        listener.arm(state)
        base = f"http://127.0.0.1:{listener.port}"
        assert browser_get(f"{base}/favicon.ico").status_code == 404
        assert browser_get(f"{base}/", {"code": CODE, "state": state}).status_code == 404
        assert browser_get(f"{base}/callback/x", {"code": CODE, "state": state}).status_code == 404
        # DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends its own Host header.
        rebound = browser_get(
            listener.redirect_uri,
            {"code": "x", "state": state},
            headers={"Host": f"evil.example:{listener.port}"},
        )
        assert rebound.status_code == 400
        # None of those consumed the one-shot slot.
        browser_get(listener.redirect_uri, {"code": CODE, "state": state})
        assert listener.wait_for_callback(state, timeout=2).code == CODE


def test_timeout_raises_and_late_callback_is_refused() -> None:
    state = new_state()
    with LoopbackListener(port=0) as listener:
        with pytest.raises(AuthTimeout) as info:
            listener.wait_for_callback(state, timeout=0.2)
        assert "0.2 seconds" in info.value.message
        assert browser_get(listener.redirect_uri, {"code": CODE, "state": state}).status_code == 410


def test_cancel_returns_promptly() -> None:
    state = new_state()
    cancel = threading.Event()
    with LoopbackListener(port=0) as listener:
        waiter = WaitThread(listener, state, timeout=30, cancel=cancel)
        waiter.start()
        cancel.set()
        waiter.join(2)
        assert not waiter.is_alive()
        assert isinstance(waiter.error, AuthCancelled)
        assert browser_get(listener.redirect_uri, {"code": CODE, "state": state}).status_code == 410


def test_busy_port_gives_a_clear_error() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with pytest.raises(PortInUseError) as info:
            LoopbackListener(port=port).start()
    assert info.value.port == port
    assert str(port) in info.value.message
    assert "Settings" in info.value.message


def test_second_listener_on_same_port_is_refused_and_close_frees_it() -> None:
    with LoopbackListener(port=0) as first:
        port = first.port
        with pytest.raises(PortInUseError):
            LoopbackListener(port=port).start()
    with LoopbackListener(port=port) as again:  # released on exit
        assert again.port == port


def test_close_stops_the_server_thread_and_refuses_connections() -> None:
    listener = LoopbackListener(port=0)
    with listener:
        port = listener.port
        thread = listener._thread
        assert thread is not None and thread.is_alive()
    assert not thread.is_alive()
    assert not listener.is_running
    with pytest.raises(httpx.ConnectError):
        browser_get(f"http://127.0.0.1:{port}/callback")
    with pytest.raises(RuntimeError):
        listener.start()


def _non_loopback_ipv4() -> str | None:
    candidates: list[str] = []
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        # A UDP connect sends nothing; it only picks the outgoing interface.
        probe.connect(("10.255.255.255", 1))
        candidates.append(probe.getsockname()[0])
    except OSError:
        pass
    finally:
        probe.close()
    try:
        candidates.append(socket.gethostbyname(socket.gethostname()))
    except OSError:
        pass
    for address in candidates:
        ip = ipaddress.ip_address(address)
        if not ip.is_loopback and not ip.is_unspecified:
            return address
    return None


def test_not_reachable_on_non_loopback_address() -> None:
    address = _non_loopback_ipv4()
    with LoopbackListener(port=0) as listener:
        assert listener.bound_address[0] == "127.0.0.1"
        if address is None:
            pytest.skip("this machine has no non-loopback IPv4 address; bound address checked instead")
        with pytest.raises((httpx.ConnectError, httpx.ConnectTimeout)):  # refused, or dropped by a firewall
            browser_get(f"http://{address}:{listener.port}/callback", {"code": CODE, "state": "x"})


def test_no_code_or_state_in_logs_or_stderr(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    state = new_state()
    with LoopbackListener(port=0) as listener:
        listener.arm(state)
        browser_get(listener.redirect_uri, {"code": "wrong-" + CODE, "state": "wrong-" + state})
        browser_get(listener.redirect_uri, {"code": CODE, "state": state, "scope": "openid"})
        browser_get(listener.redirect_uri, {"code": "late-" + CODE, "state": state})
        result = listener.wait_for_callback(state, timeout=2)
        logging.getLogger("test").info("got %r", result)
    captured = capsys.readouterr()
    # Only our own loggers: httpx (playing the browser here) logs the URLs it requests.
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith(("app", "test")))
    assert "Sign-in callback received" in ours  # something was logged, just nothing secret
    for text in (ours, captured.out, captured.err):
        assert CODE not in text
        assert state not in text


def test_errors_are_app_errors_with_titles() -> None:
    from app.errors import AppError, Cancelled

    for error in (AuthCancelled(), AuthTimeout(1.0), PortInUseError(8080), StateMismatchError()):
        assert isinstance(error, AppError)
        assert error.title and str(error) == error.message
    assert isinstance(AuthCancelled(), Cancelled)
    assert AuthCancelled().title == "Sign-in cancelled"
