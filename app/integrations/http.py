"""One provider's HTTP traffic: the auth header, staying under the limits, retries, and typed errors.

Every API call of both clients goes through :class:`ApiSession.send`. It
- waits for a slot before sending (:class:`RateLimiter`: concurrency, a rolling per-minute window, a pause after a
  daily limit) so the server rarely has to say no;
- refreshes the access token once on a 401 and retries; a second 401 means the user must reconnect;
- retries 429s (honouring ``Retry-After``), 5xx, network errors and unreadable bodies with jittered exponential
  backoff; a daily limit pauses the session until it resets and raises :class:`DailyLimitReached`;
- turns everything else into the ``app.errors`` types, so nothing above sees an httpx exception.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import random
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import httpx
import orjson

from app.clock import Clock
from app.errors import (
    AppError,
    AuthRequired,
    Cancelled,
    ConnectionLost,
    DailyLimitReached,
    NotFound,
    RateLimited,
    RecordRejected,
    ServiceUnavailable,
)

log = logging.getLogger(__name__)

_cancel = threading.local()


@contextlib.contextmanager
def cancel_scope(event: threading.Event | None) -> Iterator[None]:
    """While the block runs, every call and every wait of this thread's sessions stops with :class:`Cancelled`
    within a second of ``event`` being set: before each request, and during rate-limit and retry pauses."""
    previous = getattr(_cancel, "event", None)
    _cancel.event = event
    try:
        yield
    finally:
        _cancel.event = previous


def check_cancelled() -> None:
    event = getattr(_cancel, "event", None)
    if event is not None and event.is_set():
        raise Cancelled()


def pause(clock: Clock, seconds: float) -> None:
    """``clock.sleep(seconds)``, in steps of at most a second so that a cancel ends it."""
    event = getattr(_cancel, "event", None)
    if event is None:
        clock.sleep(seconds)
        return
    end = clock.time() + seconds
    while True:
        check_cancelled()
        remaining = end - clock.time()
        if remaining <= 0:
            return
        waiter = getattr(clock, "wait", None)
        if waiter is not None:
            waiter(min(remaining, 1.0), event)
        else:
            clock.sleep(min(remaining, 1.0))


class TokenSource(Protocol):
    def authorization_header(self) -> str: ...

    def token_rejected(self, header: str) -> None: ...


class Kind(enum.Enum):
    OK = "ok"
    TOKEN_EXPIRED = "token_expired"
    AUTH_REQUIRED = "auth_required"
    RATE_LIMITED = "rate_limited"
    TRANSIENT = "transient"
    NOT_FOUND = "not_found"
    REJECTED = "rejected"


@dataclass
class Verdict:
    kind: Kind
    error: AppError | None = None


@dataclass
class Budget:
    """What is left of the API allowance, as last reported by the service (None = not known yet)."""

    provider: str
    minute_remaining: int | None = None
    day_remaining: int | None = None
    app_minute_remaining: int | None = None
    credits_remaining: int | None = None
    paused_until: float | None = None
    calls: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class ResponsePolicy(Protocol):
    """Provider rules: what a response means, and what it says about the budget. A policy may also have a
    ``parse(bytes) -> Any`` for the provider's JSON (Xero keeps money as Decimal); plain JSON (orjson) if not."""

    provider: str

    def classify(self, response: httpx.Response) -> Verdict: ...

    def observe(self, response: httpx.Response, budget: Budget) -> None: ...


class RateLimiter:
    """Client-side limits: at most ``max_in_flight`` concurrent calls and ``per_minute`` in any rolling minute."""

    def __init__(self, clock: Clock, *, per_minute: int | None = None, max_in_flight: int = 5) -> None:
        self.clock = clock
        self.per_minute = per_minute
        self._window: deque[float] = deque()
        self._slots = threading.BoundedSemaphore(max_in_flight)
        self._lock = threading.Lock()
        self.paused_until: float | None = None
        self.hold_until = 0.0

    def before_call(self) -> None:
        now = self.clock.time()
        if self.paused_until is not None:
            if now < self.paused_until:
                raise DailyLimitReached(self._provider, self.paused_until - now, scope="day")
            self.paused_until = None
        self._slots.acquire()
        try:
            wait = self.hold_until - self.clock.time()
            if wait > 0:
                pause(self.clock, wait)
            while self.per_minute:
                with self._lock:
                    now = self.clock.time()
                    while self._window and self._window[0] <= now - 60:
                        self._window.popleft()
                    if len(self._window) < self.per_minute:
                        self._window.append(now)
                        break
                    wait = self._window[0] + 60 - now
                pause(self.clock, max(wait, 0.001))
        except BaseException:
            self._slots.release()
            raise

    def seconds_until_free(self) -> float:
        """How long until our own record of the last minute frees a slot (at least a second)."""
        with self._lock:
            if not self._window:
                return 1.0
            return max(1.0, self._window[0] + 60 - self.clock.time())

    def after_call(self) -> None:
        self._slots.release()

    def pause(self, seconds: float) -> None:
        self.paused_until = self.clock.time() + seconds

    def hold_minute(self, seconds: float) -> None:
        """The server says no more calls for ``seconds`` (a 429, or ``X-MinLimit-Remaining: 0``): hold the next
        call back until then, keeping the record of calls already made."""
        with self._lock:
            self.hold_until = max(self.hold_until, self.clock.time() + seconds)

    _provider = "api"


@dataclass
class RetryPolicy:
    max_attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        raw = min(self.max_delay, self.base_delay * (2**attempt))
        return raw * self.rng.uniform(0.5, 1.0)


class ApiSession:
    """Sends requests for one provider (and one Xero tenant or Zoho org) with limits, retries and typed errors."""

    def __init__(
        self,
        provider: str,
        http: httpx.Client,
        tokens: TokenSource,
        policy: ResponsePolicy,
        limiter: RateLimiter,
        clock: Clock,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.provider = provider
        self.http = http
        self.tokens = tokens
        self.policy = policy
        self.limiter = limiter
        self.limiter._provider = provider
        self.clock = clock
        self.retry = retry or RetryPolicy()
        self.budget = Budget(provider)
        self.parse: Callable[[bytes], Any] = getattr(policy, "parse", None) or orjson.loads
        self.server_time: datetime | None = None  # the service's clock (Date header) at its last answer

    def body(self, response: httpx.Response) -> Any:
        """The response's JSON. :meth:`send` already parsed it to check it is readable: that parse is reused, so a
        large page is decoded once. Raises ``ValueError`` for a body that is not JSON."""
        parsed = response.__dict__.pop(_PARSED, _UNSET)
        return self.parse(response.content) if parsed is _UNSET else parsed

    @property
    def calls(self) -> int:
        return self.budget.calls

    def send(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        accept: Iterable[int] = (),
        expect_json: bool = True,
        retry_transient: bool = True,
    ) -> httpx.Response:
        """Send and return a response the caller can use: 2xx (with a readable JSON body when ``expect_json``,
        unless 204/304), or a status listed in ``accept`` (e.g. Zoho's all-records-failed 400).

        ``retry_transient=False`` is for requests that must not be repeated blindly (appending subform rows):
        a 5xx, a lost connection or an unreadable answer is raised at once for the caller to recover from."""
        accepted = set(accept)
        content = None
        send_headers = dict(headers or {})
        if json_body is not None:
            content = orjson.dumps(json_body, default=str, option=orjson.OPT_NON_STR_KEYS)
            send_headers.setdefault("Content-Type", "application/json")
        send_headers.setdefault("Accept", "application/json")
        attempt = 0
        refreshed = False
        while True:
            check_cancelled()
            self.limiter.before_call()
            auth = ""
            try:
                auth = self.tokens.authorization_header()
                send_headers["Authorization"] = auth
                response = self.http.request(method, url, params=params, content=content, headers=send_headers)
                response.read()
                _release_stream(response)
                self.server_time = server_time(response)
            except httpx.TimeoutException as exc:
                verdict = Verdict(Kind.TRANSIENT, ConnectionLost(
                    f"{_label(self.provider)} did not answer in time.", technical=type(exc).__name__))
            except httpx.TransportError as exc:
                verdict = Verdict(Kind.TRANSIENT, ConnectionLost(
                    f"Could not reach {_label(self.provider)}. Check the internet connection; syncing retries "
                    "by itself.", technical=type(exc).__name__))
            else:
                self.budget.calls += 1
                self.policy.observe(response, self.budget)
                if self.budget.minute_remaining == 0 and response.status_code != 429:
                    self.limiter.hold_minute(self.limiter.seconds_until_free())
                verdict = self._verdict(response, accepted, expect_json)
            finally:
                self.limiter.after_call()
            if verdict.kind is Kind.OK:
                return response
            error = verdict.error or AppError("Unexpected response")
            if verdict.kind is Kind.TOKEN_EXPIRED:
                if refreshed:
                    raise AuthRequired(self.provider, technical=error.technical)
                refreshed = True
                self.tokens.token_rejected(auth)
                continue
            if verdict.kind is Kind.RATE_LIMITED:
                assert isinstance(error, RateLimited)
                if error.scope in ("day", "credits"):
                    wait = error.retry_after if error.retry_after is not None else 3600.0
                    self.limiter.pause(wait)
                    self.budget.paused_until = self.clock.time() + wait
                    raise DailyLimitReached(self.provider, wait, scope=error.scope, technical=error.technical)
                delay = error.retry_after if error.retry_after is not None else self.retry.delay(attempt)
                log.info("%s rate limited (%s); waiting %.1fs", self.provider, error.scope, delay)
                attempt += 1
                if attempt >= self.retry.max_attempts:
                    raise error
                self.limiter.hold_minute(delay)
                continue
            if verdict.kind is Kind.TRANSIENT:
                attempt += 1
                if attempt >= self.retry.max_attempts or not retry_transient:
                    raise error
                delay = self.retry.delay(attempt - 1)
                log.info("%s: %s; retry %d in %.1fs", self.provider, error.technical or error.message, attempt, delay)
                pause(self.clock, delay)
                continue
            raise error

    def _verdict(self, response: httpx.Response, accepted: set[int], expect_json: bool) -> Verdict:
        if response.status_code in accepted:
            return _json_verdict(self.provider, response, self.parse) if expect_json else Verdict(Kind.OK)
        verdict = self.policy.classify(response)
        if verdict.kind is Kind.OK and expect_json and response.status_code not in (204, 304):
            return _json_verdict(self.provider, response, self.parse)
        return verdict


def server_time(response: httpx.Response) -> datetime | None:
    """The service's own clock from the ``Date`` header (whole seconds, UTC), or None without a usable one."""
    try:
        moment = parsedate_to_datetime(response.headers.get("Date") or "")
    except (TypeError, ValueError, IndexError):
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _release_stream(response: httpx.Response) -> None:
    """httpx leaves a read response and its bound stream pointing at each other; a reference cycle keeps a page
    (up to megabytes) alive until the cyclic collector runs. The body is read, so a plain stream replaces it."""
    response.stream = httpx.ByteStream(response.content)


_PARSED = "_ledgerbridge_parsed_body"  # where the readability check leaves its parse for ApiSession.body
_UNSET = object()


def _json_verdict(provider: str, response: httpx.Response,
                  parse: Callable[[bytes], Any] = orjson.loads) -> Verdict:
    try:
        response.__dict__[_PARSED] = parse(response.content)
    except ValueError:
        return Verdict(Kind.TRANSIENT, ServiceUnavailable(
            f"{_label(provider)} sent a reply we could not read; we will try again.",
            technical=f"HTTP {response.status_code}, unreadable body: {response.text[:200]!r}"))
    return Verdict(Kind.OK)


def _label(provider: str) -> str:
    return {"xero": "Xero", "zoho": "Zoho CRM"}.get(provider, provider)


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def short_body(response: httpx.Response, limit: int = 500) -> str:
    return f"HTTP {response.status_code}: {response.text[:limit]}"


__all__ = [
    "ApiSession", "Budget", "Kind", "RateLimiter", "ResponsePolicy", "RetryPolicy", "TokenSource", "Verdict",
    "NotFound", "RecordRejected", "parse_retry_after", "short_body",
]
