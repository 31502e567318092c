"""canon/same: how values from the two systems are compared."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.values import canon, numeric_text, same


@pytest.mark.parametrize(("a", "b"), [
    ("240.0", "240.00"),  # Zoho vs Xero amounts
    (240, "240.00"),
    (240.5, "240.50"),
    (Decimal("19.90"), "19.9"),
    (None, ""),
    (None, "   "),
    ("  Acme  ", "Acme"),
    ({"a": 1, "b": None}, {"a": "1.0"}),
    ([None, None], None),
    ({}, None),
])
def test_same(a, b):
    assert same(a, b)


@pytest.mark.parametrize(("a", "b"), [
    ("240.01", "240.00"),
    ("Acme", "acme"),  # case is data
    (True, "True"),
    (False, None),
    (0, None),
    (["Mary", "Smith"], ["Smith", "Mary"]),
])
def test_not_same(a, b):
    assert not same(a, b)


def test_numeric_text_keeps_exact_decimals():
    assert numeric_text(0.1) == "0.1"
    assert numeric_text(Decimal("12.50")) == "12.50"
    assert numeric_text(True) is True
    assert numeric_text(3) == 3
    assert numeric_text("x") == "x"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**9, max_value=10**9))
def test_amount_as_number_and_as_text_agree(d):
    assert same(d, f"{d:.2f}")
    assert same(float(d), str(d))  # Zoho's JSON double and Xero's decimal text of one amount
    assert canon(canon(str(d))) == canon(str(d))


@pytest.mark.parametrize(("a", "b"), [
    ("+61 2 9555 0100", "(02) 9555 0100"),  # international and national forms of one number
    ("02 9555 0100", "02-9555-0100"),
    ("+64 9 555 0100", "0064 9 555 0100"),
    ("+61 412 555 121", "0412 555 121"),
    ("(02) 9555 0100 ext 12", "+61 2 9555 0100 x12"),
    ("Admin@KoalaKids.com.au", "admin@koalakids.com.au"),  # an email address in another case
])
def test_formatting_only_differences_are_the_same_value(a, b):
    assert same(a, b) and same(b, a)


@pytest.mark.parametrize(("a", "b"), [
    ("+64 9 555 0100", "+61 9 555 0100"),  # another country
    ("02 9555 0100", "02 9555 0101"),
    ("02 9555 0100 ext 12", "02 9555 0100"),  # an extension is part of the number
    ("+61 2 9555 0100", "9555 0100"),  # the area code is missing
    ("2026-11-01", "2026-11-02"),
    ("001234", "1234"),  # a bare run of digits is a code, not a phone
])
def test_different_numbers_are_not_the_same(a, b):
    assert not same(a, b)
