"""Provider-neutral OAuth 2.0 loopback login: PKCE + state, open the browser, wait for the redirect.

Exchanging the code for tokens is provider-specific and lives with the Xero/Zoho token clients; they get the
verifier and the exact redirect URI from :class:`LoopbackLogin`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

from app.auth.loopback import CallbackResult, LoopbackListener
from app.auth.pkce import PkcePair, new_state

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 300.0  # Xero's code lives 5 minutes; nobody needs longer at the consent page


class AuthorizeUrlBuilder(Protocol):
    """Builds the provider's authorize URL; must include ``code_challenge``/``code_challenge_method=S256``/``state``.

    The builder knows the client id, scopes and ``listener.redirect_uri``; the flow supplies the per-attempt values.
    """

    def __call__(self, code_challenge: str, state: str) -> str: ...


@dataclass(frozen=True, repr=False)
class LoopbackLogin:
    """What the token client needs for the code exchange."""

    callback: CallbackResult
    code_verifier: str
    redirect_uri: str

    @property
    def code(self) -> str:
        return self.callback.code

    def __repr__(self) -> str:
        return f"LoopbackLogin(callback={self.callback!r}, code_verifier=<redacted>, redirect_uri={self.redirect_uri!r})"


def run_loopback_login(
    authorize_url_builder: AuthorizeUrlBuilder,
    listener: LoopbackListener,
    open_browser: Callable[[str], object],
    timeout: float = DEFAULT_TIMEOUT,
    cancel: threading.Event | None = None,
) -> LoopbackLogin:
    """Run one interactive sign-in through an already started ``listener`` (the caller owns and closes it).

    ``open_browser`` is ``QDesktopServices.openUrl`` in the GUI or ``webbrowser.open`` in the CLI; if it returns
    ``False`` we only log it and keep waiting, since the caller can show the URL for the user to open by hand.
    Blocks (call from a worker thread); raises the errors listed on
    :meth:`LoopbackListener.wait_for_callback`.
    """
    if not listener.is_running:
        raise RuntimeError("start the listener (use it as a context manager) before run_loopback_login")
    pkce = PkcePair.generate()
    state = new_state()
    url = authorize_url_builder(pkce.challenge, state)
    _check_authorize_url(url, pkce, state, listener.redirect_uri)
    listener.arm(state)  # before the browser opens: a fast redirect must not find us unprepared
    # Never log the URL itself: it carries the state.
    log.info("Opening the browser for sign-in (redirect URI %s)", listener.redirect_uri)
    if open_browser(url) is False:
        log.warning("Could not open a web browser automatically; the sign-in URL has to be opened by hand")
    result = listener.wait_for_callback(state, timeout=timeout, cancel=cancel)
    return LoopbackLogin(callback=result, code_verifier=pkce.verifier, redirect_uri=listener.redirect_uri)


def _check_authorize_url(url: str, pkce: PkcePair, state: str, redirect_uri: str) -> None:
    """Catch builder bugs before the user sees a provider error page (or, worse, a flow without PKCE)."""
    query = parse_qs(urlsplit(url).query)

    def one(name: str) -> str | None:
        values = query.get(name)
        return values[0] if values and len(values) == 1 else None

    if one("state") != state:
        raise ValueError("authorize URL must carry the generated state exactly once")
    if one("code_challenge") != pkce.challenge or one("code_challenge_method") != pkce.method:
        raise ValueError("authorize URL must carry code_challenge and code_challenge_method=S256")
    if "redirect_uri" in query and one("redirect_uri") != redirect_uri:
        raise ValueError("authorize URL's redirect_uri must equal listener.redirect_uri")
