"""Field transforms, each kind forward (Xero → Zoho) and reverse (Zoho → Xero), and their errors."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.runctx import RunLookups
from app.core.transforms import SkipRecord, TransformError, apply, money_text, to_decimal
from tests.core.helpers import FakeLookups


def fwd(spec, value, lookups=None):
    return apply(spec, value, True, lookups)


def rev(spec, value, lookups=None):
    return apply(spec, value, False, lookups)


# ----- simple kinds ------------------------------------------------------------------------------------------
def test_copy_is_the_default_both_ways():
    for spec in (None, {}, {"kind": "copy"}):
        assert fwd(spec, " Acme ") == " Acme "
        assert rev(spec, 12.5) == 12.5


def test_unknown_kind_is_a_readable_error():
    with pytest.raises(TransformError, match="unknown transform 'reverse_polish'"):
        fwd({"kind": "reverse_polish"}, "x")


def test_trim_collapses_spacing_both_ways():
    spec = {"kind": "trim"}
    assert fwd(spec, "  Acme   Catering\tPty Ltd \n") == "Acme Catering Pty Ltd"
    assert rev(spec, " Harbour  View ") == "Harbour View"
    assert fwd(spec, None) is None
    assert fwd(spec, 42) == 42


def test_case_changes_forward_only():
    assert fwd({"kind": "case", "case": "upper"}, "gst") == "GST"
    assert fwd({"kind": "case", "case": "lower"}, "Admin@KoalaKids.com.au") == "admin@koalakids.com.au"
    assert fwd({"kind": "case", "case": "title"}, "emu plains") == "Emu Plains"
    assert fwd({"kind": "case", "case": "sideways"}, "As Is") == "As Is"
    assert rev({"kind": "case", "case": "upper"}, "kept as typed") == "kept as typed"
    assert fwd({"kind": "case", "case": "upper"}, None) is None


def test_default_fills_empty_values_forward_only():
    spec = {"kind": "default", "value": "Draft invoice"}
    assert fwd(spec, None) == "Draft invoice"
    assert fwd(spec, "") == "Draft invoice"
    assert fwd(spec, "INV-0042") == "INV-0042"
    assert rev(spec, "Draft invoice") == "Draft invoice"
    assert rev(spec, None) is None


# ----- value maps --------------------------------------------------------------------------------------------
STATUS = {"kind": "value_map", "map": {"DRAFT": "Created", "SUBMITTED": "Created", "AUTHORISED": "Approved",
                                       "PAID": "Delivered", "VOIDED": "Cancelled"}}
TAXABLE = {"kind": "value_map", "map": {"OUTPUT": True, "EXEMPTOUTPUT": False}, "default_forward": True,
           "default_reverse": "OUTPUT"}


def test_value_map_forward_and_reverse():
    assert fwd(STATUS, "AUTHORISED") == "Approved"
    assert rev(STATUS, "Approved") == "AUTHORISED"
    assert rev(STATUS, "Created") == "DRAFT"  # several map to one value: the first wins on the way back
    assert fwd(TAXABLE, "EXEMPTOUTPUT") is False
    assert rev(TAXABLE, False) == "EXEMPTOUTPUT"
    assert rev(TAXABLE, True) == "OUTPUT"


def test_value_map_defaults_and_empties():
    assert fwd(TAXABLE, "BASEXCLUDED") is True
    assert rev(TAXABLE, "maybe") == "OUTPUT"
    assert fwd(TAXABLE, None) is True  # empty takes the default too
    assert rev(TAXABLE, None) == "OUTPUT"
    assert fwd(STATUS, None) is None  # no default: empty stays empty
    assert rev(STATUS, "") == ""


def test_value_map_unmapped_value_names_it():
    with pytest.raises(TransformError, match="no value is mapped for 'DELETED'"):
        fwd(STATUS, "DELETED")
    with pytest.raises(TransformError, match="no value is mapped back for 'On hold'"):
        rev(STATUS, "On hold")


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.dictionaries(st.text(min_size=1, max_size=8), st.text(min_size=1, max_size=8), min_size=1, max_size=8,
                       dict_class=dict).filter(lambda m: len(set(m.values())) == len(m)))
def test_value_map_round_trips_on_mapped_values(table):
    spec = {"kind": "value_map", "map": table}
    for key, value in table.items():
        assert fwd(spec, key) == value
        assert rev(spec, fwd(spec, key)) == key
        assert fwd(spec, rev(spec, value)) == value


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.dictionaries(st.sampled_from(["DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "DELETED"]),
                       st.sampled_from(["Created", "Approved", "Delivered", "Cancelled"]), min_size=1))
def test_value_map_reverse_lands_on_a_value_that_maps_forward_again(table):
    """Even when several Xero values share one Zoho value, forward ∘ reverse is the identity on Zoho values."""
    spec = {"kind": "value_map", "map": table}
    for value in set(table.values()):
        assert fwd(spec, rev(spec, value)) == value


# ----- numbers and dates -------------------------------------------------------------------------------------
def test_round_both_ways_half_up():
    spec = {"kind": "round", "places": 2}
    assert fwd(spec, "2.345") == "2.35"
    assert fwd(spec, "2.344") == "2.34"
    assert fwd(spec, "-2.345") == "-2.35"  # half away from zero, as Xero rounds
    assert fwd(spec, 240) == "240.00"
    assert rev(spec, 240.0) == "240.00"
    assert rev(spec, "1116") == "1116.00"
    assert fwd({"kind": "round", "places": 0}, "12.5") == "13"
    assert fwd({"kind": "round"}, "0.125") == "0.13"  # two places unless told
    assert fwd(spec, None) is None
    assert rev(spec, "") is None


@pytest.mark.parametrize("bad", ["twelve", "12,50", "$12"])
def test_round_rejects_text_with_a_message(bad):
    with pytest.raises(TransformError, match=re.escape(f"'{bad}' is not a number")):
        fwd({"kind": "round"}, bad)


@pytest.mark.parametrize("bad", ["Infinity", "NaN", "1e400"])
def test_round_rejects_numbers_it_cannot_print_with_a_transform_error(bad):
    with pytest.raises(TransformError):
        fwd({"kind": "round"}, bad)


def test_money_text_and_to_decimal():
    assert money_text("10") == "10.00"
    assert money_text("1.23456", 4) == "1.2346"
    assert money_text(None) is None
    assert to_decimal("") is None
    assert str(to_decimal("3.50")) == "3.50"


def test_date_both_ways():
    spec = {"kind": "date"}
    assert fwd(spec, "2026-10-28") == "2026-10-28"
    assert fwd(spec, "2026-10-28T00:00:00") == "2026-10-28"
    assert rev(spec, "2026-10-28T09:30:00+11:00") == "2026-10-28"
    assert fwd(spec, date(2026, 11, 3)) == "2026-11-03"
    assert rev(spec, datetime(2026, 11, 3, 23, 59, tzinfo=UTC)) == "2026-11-03"
    assert fwd(spec, None) is None
    assert rev(spec, "") is None


@pytest.mark.parametrize("bad", ["28/10/2026", "next Tuesday", "20261028"])
def test_date_rejects_other_formats_with_a_message(bad):
    with pytest.raises(TransformError, match="is not a date"):
        fwd({"kind": "date"}, bad)


# ----- names ---------------------------------------------------------------------------------------------------
def test_join_forward_split_reverse():
    spec = {"kind": "join"}
    assert fwd(spec, ["Sarah", "Nguyen"]) == "Sarah Nguyen"
    assert fwd(spec, [" Dr Anil ", "Kapoor"]) == "Dr Anil Kapoor"
    assert fwd(spec, [None, "Cher"]) == "Cher"
    assert fwd(spec, [None, None]) is None
    assert fwd(spec, "Already Joined") == "Already Joined"
    assert rev(spec, "Sarah Nguyen") == ["Sarah", "Nguyen"]
    assert rev(spec, "Dr Anil Kapoor") == ["Dr Anil", "Kapoor"]  # the last word is the surname
    assert rev(spec, "Cher") == [None, "Cher"]
    assert rev(spec, None) == [None, None]


def test_split_forward_join_reverse():
    spec = {"kind": "split"}
    assert fwd(spec, "Grace Thompson") == ["Grace", "Thompson"]
    assert rev(spec, ["Grace", "Thompson"]) == "Grace Thompson"


_word = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll")), min_size=1, max_size=10)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(_word, min_size=1, max_size=4), _word)
def test_join_and_split_round_trip(first_words, last):
    full = " ".join([*first_words, last])
    assert fwd({"kind": "join"}, rev({"kind": "join"}, full)) == full
    first = " ".join(first_words)
    assert rev({"kind": "join"}, fwd({"kind": "join"}, [first, last])) == [first, last]


# ----- links between pairs ---------------------------------------------------------------------------------
CUSTOMER = {"kind": "link", "pair": "contacts", "label": "customer"}


def test_link_turns_ids_into_the_linked_ids():
    lookups = FakeLookups(links={"contacts": {"xero-acme": "zoho-acme"}})
    assert fwd(CUSTOMER, "xero-acme", lookups) == "zoho-acme"
    assert rev(CUSTOMER, "zoho-acme", lookups) == "xero-acme"
    assert fwd(CUSTOMER, None, lookups) is None
    assert rev(CUSTOMER, "", lookups) is None


def test_link_to_a_record_not_synced_yet_is_an_error_naming_what():
    with pytest.raises(TransformError, match="the related customer is not synced yet"):
        fwd(CUSTOMER, "xero-new", FakeLookups())
    with pytest.raises(TransformError, match="the related customer is not synced yet"):
        rev(CUSTOMER, "zoho-new", FakeLookups())
    with pytest.raises(TransformError, match="the related record is not synced yet"):
        fwd({"kind": "link", "pair": "contacts"}, "xero-new", FakeLookups())


def test_link_to_a_record_left_out_on_purpose_skips_the_record():
    lookups = FakeLookups(reasons={("contacts", "xero-oldmill"): "is not in Zoho CRM (archived in Xero)"})
    with pytest.raises(SkipRecord, match="its customer is not in Zoho CRM"):
        fwd(CUSTOMER, "xero-oldmill", lookups)


class _NoDbLookups(RunLookups):
    """The run's real look-ups over empty link tables (no database needed)."""

    def __init__(self) -> None:
        super().__init__(profile=None)  # type: ignore[arg-type]
        self.links: dict[str, SimpleNamespace] = {}

    def _index(self, pair: str) -> SimpleNamespace:
        return self.links.setdefault(pair, SimpleNamespace(x2z={}, z2x={}))

    def _pending_review(self, pair: str) -> set[str]:
        return set()


def test_link_skips_records_whose_customer_waits_in_review_or_was_archived():
    lookups = _NoDbLookups()
    lookups.in_review.add(("contacts", "xero-emu"))
    lookups.orphans.add(("contacts", "xero-sunset"))
    lookups._index("contacts").x2z["xero-oldmill"] = (None, None)  # an orphan: seen in Xero, not linked
    with pytest.raises(SkipRecord, match="its customer is waiting for you to confirm its match"):
        fwd(CUSTOMER, "xero-emu", lookups)
    with pytest.raises(SkipRecord, match="its customer is not in Zoho CRM"):
        fwd(CUSTOMER, "xero-sunset", lookups)
    with pytest.raises(SkipRecord, match="its customer is not in Zoho CRM"):
        fwd(CUSTOMER, "xero-oldmill", lookups)
    with pytest.raises(TransformError, match="not synced yet"):
        fwd(CUSTOMER, "xero-brand-new", lookups)
    lookups.plan("contacts", "xero-brand-new", None)  # a dry run pretends it was created
    assert fwd(CUSTOMER, "xero-brand-new", lookups) == "(new)"
