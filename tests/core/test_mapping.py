"""Mappings: validation against live-shaped schemas (Xero's field rules, Zoho's /settings/fields), JSON round trip."""

from __future__ import annotations

import json
from copy import deepcopy
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.mapping import (
    BOTH,
    DIRECTIONS,
    POLICIES,
    X2Z,
    Z2X,
    FieldLink,
    PairMapping,
    Problem,
    dump_mappings,
    load_mappings,
    validate,
)
from app.core.records import FieldInfo
from app.emulators.zoho import ZohoEmulator
from app.integrations.zoho.client import ZohoClient
from app.paths import resource_path
from app.services.xero_ports import (
    CONTACT_SCHEMA,
    INVOICE_SCHEMA,
    ITEM_SCHEMA,
    SALES_STATUS,
    SALES_TERMS,
    XeroDealInvoicesPort,
)
from app.services.zoho_ports import ZohoModulePort

DEFAULT = resource_path("mappings", "default.json")


class _EmulatorSession:
    """Just enough of ApiSession for ZohoClient's reads: send with a fresh token to the in-process emulator."""

    calls = 0

    def __init__(self, emulator: ZohoEmulator) -> None:
        token = emulator.issue_tokens()["access_token"]
        self.http = httpx.Client(transport=httpx.MockTransport(emulator.handle),
                                 headers={"Authorization": f"Zoho-oauthtoken {token}"})

    def send(self, method: str, url: str, *, params: Any = None, json_body: Any = None, headers: Any = None,
             **_: Any) -> httpx.Response:
        response = self.http.request(method, url, params=params, json=json_body, headers=headers)
        assert response.status_code < 400, response.text
        return response


@pytest.fixture(scope="module")
def zoho_schemas() -> dict[str, list[FieldInfo]]:
    """Zoho's field metadata as the emulator serves it, converted the way the app converts it."""
    emulator = ZohoEmulator(seed="empty")
    client = ZohoClient(_EmulatorSession(emulator), emulator.issue_tokens()["api_domain"])
    return {m: ZohoModulePort(client, m, []).schema() for m in ("Accounts", "Contacts", "Products", "Invoices",
                                                                 "Deals", "Leads")}


XERO_SCHEMAS = {"contacts": [*CONTACT_SCHEMA, SALES_TERMS], "items": ITEM_SCHEMA, "invoices": [*INVOICE_SCHEMA, SALES_STATUS],
                "deals": XeroDealInvoicesPort.schema(None)}  # type: ignore[arg-type]  # uses no state


def check(mapping: PairMapping, zoho_schemas) -> list[Problem]:
    return validate(mapping, XERO_SCHEMAS[mapping.pair], zoho_schemas[mapping.zoho_module])


def shipped(pair: str) -> PairMapping:
    return load_mappings(DEFAULT)[pair]


def messages(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems]


# ----- the shipped mapping ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("pair", ["contacts", "items", "invoices", "deals"])
def test_the_shipped_default_mapping_validates_cleanly(pair, zoho_schemas):
    assert messages(check(shipped(pair), zoho_schemas)) == []


def test_the_shipped_default_has_every_pair():
    mappings = load_mappings(DEFAULT)
    assert set(mappings) == {"contacts", "items", "invoices", "payments", "deals"}
    for m in mappings.values():
        assert m.direction in DIRECTIONS and m.conflict_policy in POLICIES
        assert all(link.direction in DIRECTIONS for link in m.fields)


def test_the_schemas_are_the_live_shapes(zoho_schemas):
    accounts = {f.name: f for f in zoho_schemas["Accounts"]}
    assert accounts["Account_Name"].required and accounts["Xero_Status"].choices == ["Active", "Archived"]
    invoices = {f.name: f for f in zoho_schemas["Invoices"]}
    assert invoices["Invoice_Number"].read_only and not invoices["Grand_Total"].read_only


# ----- refusals ----------------------------------------------------------------------------------------------------
def test_contacts_into_leads_need_the_link_field_and_every_field_zoho_requires(zoho_schemas):
    leads = with_fields("contacts", zoho_module="Leads",
                        drop=("Account_Name", "Billing_Street", "Billing_City", "Billing_State", "Billing_Code",
                              "Billing_Country", "ABN", "Xero_Status", "Outstanding_Balance", "Overdue_Balance",
                              "Payment_Terms"))
    assert messages(check(leads, zoho_schemas)) == [
        "contacts: Xero_Contact_ID: Zoho CRM's Leads has no field with this API name to keep the link to Xero in: "
        "add a single-line text field named 'Xero_Contact_ID' in Zoho CRM (Setup → Modules and Fields), or choose "
        "another field for the link",
        "contacts: Last_Name: Zoho CRM requires 'Last Name' but nothing is mapped to it",
        "contacts: Company: Zoho CRM requires 'Company' but nothing is mapped to it",  # the standard layout's rule
        "contacts: Name: Xero requires 'Contact name' but nothing is mapped to it"]
    fixed = with_fields("contacts", FieldLink("Name", "Company"), FieldLink("LastName", "Last_Name"),
                        zoho_module="Leads", drop=tuple(f.zoho for f in shipped("contacts").fields
                                                        if f.zoho not in ("Email", "Phone", "Website")))
    with_link_field = [*zoho_schemas["Leads"], FieldInfo("Xero_Contact_ID", "Xero Contact ID", "text", custom=True)]
    assert messages(validate(fixed, CONTACT_SCHEMA, with_link_field)) == []


def test_link_fields_must_take_writes_on_both_sides(zoho_schemas):
    read_only = with_fields("contacts", options={"zoho_xref_field": "Created_Time", "xero_xref_field": "Code"})
    assert messages(check(read_only, zoho_schemas)) == [
        "contacts: Created_Time: 'Created Time' is read-only in Zoho CRM, so the link to Xero cannot be kept in it",
        "contacts: Code: Xero has no such field to keep the link to Zoho CRM in"]


def with_fields(pair: str, *links: FieldLink, drop: tuple[str, ...] = (), **changes: Any) -> PairMapping:
    m = deepcopy(shipped(pair))
    m.fields = [f for f in m.fields if f.zoho not in drop and f.xero not in drop] + list(links)
    for key, value in changes.items():
        setattr(m, key, value)
    return m


def test_unknown_fields_are_refused(zoho_schemas):
    problems = check(with_fields("contacts", FieldLink("Nmae", "Description"), FieldLink("Name", "Acount_Name")),
                     zoho_schemas)
    assert messages(problems) == [
        "contacts: Nmae: Xero has no such field",
        "contacts: Acount_Name: Zoho CRM's Accounts has no field with this API name (was it renamed or deleted in "
        "Zoho?)"]
    assert all(p.blocking for p in problems)


def test_joined_fields_need_every_part(zoho_schemas):
    assert check(with_fields("contacts", FieldLink("FirstName+LastName", "Description", X2Z, {"kind": "join"})),
                 zoho_schemas) == []
    assert messages(check(with_fields("contacts", FieldLink("FirstName+Surname", "Description", X2Z,
                                                            {"kind": "join"})), zoho_schemas)) == \
        ["contacts: FirstName+Surname: Xero has no such field"]


def test_read_only_targets_are_refused_only_in_the_flowing_direction(zoho_schemas):
    into_zoho = with_fields("invoices", FieldLink("Reference", "Invoice_Number", X2Z))
    assert messages(check(into_zoho, zoho_schemas)) == [
        "invoices: Invoice_Number: 'Invoice Number' is read-only in Zoho CRM; map it Zoho → Xero only"]
    from_zoho = with_fields("contacts", FieldLink("AccountNumber", "Account_Number", Z2X),
                            FieldLink("ContactNumber", "Created_Time", Z2X))
    assert check(from_zoho, zoho_schemas) == []  # a read-only Zoho field may feed Xero
    website_both = with_fields("contacts", FieldLink("Website", "Website", BOTH), drop=("Website",))
    assert messages(check(website_both, zoho_schemas)) == [
        "contacts: Website: 'Website' is read-only in Xero; map it Xero → Zoho only"]
    assert check(with_fields("contacts", FieldLink("Website", "Website", BOTH), drop=("Website",), direction=X2Z),
                 zoho_schemas) == []  # the pair only flows Xero → Zoho


def test_incompatible_types_are_refused_in_the_flowing_direction(zoho_schemas):
    problems = check(with_fields("contacts", FieldLink("EmailAddress", "Employees", X2Z)), zoho_schemas)
    assert messages(problems) == ["contacts: Employees: a email field (Email) cannot fill a number field (Employees)"]
    problems = check(with_fields("contacts", FieldLink("Website", "Phone", X2Z), drop=("Phone",)), zoho_schemas)
    assert messages(problems) == ["contacts: Phone: a url field (Website) cannot fill a phone field (Phone)"]
    problems = check(with_fields("contacts", FieldLink("EmailAddress", "Employees", Z2X), drop=("Email",)),
                     zoho_schemas)
    assert messages(problems) == [
        "contacts: EmailAddress: a number field (Employees) cannot fill a email field (Email)"]
    assert check(with_fields("contacts", FieldLink("Balances.AccountsReceivable.Outstanding", "Description", X2Z,
                                                   {"kind": "round"})), zoho_schemas) == []  # money into text is fine


def test_picklist_outputs_must_exist_in_zoho(zoho_schemas):
    gone = {"kind": "value_map", "map": {"ACTIVE": "Active", "ARCHIVED": "Gone"}, "default_forward": "Dormant"}
    problems = check(with_fields("contacts", FieldLink("ContactStatus", "Xero_Status", X2Z, gone),
                                 drop=("Xero_Status",)), zoho_schemas)
    assert messages(problems) == ["contacts: Xero_Status: 'Xero Status' has no picklist value for Dormant, Gone — add "
                                  "it in Zoho or change the value map"]
    copied = check(with_fields("contacts", FieldLink("ContactStatus", "Xero_Status", X2Z), drop=("Xero_Status",)),
                   zoho_schemas)
    assert "has no picklist value for ACTIVE, ARCHIVED" in str(copied[0])
    # Zoho → Xero only: Zoho's picklist is not written, so not checked (Xero's is)
    assert messages(check(with_fields("contacts", FieldLink("ContactStatus", "Xero_Status", Z2X, gone),
                                      drop=("Xero_Status",)), zoho_schemas)) == []


def test_value_map_keys_must_exist_in_a_xero_picklist_when_flowing_to_xero(zoho_schemas):
    statuses = {"kind": "value_map", "map": {"AUTHORISED": "Approved", "PENDING": "Created"}}
    problems = check(with_fields("invoices", FieldLink("Status", "Status", BOTH, statuses), drop=("Status",),
                                 direction=BOTH), zoho_schemas)
    assert "invoices: Status: Xero does not allow PENDING in Status" in messages(problems)


def test_mandatory_zoho_fields_must_be_mapped(zoho_schemas):
    no_name = with_fields("contacts", drop=("Account_Name",), direction=X2Z)
    assert messages(check(no_name, zoho_schemas)) == [
        "contacts: Account_Name: Zoho CRM requires 'Account Name' but nothing is mapped to it"]
    no_name.options["zoho_implied"] = ["Account_Name"]  # filled by the engine itself
    assert check(no_name, zoho_schemas) == []
    from_zoho = with_fields("contacts", FieldLink("Name", "Account_Name", Z2X), drop=("Account_Name",))
    assert messages(check(from_zoho, zoho_schemas)) == [
        "contacts: Account_Name: Zoho CRM requires 'Account Name' but nothing is mapped to it"]
    from_zoho.direction = Z2X  # nothing is created in Zoho
    assert check(from_zoho, zoho_schemas) == []


def test_mandatory_xero_fields_must_be_mapped_when_writing_to_xero(zoho_schemas):
    no_code = with_fields("items", drop=("Code",))
    assert messages(check(no_code, zoho_schemas)) == [
        "items: Code: Xero requires 'Item code' but nothing is mapped to it"]
    assert check(with_fields("items", drop=("Code",), direction=X2Z), zoho_schemas) == []


def test_unknown_direction_policy_and_transform_are_refused(zoho_schemas):
    odd = with_fields("contacts", FieldLink("AccountNumber", "Account_Number", BOTH, {"kind": "rot13"}),
                      direction="sideways", conflict_policy="loudest")
    assert messages(check(odd, zoho_schemas)) == [
        "contacts: direction: unknown direction 'sideways'",
        "contacts: conflict_policy: unknown policy 'loudest'",
        "contacts: Account_Number: unknown transform 'rot13'"]


# ----- export / import -------------------------------------------------------------------------------------------
def test_export_import_round_trip(tmp_path):
    mappings = load_mappings(DEFAULT)
    text = dump_mappings(mappings)
    data = json.loads(text)
    assert data["format"] == "ledgerbridge-mapping" and data["version"] == 1
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    again = load_mappings(path)
    assert again == mappings
    assert dump_mappings(again) == text
    assert json.loads(text) == json.loads(DEFAULT.read_text(encoding="utf-8")) | {"pairs": data["pairs"]}


def test_from_json_ignores_unknown_keys_and_fills_defaults():
    m = PairMapping.from_json({"pair": "items", "zoho_module": "Products", "added_in_v9": True,
                               "fields": [{"xero": "Code", "zoho": "Product_Code"}]})
    assert m == PairMapping("items", "Products", fields=[FieldLink("Code", "Product_Code")])
    assert m.direction == BOTH and m.conflict_policy == "newest" and m.fields[0].transform == {"kind": "copy"}


_json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=10))
_transforms = st.fixed_dictionaries({"kind": st.sampled_from(["copy", "trim", "value_map", "round", "line_items"])},
                                    optional={"map": st.dictionaries(st.text(max_size=6), _json_scalars, max_size=4),
                                              "places": st.integers(0, 4),
                                              "tax_map": st.dictionaries(st.text(max_size=6), st.one_of(
                                                  st.none(), st.fixed_dictionaries(
                                                      {"name": st.text(max_size=6),
                                                       "percentage": st.integers(0, 30)})), max_size=3)})
_links = st.builds(FieldLink, st.text(max_size=20), st.text(max_size=20), st.sampled_from(DIRECTIONS), _transforms)
_mappings = st.builds(PairMapping, st.sampled_from(["contacts", "items", "invoices", "payments", "deals"]),
                      st.text(max_size=10), st.sampled_from(DIRECTIONS), st.sampled_from(POLICIES), st.booleans(),
                      st.lists(_links, max_size=6), st.dictionaries(st.text(max_size=8), _json_scalars, max_size=3),
                      st.integers(0, 1000))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(_mappings)
def test_any_mapping_survives_json(mapping):
    assert PairMapping.from_json(json.loads(json.dumps(mapping.to_json()))) == mapping
    assert load_mappings_text(dump_mappings({mapping.pair: mapping})) == {mapping.pair: mapping}


def load_mappings_text(text: str) -> dict[str, PairMapping]:
    return {m["pair"]: PairMapping.from_json(m) for m in json.loads(text)["pairs"]}
