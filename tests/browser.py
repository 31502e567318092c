"""A stand-in for the person at the browser: opens the authorize URL on an emulator, clicks the approving button
of the consent form, and follows the redirect to the app's loopback listener over real HTTP."""

from __future__ import annotations

import threading
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx

DENY_WORDS = ("cancel", "reject", "deny")


class _Form(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.method = "get"
        self.fields: list[tuple[str, str]] = []
        self.buttons: list[tuple[str, str]] = []
        self._radio_done: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self.action:
            self.action, self.method = a.get("action", ""), a.get("method", "get").lower()
        elif tag == "input":
            kind = a.get("type", "text")
            if kind == "hidden" or (kind in ("checkbox", "radio") and "checked" in a):
                if kind == "radio":
                    if a.get("name") in self._radio_done:
                        return
                    self._radio_done.add(a.get("name", ""))
                self.fields.append((a.get("name", ""), a.get("value", "")))
        elif tag == "button" and a.get("name"):
            self.buttons.append((a["name"], a.get("value", "")))


class Browser:
    """``approve`` follows one sign-in; ``deny=True`` clicks the other button."""

    def __init__(self, emulator_client: httpx.Client, deny: bool = False) -> None:
        self.emulator_client = emulator_client
        self.deny = deny
        self.errors: list[BaseException] = []
        self.done = threading.Event()
        self.landing: httpx.Response | None = None

    def __call__(self, url: str) -> bool:
        thread = threading.Thread(target=self._run, args=(url,), daemon=True)
        thread.start()
        return True

    def _run(self, url: str) -> None:
        try:
            page = self.emulator_client.get(url)
            location = page.headers.get("location")
            if page.status_code == 200:
                form = _Form()
                form.feed(page.text)
                button = next((b for b in form.buttons if any(w in b[1].lower() for w in DENY_WORDS) == self.deny),
                              form.buttons[0] if form.buttons else None)
                data = list(form.fields) + ([button] if button else [])
                target = urljoin(str(page.url), form.action)
                answer = self.emulator_client.request(form.method.upper(), target, data=dict(_multi(data)))
                location = answer.headers.get("location")
                assert answer.status_code in (301, 302, 303), answer.text[:500]
            assert location, f"no redirect from {url}: {page.status_code}"
            with httpx.Client(timeout=10) as real:  # the loopback listener is a real socket
                self.landing = real.get(location)
        except BaseException as exc:  # surfaced by the test through .errors
            self.errors.append(exc)
        finally:
            self.done.set()


def _multi(pairs: list[tuple[str, str]]):
    seen: dict[str, list[str]] = {}
    for k, v in pairs:
        seen.setdefault(k, []).append(v)
    return {k: v if len(v) > 1 else v[0] for k, v in seen.items()}.items()
