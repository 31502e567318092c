"""The three-way merge against the last-synced base, field by field; ``project`` for creates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.mapping import BOTH, X2Z, Z2X, FieldLink, PairMapping
from app.core.merge import merge, project, read_field
from app.core.values import canon
from tests.core.helpers import FakeLookups, apply_writes

LK = FakeLookups()
STATUS_MAP = {"kind": "value_map", "map": {"ACTIVE": "Active", "ARCHIVED": "Archived"}, "default_forward": "Active"}
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def contacts(direction: str = BOTH, policy: str = "ask") -> PairMapping:
    return PairMapping("contacts", "Accounts", direction, policy, fields=[
        FieldLink("Name", "Account_Name", BOTH, {"kind": "trim"}),
        FieldLink("EmailAddress", "Email"),
        FieldLink("Phones.DEFAULT", "Phone"),
        FieldLink("Website", "Website", X2Z),
        FieldLink("ContactStatus", "Xero_Status", X2Z, dict(STATUS_MAP)),
        FieldLink("Balances.AccountsReceivable.Outstanding", "Outstanding_Balance", X2Z,
                  {"kind": "round", "places": 2}),
        FieldLink("Notes", "Description", Z2X),
    ])


XERO = {"Name": "Harbour View Cafe", "EmailAddress": "hello@harbourviewcafe.com.au", "Phones.DEFAULT": "02 9555 0144",
        "Website": "https://harbourviewcafe.com.au", "ContactStatus": "ACTIVE",
        "Balances.AccountsReceivable.Outstanding": "1116.00", "Notes": "Pays on time"}
ZOHO = {"Account_Name": "Harbour View Cafe", "Email": "hello@harbourviewcafe.com.au", "Phone": "02 9555 0144",
        "Website": "https://harbourviewcafe.com.au", "Xero_Status": "Active", "Outstanding_Balance": 1116.0,
        "Description": "Pays on time"}


def synced(mapping: PairMapping | None = None):
    """A linked pair in sync, with the base the last sync stored."""
    first = merge(mapping or contacts(), None, None, XERO, ZOHO, LK)
    assert first.quiet
    return first.base_x, first.base_z


def run(mapping, x_now, z_now, **kwargs):
    base_x, base_z = synced(mapping)
    return merge(mapping, base_x, base_z, x_now, z_now, LK, **kwargs)


# ----- one side changed ----------------------------------------------------------------------------------------
def test_nothing_changed_is_quiet():
    result = run(contacts(), XERO, ZOHO)
    assert result.quiet and not result.changes_zoho and not result.changes_xero
    assert result.base_x["Phones.DEFAULT"] == "02 9555 0144" and result.base_z["Outstanding_Balance"] == "1116.0"


def test_a_xero_change_flows_to_zoho():
    result = run(contacts(), {**XERO, "Phones.DEFAULT": "02 9555 0199"}, ZOHO)
    assert result.to_zoho == {"Phone": "02 9555 0199"} and not result.to_xero and not result.conflicts
    assert result.changes_zoho == {"Phone": ["02 9555 0144", "02 9555 0199"]}
    assert result.base_x["Phones.DEFAULT"] == result.base_z["Phone"] == "02 9555 0199"


def test_a_zoho_change_flows_to_xero():
    result = run(contacts(), XERO, {**ZOHO, "Email": "accounts@harbourviewcafe.com.au"})
    assert result.to_xero == {"EmailAddress": "accounts@harbourviewcafe.com.au"} and not result.to_zoho
    assert result.changes_xero == {"EmailAddress": ["hello@harbourviewcafe.com.au", "accounts@harbourviewcafe.com.au"]}


def test_changes_go_through_the_transform():
    result = run(contacts(), {**XERO, "Name": "  Harbour   View Café ", "ContactStatus": "ARCHIVED",
                              "Balances.AccountsReceivable.Outstanding": 1200.005}, ZOHO)
    assert result.to_zoho == {"Account_Name": "Harbour View Café", "Xero_Status": "Archived",
                              "Outstanding_Balance": "1200.01"}


# ----- both sides changed --------------------------------------------------------------------------------------
def test_only_fields_changed_on_both_sides_conflict():
    x_now = {**XERO, "Phones.DEFAULT": "02 9555 0101", "Name": "Harbour View Café"}
    z_now = {**ZOHO, "Phone": "0412 555 121", "Email": "owner@harbourviewcafe.com.au"}
    result = run(contacts(policy="ask"), x_now, z_now)
    assert set(result.conflicts) == {"Phone"}
    assert result.conflicts["Phone"] == {"xero_field": "Phones.DEFAULT", "base": "02 9555 0144",
                                         "xero": "02 9555 0101", "zoho": "0412 555 121"}
    assert result.to_zoho == {"Account_Name": "Harbour View Café"}
    assert result.to_xero == {"EmailAddress": "owner@harbourviewcafe.com.au"}
    assert result.base_z["Phone"] == "02 9555 0144"  # the conflict keeps the old base until resolved


def test_both_sides_changed_to_the_same_value_is_no_conflict():
    result = run(contacts(), {**XERO, "Phones.DEFAULT": "02 9555 0199"}, {**ZOHO, "Phone": " 02 9555 0199 "})
    assert result.quiet
    assert result.base_x["Phones.DEFAULT"] == "02 9555 0199"


@pytest.mark.parametrize(("policy", "times", "winner"), [
    ("xero_wins", (T0, T0 + timedelta(hours=1)), "xero"),
    ("zoho_wins", (T0 + timedelta(hours=1), T0), "zoho"),
    ("newest", (T0 + timedelta(minutes=5), T0), "xero"),
    ("newest", (T0, T0 + timedelta(minutes=5)), "zoho"),
    ("newest", (T0, None), "xero"),
    ("newest", (None, T0), "zoho"),
    ("ask", (T0, T0 + timedelta(hours=1)), None),
])
def test_policies(policy, times, winner):
    result = run(contacts(policy=policy), {**XERO, "Phones.DEFAULT": "02 9555 0101"},
                 {**ZOHO, "Phone": "0412 555 121"}, xero_modified=times[0], zoho_modified=times[1])
    if winner == "xero":
        assert result.to_zoho == {"Phone": "02 9555 0101"} and not result.to_xero and not result.conflicts
    elif winner == "zoho":
        assert result.to_xero == {"Phones.DEFAULT": "0412 555 121"} and not result.to_zoho and not result.conflicts
    else:
        assert set(result.conflicts) == {"Phone"} and not result.to_xero and not result.to_zoho


def test_policy_argument_overrides_the_pairs():
    result = run(contacts(policy="ask"), {**XERO, "Phones.DEFAULT": "1"}, {**ZOHO, "Phone": "2"}, policy="zoho_wins")
    assert result.to_xero == {"Phones.DEFAULT": "2"}


@pytest.mark.parametrize(("choice", "expected"), [("xero", {"to_zoho": {"Phone": "02 9555 0101"}}),
                                                  ("zoho", {"to_xero": {"Phones.DEFAULT": "0412 555 121"}})])
@pytest.mark.parametrize("policy", ["ask", "xero_wins", "zoho_wins", "newest"])
def test_resolutions_override_the_policy(policy, choice, expected):
    result = run(contacts(policy=policy), {**XERO, "Phones.DEFAULT": "02 9555 0101"},
                 {**ZOHO, "Phone": "0412 555 121"}, resolutions={"Phone": choice},
                 xero_modified=T0, zoho_modified=T0)
    assert not result.conflicts
    assert result.to_zoho == expected.get("to_zoho", {}) and result.to_xero == expected.get("to_xero", {})


# ----- directions ------------------------------------------------------------------------------------------------
def test_a_one_way_pair_ignores_the_other_sides_edits_and_remembers_them():
    mapping = contacts(direction=X2Z)
    result = run(mapping, XERO, {**ZOHO, "Phone": "0412 555 121", "Email": "new@example.com"})
    assert result.quiet
    assert result.base_z["Phone"] == "0412 555 121"  # remembered: not seen as new next time
    again = merge(mapping, result.base_x, result.base_z, XERO, {**ZOHO, "Phone": "0412 555 121",
                                                                "Email": "new@example.com"}, LK)
    assert again.quiet
    flows = merge(mapping, result.base_x, result.base_z, {**XERO, "Phones.DEFAULT": "02 9555 0101"}, ZOHO, LK)
    assert flows.to_zoho == {"Phone": "02 9555 0101"}


def test_a_zoho_to_xero_pair_ignores_xero_edits():
    result = run(contacts(direction=Z2X), {**XERO, "Phones.DEFAULT": "02 9555 0101"}, {**ZOHO, "Email": "e@x.com"})
    assert not result.to_zoho and result.to_xero == {"EmailAddress": "e@x.com"}


def test_per_link_directions():
    x_now = {**XERO, "Website": "https://new.example", "Notes": "Changed in Xero"}
    z_now = {**ZOHO, "Xero_Status": "Archived", "Outstanding_Balance": 0, "Description": "Changed in Zoho"}
    result = run(contacts(), x_now, z_now)
    assert result.to_zoho == {"Website": "https://new.example"}  # Website flows Xero → Zoho only
    assert result.to_xero == {"Notes": "Changed in Zoho"}  # Description flows Zoho → Xero only
    assert not result.conflicts  # Notes changed on both sides, but only Zoho's may flow


def test_a_one_way_link_changed_on_both_sides_follows_its_direction_even_when_asking():
    result = run(contacts(policy="ask"), {**XERO, "Website": "https://a.example"},
                 {**ZOHO, "Website": "https://b.example"})
    assert result.to_zoho == {"Website": "https://a.example"} and not result.conflicts


def test_a_resolution_never_writes_against_a_links_direction():
    result = run(contacts(policy="ask"), {**XERO, "Website": "https://a.example"},
                 {**ZOHO, "Website": "https://b.example"}, resolutions={"Website": "zoho"})
    assert "Website" not in result.to_xero


# ----- echoes and first links ------------------------------------------------------------------------------------
def test_the_echo_of_our_own_write_does_nothing():
    mapping = contacts()
    base_x, base_z = synced(mapping)
    wrote = merge(mapping, base_x, base_z, {**XERO, "Phones.DEFAULT": "02 9555 0199"}, ZOHO, LK)
    # Zoho now shows our write (as a float amount, with a newer modified time): nothing to do either way
    echoed = merge(mapping, wrote.base_x, wrote.base_z, {**XERO, "Phones.DEFAULT": "02 9555 0199"},
                   apply_writes(ZOHO, wrote.to_zoho), LK, xero_modified=T0, zoho_modified=T0 + timedelta(hours=1))
    assert echoed.quiet


def test_values_equal_to_the_base_do_nothing_even_if_the_transform_disagrees():
    mapping = PairMapping("contacts", "Accounts", BOTH, "ask",
                          fields=[FieldLink("Name", "Account_Name", BOTH, {"kind": "case", "case": "upper"})])
    result = merge(mapping, {"Name": "Acme"}, {"Account_Name": "Acme"}, {"Name": "Acme"}, {"Account_Name": "Acme"}, LK)
    assert result.quiet


def test_first_link_with_an_empty_side_never_erases_the_other():
    x_now = {**XERO, "Phones.DEFAULT": None, "EmailAddress": "hello@harbourviewcafe.com.au", "Website": ""}
    z_now = {**ZOHO, "Phone": "02 9555 0199", "Email": None, "Website": "https://zoho-only.example"}
    result = merge(contacts(policy="ask"), None, None, x_now, z_now, LK)
    assert result.to_xero == {"Phones.DEFAULT": "02 9555 0199"}
    assert result.to_zoho == {"Email": "hello@harbourviewcafe.com.au"}
    assert not result.conflicts
    assert "Website" not in result.to_zoho and "Website" not in result.to_xero  # one-way: Xero's empty is kept


def test_first_link_with_both_sides_filled_differently_follows_the_policy():
    x_now, z_now = {**XERO, "Phones.DEFAULT": "02 9555 0101"}, {**ZOHO, "Phone": "02 9555 0199"}
    assert set(merge(contacts(policy="ask"), None, None, x_now, z_now, LK).conflicts) == {"Phone"}
    assert merge(contacts(policy="ask"), None, None, x_now, z_now, LK, policy="xero_wins").to_zoho == \
        {"Phone": "02 9555 0101"}


# ----- errors ------------------------------------------------------------------------------------------------------
STRICT = PairMapping("contacts", "Accounts", BOTH, "ask", fields=[
    FieldLink("ContactStatus", "Xero_Status", X2Z, {"kind": "value_map", "map": STATUS_MAP["map"]}),
    FieldLink("Phones.DEFAULT", "Phone")])


def test_a_value_that_cannot_be_converted_is_an_error_and_writes_nothing_for_that_field():
    result = merge(STRICT, {"ContactStatus": "ACTIVE", "Phones.DEFAULT": "0"}, {"Xero_Status": "Active", "Phone": "0"},
                   {"ContactStatus": "GDPRREQUEST", "Phones.DEFAULT": "1"}, {"Xero_Status": "Active", "Phone": "0"},
                   LK)
    assert result.errors == ["ContactStatus → Xero_Status: no value is mapped for 'GDPRREQUEST'"]
    assert result.to_zoho == {"Phone": "1"} and not result.quiet


def test_a_zoho_value_that_cannot_be_converted_back_never_blanks_xero():
    mapping = PairMapping("contacts", "Accounts", BOTH, "zoho_wins", fields=[
        FieldLink("ContactStatus", "Xero_Status", BOTH, {"kind": "value_map", "map": STATUS_MAP["map"]})])
    base_x, base_z = {"ContactStatus": "ACTIVE"}, {"Xero_Status": "Active"}
    result = merge(mapping, base_x, base_z, {"ContactStatus": "ACTIVE"}, {"Xero_Status": "On hold"}, LK)
    assert "ContactStatus" not in result.to_xero
    assert result.errors == ["Xero_Status → ContactStatus: no value is mapped back for 'On hold'"]
    both = merge(mapping, base_x, base_z, {"ContactStatus": "ARCHIVED"}, {"Xero_Status": "On hold"}, LK)
    assert "ContactStatus" not in both.to_xero and both.errors


# ----- joined fields -----------------------------------------------------------------------------------------------
PERSON = PairMapping("persons", "Contacts", BOTH, "zoho_wins", fields=[
    FieldLink("FirstName+LastName", "Full_Name", BOTH, {"kind": "join"}),
    FieldLink("EmailAddress", "Email"),
])


def test_joined_fields_round_trip():
    x = {"FirstName": "Sarah", "LastName": "Nguyen", "EmailAddress": "sarah@acmecatering.com.au"}
    z = {"Full_Name": "Sarah Nguyen", "Email": "sarah@acmecatering.com.au"}
    first = merge(PERSON, None, None, x, z, LK)
    assert first.quiet and first.base_x["FirstName+LastName"] == ["Sarah", "Nguyen"]
    renamed = merge(PERSON, first.base_x, first.base_z, x, {**z, "Full_Name": "Sarah Tran"}, LK)
    assert renamed.to_xero == {"FirstName": "Sarah", "LastName": "Tran"}
    assert renamed.changes_xero == {"FirstName+LastName": [["Sarah", "Nguyen"], ["Sarah", "Tran"]]}
    x2 = apply_writes(x, renamed.to_xero)
    assert merge(PERSON, renamed.base_x, renamed.base_z, x2, {**z, "Full_Name": "Sarah Tran"}, LK).quiet
    in_xero = merge(PERSON, first.base_x, first.base_z, {**x, "FirstName": "Sara"}, z, LK)
    assert in_xero.to_zoho == {"Full_Name": "Sara Nguyen"}


def test_project_a_new_record_each_way():
    out, base_src, base_dst, errors = project(contacts(), XERO, True, LK)
    assert out == {"Account_Name": "Harbour View Cafe", "Email": "hello@harbourviewcafe.com.au",
                   "Phone": "02 9555 0144", "Website": "https://harbourviewcafe.com.au", "Xero_Status": "Active",
                   "Outstanding_Balance": "1116.00"}  # Notes only flows Zoho → Xero
    assert not errors and base_src["Name"] == "Harbour View Cafe" and base_dst["Outstanding_Balance"] == "1116.00"
    out, _, _, _ = project(contacts(), {**ZOHO, "Phone": None}, False, LK)
    assert out == {"Name": "Harbour View Cafe", "EmailAddress": "hello@harbourviewcafe.com.au",
                   "Notes": "Pays on time"}  # empty values are not written
    people, _, base_dst, _ = project(PERSON, {"Full_Name": "Dr Anil Kapoor", "Email": None}, False, LK)
    assert people == {"FirstName": "Dr Anil", "LastName": "Kapoor"}
    assert base_dst["FirstName+LastName"] == ["Dr Anil", "Kapoor"]


def test_project_collects_errors_and_carries_on():
    out, _, _, errors = project(STRICT, {"ContactStatus": "WEIRD", "Phones.DEFAULT": "02 9555 0144"}, True, LK)
    assert errors == ["ContactStatus → Xero_Status: no value is mapped for 'WEIRD'"]
    assert out == {"Phone": "02 9555 0144"}


# ----- properties ----------------------------------------------------------------------------------------------------
_TEXT = st.sampled_from([None, "", "a", "b", " a ", "a  b", "A", "Mary Jane Smith", "Cher"])
_AMOUNT = st.sampled_from([None, "1", "1.00", 1.0, "1.005", "2.5", 2])
_STATUS_X = st.sampled_from([None, "ACTIVE", "ARCHIVED"])
_STATUS_Z = st.sampled_from([None, "Active", "Archived"])
_DIRECTIONS = st.sampled_from([BOTH, X2Z, Z2X])


@st.composite
def mappings(draw) -> PairMapping:
    kinds = [("Name", "Account_Name", {"kind": "trim"}), ("Email", "Email", {"kind": "copy"}),
             ("Code", "Code", {"kind": "case", "case": "upper"}), ("Amount", "Amount", {"kind": "round"}),
             ("Status", "Status", {"kind": "value_map", "map": {"ACTIVE": "Active", "ARCHIVED": "Archived"}}),
             ("First+Last", "Full_Name", {"kind": "join"}), ("Ref", "Ref", {"kind": "default", "value": "none"})]
    return PairMapping("contacts", "Accounts", draw(_DIRECTIONS),
                       draw(st.sampled_from(["xero_wins", "zoho_wins", "newest", "ask"])),
                       fields=[FieldLink(x, z, draw(_DIRECTIONS), dict(t)) for x, z, t in kinds])


@st.composite
def xero_records(draw) -> dict:
    return {"Name": draw(_TEXT), "Email": draw(_TEXT), "Code": draw(_TEXT), "Amount": draw(_AMOUNT),
            "Status": draw(_STATUS_X), "First": draw(_TEXT), "Last": draw(_TEXT), "Ref": draw(_TEXT)}


@st.composite
def zoho_records(draw) -> dict:
    return {"Account_Name": draw(_TEXT), "Email": draw(_TEXT), "Code": draw(_TEXT), "Amount": draw(_AMOUNT),
            "Status": draw(_STATUS_Z), "Full_Name": draw(_TEXT), "Ref": draw(_TEXT)}


_TIMES = st.sampled_from([None, T0, T0 + timedelta(minutes=1)])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(mappings(), xero_records(), st.booleans())
def test_a_record_merged_with_its_own_image_is_quiet(mapping, x, with_base):
    """Xero's record against what it looks like in Zoho (as a create would write it): nothing to do."""
    both = PairMapping(mapping.pair, mapping.zoho_module, BOTH, mapping.conflict_policy,
                       fields=[FieldLink(f.xero, f.zoho, X2Z, f.transform) for f in mapping.fields])
    z, base_x, base_z, errors = project(both, x, True, LK)
    assert not errors
    result = merge(both, base_x if with_base else None, base_z if with_base else None, x, z, LK)
    assert result.quiet, result
    assert merge(both, result.base_x, result.base_z, x, z, LK).quiet


@settings(max_examples=500, deadline=None, derandomize=True)
@given(mappings(), st.one_of(st.none(), xero_records()), st.one_of(st.none(), zoho_records()), xero_records(),
       zoho_records(), _TIMES, _TIMES)
def test_after_applying_a_merges_writes_merging_again_is_quiet(mapping, base_x, base_z, x, z, xt, zt):
    first = merge(mapping, base_x, base_z, x, z, LK, xero_modified=xt, zoho_modified=zt)
    assert not first.errors
    x2, z2 = apply_writes(x, first.to_xero), apply_writes(z, first.to_zoho)
    second = merge(mapping, first.base_x, first.base_z, x2, z2, LK, xero_modified=xt, zoho_modified=zt)
    assert not second.to_zoho and not second.to_xero and not second.errors, (first, second)
    assert second.conflicts.keys() == first.conflicts.keys()  # unresolved conflicts stay put, nothing new
    # and every write went only where its link may flow
    for link in mapping.fields:
        if link.zoho in first.to_zoho:
            assert link.flows(mapping.direction, to_zoho=True)
        if any(part in first.to_xero for part in link.xero.split("+")):
            assert link.flows(mapping.direction, to_zoho=False)
        if link.zoho in first.conflicts:
            assert link.flows(mapping.direction, True) and link.flows(mapping.direction, False)
    # a first link never writes an empty value over a filled one
    if base_x is None or base_z is None:
        for link in mapping.fields:
            if link.zoho in first.to_zoho and canon(first.to_zoho[link.zoho]) is None:
                assert canon(z.get(link.zoho)) is None
            if link.xero in first.changes_xero and canon(first.changes_xero[link.xero][1]) is None:
                assert canon(read_field(x, link.xero)) is None
