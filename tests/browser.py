"""A stand-in for the person at the browser in tests: answers the emulator's consent page through the in-process
transport, then follows the redirect to the app's loopback listener over real HTTP (in a thread, as a browser
would)."""

from __future__ import annotations

import threading

import httpx

from app.services.demo import answer_consent


class Browser:
    def __init__(self, emulator_client: httpx.Client, deny: bool = False) -> None:
        self.emulator_client = emulator_client
        self.deny = deny
        self.errors: list[BaseException] = []
        self.done = threading.Event()
        self.landing: httpx.Response | None = None

    def __call__(self, url: str) -> bool:
        threading.Thread(target=self._run, args=(url,), daemon=True).start()
        return True

    def _run(self, url: str) -> None:
        try:
            location = answer_consent(self.emulator_client, url, self.deny)
            with httpx.Client(timeout=10) as real:  # the loopback listener is a real socket
                self.landing = real.get(location)
        except BaseException as exc:  # surfaced by the test through .errors
            self.errors.append(exc)
        finally:
            self.done.set()
