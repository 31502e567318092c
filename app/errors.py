"""Errors the user can read. Each has a title and a message that say what happened and what to do.

Boundaries (HTTP clients, the database, the login flow) convert library exceptions into these; everything above
them deals only in these types. ``technical`` carries raw detail for "Show technical details" — never secrets.
"""

from __future__ import annotations


class AppError(Exception):
    """Base for every error meant for the user."""

    title = "Something went wrong"
    exit_code = 1  # what a headless command exits with when this error ends it

    def __init__(self, message: str, *, title: str | None = None, technical: str = "") -> None:
        super().__init__(message)
        self.message = message
        if title:
            self.title = title
        self.technical = technical

    def __str__(self) -> str:
        return self.message


class ConfigError(AppError):
    title = "Settings need attention"
    exit_code = 2


class Busy(AppError):
    """Another sync or change holds the data folder's run lock; nothing was written."""

    title = "Already running"
    exit_code = 4


class Cancelled(AppError):
    title = "Cancelled"

    def __init__(self, message: str = "Sync cancelled. Nothing is lost: the next sync carries on where this one "
                                      "stopped.", **kwargs: str) -> None:
        super().__init__(message, **kwargs)


class AuthRequired(AppError):
    """The connection must be made again by the user (refresh token gone, revoked, or never set up)."""

    title = "Sign-in needed"

    def __init__(self, provider: str, message: str | None = None, *, technical: str = "") -> None:
        self.provider = provider
        super().__init__(message or f"{provider_label(provider)} needs you to sign in again. "
                         f"Open Connections and click Reconnect.", technical=technical)


class TokenExpired(AppError):
    """The access token has expired; refresh once, then treat as AuthRequired."""

    title = "Session expired"

    def __init__(self, provider: str, technical: str = "") -> None:
        self.provider = provider
        super().__init__(f"The {provider_label(provider)} session expired.", technical=technical)


class RateLimited(AppError):
    """The service asked us to slow down. ``scope`` is 'minute', 'day', 'concurrent', 'credits' or 'sign-in' (its
    token endpoint)."""

    title = "Waiting for the API limit"
    exit_code = 3

    def __init__(self, provider: str, retry_after: float | None, scope: str = "minute", technical: str = "") -> None:
        self.provider = provider
        self.retry_after = retry_after
        self.scope = scope
        if scope in ("day", "credits"):
            text = (f"{provider_label(provider)}'s daily API allowance is used up. Syncing pauses and resumes "
                    f"by itself when it resets.")
        elif scope == "sign-in":
            text = (f"{provider_label(provider)} asked Ledgerbridge to wait before renewing its sign-in (too many "
                    f"renewals in a few minutes). Syncing pauses and carries on by itself: nothing for you to do.")
        else:
            text = f"{provider_label(provider)} asked us to slow down; we will try again shortly."
        super().__init__(text, technical=technical)


class DailyLimitReached(RateLimited):
    """The daily budget is exhausted; work pauses until ``retry_after`` seconds from now. Not a failure."""


class ConnectionLost(AppError):
    """Network trouble or a temporary server fault: retry later."""

    title = "Connection problem"


class ServiceUnavailable(ConnectionLost):
    """A 5xx, an HTML error page or a body we could not read: transient."""

    title = "Service temporarily unavailable"


class NotFound(AppError):
    title = "Record not found"


class RecordRejected(AppError):
    """The service refused one record. ``field``/``code`` come from the API; ``hint`` is plain language."""

    title = "Record rejected"

    def __init__(self, message: str, *, field: str = "", code: str = "", hint: str = "", technical: str = "") -> None:
        super().__init__(message, technical=technical)
        self.field = field
        self.code = code
        self.hint = hint or message


class DatabaseError(AppError):
    title = "Local database problem"


PROVIDER_LABELS = {"xero": "Xero", "zoho": "Zoho CRM"}


def provider_label(provider: str) -> str:
    return PROVIDER_LABELS.get(provider, provider)
