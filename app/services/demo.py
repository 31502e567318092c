"""Demo mode: the sandbox's consent pages are approved on the user's behalf, so a new user sees both systems
connected at once. (The Connect buttons still run the real browser flow against the sandbox.)"""

from __future__ import annotations

import logging
import threading
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx

from app.services.connections import ConnectionService

log = logging.getLogger(__name__)
DENY_WORDS = ("cancel", "reject", "deny")


class _ConsentForm(HTMLParser):
    """The first form on a consent page: its action, hidden and pre-selected inputs, and its buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.action, self.method = "", "get"
        self.fields: list[tuple[str, str]] = []
        self.buttons: list[tuple[str, str]] = []
        self._radios: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self.action:
            self.action, self.method = a.get("action", ""), a.get("method", "get").lower()
        elif tag == "input":
            kind = a.get("type", "text")
            if kind == "radio" and "checked" in a and a.get("name") not in self._radios:
                self._radios.add(a.get("name", ""))
                self.fields.append((a.get("name", ""), a.get("value", "")))
            elif kind == "hidden" or (kind == "checkbox" and "checked" in a):
                self.fields.append((a.get("name", ""), a.get("value", "")))
        elif tag == "button" and a.get("name"):
            self.buttons.append((a["name"], a.get("value", "")))


def answer_consent(client: httpx.Client, authorize_url: str, deny: bool = False) -> str:
    """Open the authorize URL, press Allow (or the denying button), return where the provider redirects."""
    page = client.get(authorize_url)
    location = page.headers.get("location")
    if page.status_code == 200:
        form = _ConsentForm()
        form.feed(page.text)
        button = next((b for b in form.buttons if any(w in b[1].lower() for w in DENY_WORDS) == deny), None)
        data: dict[str, str | list[str]] = {}
        for key, value in form.fields + ([button] if button else []):
            if key in data:
                existing = data[key]
                data[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
            else:
                data[key] = value
        answer = client.request(form.method.upper(), urljoin(str(page.url), form.action), data=data)
        location = answer.headers.get("location")
    if not location:
        raise RuntimeError(f"the sign-in page did not redirect (HTTP {page.status_code})")
    return location


def auto_approver(deny: bool = False) -> tuple[threading.Event, list[BaseException], object]:
    """An ``open_browser`` for the loopback login that approves in a background thread, like a person would."""
    done = threading.Event()
    errors: list[BaseException] = []

    def open_url(url: str) -> bool:
        def run() -> None:
            try:
                with httpx.Client(timeout=10) as client:
                    client.get(answer_consent(client, url, deny))
            except BaseException as exc:
                errors.append(exc)
            finally:
                done.set()

        threading.Thread(target=run, name="demo-consent", daemon=True).start()
        return True

    return done, errors, open_url


def ensure_demo_connections(connections: ConnectionService) -> None:
    """Connect both sides to the sandbox unless they already are. The sandbox listens on new ports each start,
    so a saved Zoho connection is pointed at this start's addresses."""
    zoho = connections.connection("zoho")
    endpoints = connections.ctx.endpoints.zoho
    if zoho is not None and (zoho.api_domain != endpoints.api_domain or zoho.accounts_server != endpoints.accounts_url):
        zoho.api_domain, zoho.accounts_server = endpoints.api_domain, endpoints.accounts_url
        zoho.save()
    for provider in ("xero", "zoho"):
        # Asked live: a sandbox whose state was not saved (the app was killed) no longer knows the saved sign-in.
        if connections.status_of(provider, live=True).connected:
            continue
        _, errors, open_url = auto_approver()
        if provider == "xero":
            connections.connect_xero(open_url, timeout=30)  # type: ignore[arg-type]
        else:
            connections.connect_zoho(open_url, timeout=30)  # type: ignore[arg-type]
        if errors:
            log.warning("demo sign-in helper reported: %s", errors[0])
        log.info("demo: connected %s to the sandbox", provider)
