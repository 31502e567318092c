from __future__ import annotations

import re

import pytest

from app.auth.pkce import UNRESERVED, PkcePair, new_state, s256_challenge

# RFC 7636 Appendix B.
RFC_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
RFC_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_rfc7636_appendix_b_vector() -> None:
    assert s256_challenge(RFC_VERIFIER) == RFC_CHALLENGE
    pair = PkcePair.from_verifier(RFC_VERIFIER)
    assert (pair.verifier, pair.challenge, pair.method) == (RFC_VERIFIER, RFC_CHALLENGE, "S256")


@pytest.mark.parametrize("length", [43, 64, 128])
def test_generated_verifier_is_valid(length: int) -> None:
    pair = PkcePair.generate(length)
    assert len(pair.verifier) == length
    assert set(pair.verifier) <= set(UNRESERVED)
    assert pair.challenge == s256_challenge(pair.verifier)
    assert len(pair.challenge) == 43 and "=" not in pair.challenge
    assert re.fullmatch(r"[A-Za-z0-9_-]+", pair.challenge)


def test_generated_verifiers_differ() -> None:
    assert len({PkcePair.generate().verifier for _ in range(200)}) == 200


@pytest.mark.parametrize("length", [0, 42, 129])
def test_generate_rejects_bad_length(length: int) -> None:
    with pytest.raises(ValueError):
        PkcePair.generate(length)


@pytest.mark.parametrize("verifier", ["a" * 42, "a" * 129, "a" * 42 + "+", "a" * 42 + " ", "a" * 42 + "é"])
def test_from_verifier_validates(verifier: str) -> None:
    with pytest.raises(ValueError):
        PkcePair.from_verifier(verifier)


def test_repr_hides_verifier() -> None:
    pair = PkcePair.from_verifier(RFC_VERIFIER)
    assert RFC_VERIFIER not in repr(pair)
    assert RFC_CHALLENGE in repr(pair)


def test_state_is_url_safe_with_at_least_128_bits() -> None:
    states = {new_state() for _ in range(1000)}
    assert len(states) == 1000
    for state in states:
        # token_urlsafe(32): 32 random bytes -> 43 base64url characters, 6 bits each (>= 128 bits).
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", state)
        assert len(state) * 6 >= 128
