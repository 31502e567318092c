"""Typed errors raised by the auth layer, all :class:`app.errors.AppError` subclasses (a title and a message).

Messages never contain a code, state, verifier or token; ``technical`` holds only safe details (error codes, errno).
"""

from __future__ import annotations

import re

from app.errors import AppError, Cancelled

_SAFE_CODE = re.compile(r"[^A-Za-z0-9_.\-]")


class AuthError(AppError):
    """Base class for sign-in problems the user can act on."""

    title = "Sign-in problem"


class LoopbackError(AuthError):
    """The local callback listener could not be started (or stopped while waiting)."""

    title = "Can't listen for the sign-in"


class PortInUseError(LoopbackError):
    """The configured redirect port is taken by another program."""

    title = "Sign-in port is busy"

    def __init__(self, port: int, technical: str = "") -> None:
        self.port = port
        super().__init__(
            f"Port {port} on this computer is already in use by another program, so Ledgerbridge can't receive "
            "the sign-in response. Close the other program (or another Ledgerbridge window) and try again, or "
            "choose a different sign-in port in Settings and add the matching redirect URI to the app registration.",
            technical=technical,
        )


class AuthorizationDenied(AuthError):
    """The provider redirected back with ``error=...`` (e.g. the user pressed Cancel on the consent page)."""

    title = "Sign-in was not completed"

    def __init__(self, error: str, description: str | None = None) -> None:
        # Provider-supplied text: keep it short and printable, it ends up in the UI and the log.
        self.error = _SAFE_CODE.sub("", error)[:64] or "unknown_error"
        self.description = _printable(description)[:200] if description else None
        if self.error == "access_denied":
            message = (
                "Ledgerbridge was not given access (the request was declined or cancelled on the sign-in page). "
                "Nothing was changed. Connect again when you're ready."
            )
        else:
            message = f"The sign-in page returned an error ({self.error})."
            if self.description:
                message += f" {self.description}"
            message += " Try connecting again; if it keeps happening, check the app registration."
        technical = f"error={self.error}" + (
            f"; error_description={self.description}" if self.description else ""
        )
        super().__init__(message, technical=technical)


class AuthTimeout(AuthError):
    """No callback arrived in time."""

    title = "Sign-in timed out"

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        super().__init__(
            f"Ledgerbridge didn't hear back from the browser within {_duration(timeout)}. "
            "Start the sign-in again and finish it in the browser window that opens."
        )


class AuthCancelled(AuthError, Cancelled):
    """The user cancelled the sign-in in Ledgerbridge. Also an ``app.errors.Cancelled``."""

    title = "Sign-in cancelled"

    def __init__(self) -> None:
        super().__init__("The sign-in was cancelled.")


class StateMismatchError(AuthError):
    """Too many callbacks arrived whose ``state`` did not match; the attempt was abandoned."""

    title = "Sign-in response rejected"

    def __init__(self) -> None:
        super().__init__(
            "Ledgerbridge received sign-in responses that didn't belong to this sign-in attempt and stopped "
            "waiting, to be safe. Close any old sign-in tabs and start again."
        )


class InvalidCallbackError(AuthError):
    """The callback had a valid ``state`` but neither ``code`` nor ``error``."""

    title = "Sign-in response incomplete"

    def __init__(self) -> None:
        super().__init__(
            "The sign-in page redirected back without an authorization code. Start the sign-in again."
        )


class SecretStoreError(AuthError):
    """Reading or writing saved credentials failed."""

    title = "Saved sign-in unavailable"


def _printable(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable())


def _duration(seconds: float) -> str:
    if seconds >= 120:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds:g} seconds"
