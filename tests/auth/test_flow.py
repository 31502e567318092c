"""run_loopback_login with a fake browser that behaves like a provider's /authorize redirect."""

from __future__ import annotations

import logging
import threading
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from app.auth.errors import AuthCancelled, AuthorizationDenied
from app.auth.flow import AuthorizeUrlBuilder, LoopbackLogin, run_loopback_login
from app.auth.loopback import LoopbackListener
from app.auth.pkce import s256_challenge
from tests.auth.conftest import browser_get

CODE = "flow-code-9d8e7f"


def make_builder(listener: LoopbackListener) -> AuthorizeUrlBuilder:
    def build(code_challenge: str, state: str) -> str:
        query = {
            "response_type": "code",
            "client_id": "client-123",
            "redirect_uri": listener.redirect_uri,
            "scope": "openid offline_access",
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        return "https://login.example.test/authorize?" + urlencode(query)

    return build


class FakeBrowser:
    """Records the authorize URL and redirects back the way the provider would."""

    def __init__(self, extra: dict[str, str] | None = None, result: object = True) -> None:
        self.extra = extra if extra is not None else {"code": CODE, "scope": "openid offline_access"}
        self.result = result
        self.query: dict[str, str] = {}

    def __call__(self, url: str) -> object:
        self.query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        browser_get(self.query["redirect_uri"], {**self.extra, "state": self.query["state"]})
        return self.result


def test_login_round_trip_returns_verifier_matching_challenge() -> None:
    browser = FakeBrowser()
    with LoopbackListener(port=0, redirect_host="localhost") as listener:
        login = run_loopback_login(make_builder(listener), listener, browser, timeout=2)
    assert isinstance(login, LoopbackLogin)
    assert login.code == CODE
    assert login.callback.get("scope") == "openid offline_access"
    assert login.redirect_uri == browser.query["redirect_uri"] == listener.redirect_uri
    assert s256_challenge(login.code_verifier) == browser.query["code_challenge"]
    assert browser.query["code_challenge_method"] == "S256"
    assert login.code_verifier not in repr(login) and CODE not in repr(login)


def test_each_login_uses_fresh_pkce_and_state() -> None:
    queries = []
    for _ in range(2):
        browser = FakeBrowser()
        with LoopbackListener(port=0) as listener:
            run_loopback_login(make_builder(listener), listener, browser, timeout=2)
        queries.append(browser.query)
    assert queries[0]["state"] != queries[1]["state"]
    assert queries[0]["code_challenge"] != queries[1]["code_challenge"]


def test_denied_consent_raises() -> None:
    with LoopbackListener(port=0) as listener, pytest.raises(AuthorizationDenied):
        run_loopback_login(
            make_builder(listener), listener, FakeBrowser({"error": "access_denied"}), timeout=2
        )


def test_cancel_from_the_dialog_returns_promptly() -> None:
    cancel = threading.Event()

    def open_browser(url: str) -> bool:
        cancel.set()  # the user presses Cancel while the browser is showing the consent page
        return True

    with LoopbackListener(port=0) as listener:
        finished = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            try:
                run_loopback_login(make_builder(listener), listener, open_browser, timeout=30, cancel=cancel)
            except BaseException as exc:  # noqa: BLE001 - handed to the test
                errors.append(exc)
            finished.set()

        threading.Thread(target=run, daemon=True).start()
        assert finished.wait(2), "cancel was not noticed promptly"
    assert len(errors) == 1 and isinstance(errors[0], AuthCancelled)


def test_browser_that_fails_to_open_is_logged_and_flow_continues(caplog: pytest.LogCaptureFixture) -> None:
    with LoopbackListener(port=0) as listener:
        login = run_loopback_login(make_builder(listener), listener, FakeBrowser(result=False), timeout=2)
    assert login.code == CODE
    assert "opened by hand" in caplog.text


@pytest.mark.parametrize("drop", ["state", "code_challenge", "code_challenge_method"])
def test_builder_missing_pkce_or_state_is_a_bug(drop: str) -> None:
    opened: list[str] = []
    with LoopbackListener(port=0) as listener:
        inner = make_builder(listener)

        def builder(code_challenge: str, state: str) -> str:
            split = urlsplit(inner(code_challenge, state))
            query = {k: v for k, v in parse_qs(split.query).items() if k != drop}
            return split._replace(query=urlencode(query, doseq=True)).geturl()

        with pytest.raises(ValueError):
            run_loopback_login(builder, listener, opened.append, timeout=2)
    assert opened == []


def test_builder_with_other_redirect_uri_is_a_bug() -> None:
    with LoopbackListener(port=0) as listener:

        def builder(code_challenge: str, state: str) -> str:
            return make_builder(listener)(code_challenge, state).replace("127.0.0.1", "localhost")

        with pytest.raises(ValueError):
            run_loopback_login(builder, listener, lambda url: True, timeout=2)


def test_listener_must_be_started() -> None:
    listener = LoopbackListener(port=8765)
    with pytest.raises(RuntimeError):
        run_loopback_login(make_builder(listener), listener, lambda url: True, timeout=2)


def test_no_secret_in_logs(caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    browser = FakeBrowser()
    with LoopbackListener(port=0) as listener:
        login = run_loopback_login(make_builder(listener), listener, browser, timeout=2)
        logging.getLogger("app.test").info("login %r", login)
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("app"))
    err = capsys.readouterr().err
    assert "Opening the browser" in ours
    for secret in (CODE, browser.query["state"], login.code_verifier, browser.query["code_challenge"]):
        assert secret not in ours
        assert secret not in err
