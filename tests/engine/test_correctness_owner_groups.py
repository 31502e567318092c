"""Owners as Xero contact groups (the contacts pair's setting "Show each account's owner in Xero as a contact
group"): every linked contact is in the one group of its Zoho owner, moves when the owner changes in Zoho, the
business's own groups are left alone, and a sync with nothing to do asks Xero nothing about groups."""

from app.cli.settings_cmd import parse
from app.services.schema_cache import SchemaCache
from app.services.settings_schema import load_values, save_values, schema
from app.store.models import Link
from tests.integrations.spec_requests import RequestSpecs, problems
from tests.integrations.support import Traffic, respond

KEY = "pairs.contacts.owner_groups"
PRIYA, TOM = "Owner: Priya Raman", "Owner: Tom Whitfield"


def turn_on(w) -> None:
    """As `settings set pairs.contacts.owner_groups on` does it."""
    save_values(w.ctx.profile, {KEY: parse(schema()[KEY], "on")})
    assert load_values(w.ctx.profile)[KEY] is True


def groups(w) -> dict[str, set[str]]:
    return {g["Name"]: set(g.get("ContactIDs", [])) for g in w.xero_org().contact_groups.values()}


def owner_groups_of(w, contact_id: str) -> list[str]:
    return sorted(name for name, members in groups(w).items() if name.startswith("Owner: ") and contact_id in members)


def expected(w) -> dict[str, str]:
    """Each linked Xero contact → the group of its Zoho account's owner, as Zoho has it now."""
    out = {}
    for link in Link.select().where(Link.profile == w.ctx.profile, Link.pair == "contacts", Link.state == "active",
                                    Link.xero_id.is_null(False), Link.zoho_id.is_null(False)):
        out[link.xero_id] = "Owner: " + w.zoho_one("Accounts", id=link.zoho_id)["Owner"]["name"]
    return out


def group_calls(w) -> list[str]:
    return [k for k in w.requests()["xero"] if "ContactGroups" in k]


def sync(w):
    report = w.sync_service().sync()
    assert report.outcome == "ok", report.message
    return report


def test_each_linked_contact_is_in_its_owners_group_and_moves_when_the_owner_changes(world, tmp_path):
    w = world
    traffic = Traffic(w)
    own = {name: members for name, members in groups(w).items()}  # the business's own: Retail, Hospitality
    turn_on(w)
    assert w.sync_service().sync(dry_run=True).outcome == "ok"
    assert group_calls(w) == []  # a dry run writes nothing
    sync(w)
    calls = w.requests()["xero"]
    assert calls["GET /api.xro/2.0/ContactGroups"] == 1
    assert calls["PUT /api.xro/2.0/ContactGroups"] == 2  # one create per owner, one add per group
    assert calls["PUT /api.xro/2.0/ContactGroups/{id}/Contacts"] == 2
    w.clock.advance(60)
    sync(w)  # the first sync's writes read back once (a link it made active after the contacts is placed now)
    wanted = expected(w)
    assert len(wanted) > 30 and set(wanted.values()) == {PRIYA, TOM}
    for contact_id, group in wanted.items():
        assert owner_groups_of(w, contact_id) == [group], w.xero_org().contacts[contact_id].Name
    assert {k: v for k, v in groups(w).items() if not k.startswith("Owner: ")} == own  # never touched

    # an idle sync asks Xero nothing about groups
    w.reset_counts()
    w.clock.advance(60)
    sync(w)
    assert group_calls(w) == []

    # the owner changes in Zoho: the contact moves, the groups list is not read again the same day
    harbour = w.zoho_one("Accounts", Account_Name="Harbour View Cafe")
    contact_id = harbour["Xero_Contact_ID"]
    before = owner_groups_of(w, contact_id)
    to = TOM if before == [PRIYA] else PRIYA
    user_id = next(z["Owner"]["id"] for z in w.zoho_records("Accounts") if "Owner: " + z["Owner"]["name"] == to)
    w.zoho.ui_edit("Accounts", harbour["id"], {"Owner": {"id": user_id}})
    w.reset_counts()
    w.clock.advance(60)
    sync(w)
    assert owner_groups_of(w, contact_id) == [to]
    assert w.requests()["xero"]["PUT /api.xro/2.0/ContactGroups/{id}/Contacts"] == 1
    assert w.requests()["xero"]["DELETE /api.xro/2.0/ContactGroups/{id}/Contacts/{id}"] == 1
    assert len(group_calls(w)) == 2  # no list read, no create

    sent = [e.request for e in traffic.log if "ContactGroups" in e.request.url.path]
    assert {r.method for r in sent} == {"GET", "PUT", "DELETE"}
    assert problems(RequestSpecs(tmp_path), sent) == []  # requests Xero's spec accepts


def test_a_contact_xero_refuses_waits_alone_for_an_hour_and_the_sync_goes_on(world):
    w = world
    traffic = Traffic(w)
    turn_on(w)
    harbour = w.xero_contact("Harbour View Cafe").ContactID
    refusal = ('{"ErrorNumber":10,"Type":"ValidationException","Message":"A validation exception occurred",'
               '"Elements":[{"ValidationErrors":[{"Message":"Not now."}]}]}')
    traffic.script(lambda r: r.method == "PUT" and "/ContactGroups/" in r.url.path and harbour.encode() in r.content,
                   respond(400, refusal))
    assert sync(w).counts.get("failed", 0) == 0
    w.clock.advance(60)
    sync(w)
    assert any(e.status == 400 for e in traffic.since(0, "/ContactGroups/", "PUT"))  # refused, not skipped
    for contact_id, group in expected(w).items():  # the others are placed; Harbour waits
        assert owner_groups_of(w, contact_id) == ([] if contact_id == harbour else [group])
    w.reset_counts()
    w.clock.advance(60)
    sync(w)
    assert group_calls(w) == []  # not tried again at every sync
    traffic.clear_scripts()
    w.clock.advance(3600)
    sync(w)
    assert owner_groups_of(w, harbour) == [expected(w)[harbour]]


def test_a_group_made_since_the_list_was_read_is_used_not_made_twice(world):
    w = world
    turn_on(w)
    tenant = w.xero_org().TenantID
    SchemaCache(w.ctx.profile, w.clock).data(f"owner_groups.{tenant}", dict, 3600)  # read: no owner groups yet
    w.xero_org().contact_groups["0e0e0e0e-0000-4000-8000-000000000001"] = {  # then someone made one in Xero
        "ContactGroupID": "0e0e0e0e-0000-4000-8000-000000000001", "Name": "owner: tom whitfield", "Status": "ACTIVE",
        "ContactIDs": []}
    sync(w)
    calls = w.requests()["xero"]
    assert calls["PUT /api.xro/2.0/ContactGroups"] == 2  # Priya's made; Tom's refused as taken…
    assert calls["GET /api.xro/2.0/ContactGroups"] == 1  # …so the list is read again, only then
    names = [g["Name"] for g in w.xero_org().contact_groups.values()]
    assert "owner: tom whitfield" in names and TOM not in names and PRIYA in names
    toms = [c for c, g in expected(w).items() if g == TOM]
    assert toms and set(toms) <= groups(w)["owner: tom whitfield"]


def test_with_the_setting_off_nothing_about_groups_is_read_or_written(world):
    w = world
    assert load_values(w.ctx.profile)[KEY] is False
    sync(w)
    harbour = w.zoho_one("Accounts", Account_Name="Harbour View Cafe")
    other = next(z["Owner"]["id"] for z in w.zoho_records("Accounts") if z["Owner"]["id"] != harbour["Owner"]["id"])
    w.zoho.ui_edit("Accounts", harbour["id"], {"Owner": {"id": other}})
    w.clock.advance(60)
    sync(w)
    assert group_calls(w) == []
    assert not [n for n in groups(w) if n.startswith("Owner: ")]


def test_an_owner_changed_while_the_setting_was_off_is_followed_when_it_is_back_on(world):
    w = world
    turn_on(w)
    sync(w)
    save_values(w.ctx.profile, {KEY: parse(schema()[KEY], "off")})
    harbour = w.zoho_one("Accounts", Account_Name="Harbour View Cafe")
    before = owner_groups_of(w, harbour["Xero_Contact_ID"])
    other = next(z["Owner"]["id"] for z in w.zoho_records("Accounts") if z["Owner"]["id"] != harbour["Owner"]["id"])
    w.zoho.ui_edit("Accounts", harbour["id"], {"Owner": {"id": other}})
    w.clock.advance(60)
    w.reset_counts()
    sync(w)
    assert group_calls(w) == [] and owner_groups_of(w, harbour["Xero_Contact_ID"]) == before
    turn_on(w)
    w.clock.advance(60)
    sync(w)  # the owners are read again (by id, 100 a call), and only the contact that moved is written
    assert owner_groups_of(w, harbour["Xero_Contact_ID"]) == [expected(w)[harbour["Xero_Contact_ID"]]] != before
    assert w.requests()["xero"]["DELETE /api.xro/2.0/ContactGroups/{id}/Contacts/{id}"] == 1
