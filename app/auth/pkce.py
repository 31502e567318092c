"""PKCE (RFC 7636) verifier/challenge pairs and OAuth ``state`` values."""

from __future__ import annotations

import base64
import hashlib
import secrets
import string
from dataclasses import dataclass, field
from typing import Literal

#: RFC 7636 section 4.1: ``unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"``.
UNRESERVED = string.ascii_letters + string.digits + "-._~"
MIN_VERIFIER_LENGTH = 43
MAX_VERIFIER_LENGTH = 128
DEFAULT_VERIFIER_LENGTH = 64  # ~386 bits of entropy


def s256_challenge(verifier: str) -> str:
    """``BASE64URL(SHA256(ASCII(verifier)))`` without ``=`` padding (RFC 7636 section 4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class PkcePair:
    """A code verifier (kept by the app, sent only to the token endpoint) and its S256 challenge."""

    verifier: str = field(repr=False)
    challenge: str
    method: Literal["S256"] = "S256"

    @classmethod
    def generate(cls, length: int = DEFAULT_VERIFIER_LENGTH) -> PkcePair:
        if not MIN_VERIFIER_LENGTH <= length <= MAX_VERIFIER_LENGTH:
            raise ValueError(f"PKCE verifier length must be {MIN_VERIFIER_LENGTH}-{MAX_VERIFIER_LENGTH}")
        verifier = "".join(secrets.choice(UNRESERVED) for _ in range(length))
        return cls.from_verifier(verifier)

    @classmethod
    def from_verifier(cls, verifier: str) -> PkcePair:
        """Build the pair for an existing verifier (validated against RFC 7636 section 4.1)."""
        if not MIN_VERIFIER_LENGTH <= len(verifier) <= MAX_VERIFIER_LENGTH:
            raise ValueError(f"PKCE verifier must be {MIN_VERIFIER_LENGTH}-{MAX_VERIFIER_LENGTH} characters")
        if any(ch not in UNRESERVED for ch in verifier):
            raise ValueError("PKCE verifier may only contain A-Z a-z 0-9 - . _ ~")
        return cls(verifier=verifier, challenge=s256_challenge(verifier))


def new_state() -> str:
    """An unguessable, URL-safe ``state`` value: 256 random bits, 43 characters of ``[A-Za-z0-9_-]``."""
    return secrets.token_urlsafe(32)
