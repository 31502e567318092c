"""/ContactGroups: the list and a group by id (with its contacts), creating groups, adding contacts in one call and
removing one contact or all of them, and what Xero refuses."""

from __future__ import annotations

from app.emulators.xero.contact_groups import LIMIT_TEXT

from .conftest import API


def delete(session, path: str):
    return session.http.delete(API + path, headers=session.headers())


def group_named(session, name: str) -> dict:
    return next(g for g in session.get("/ContactGroups").json()["ContactGroups"] if g["Name"] == name)


def members(session, gid: str) -> set[str]:
    return {c["ContactID"] for c in session.get(f"/ContactGroups/{gid}").json()["ContactGroups"][0]["Contacts"]}


def contact_ids(session, n: int) -> list[str]:
    return [c["ContactID"] for c in session.get("/Contacts").json()["Contacts"][:n]]


def test_create_then_add_contacts_in_one_call_and_remove_one(session):
    created = session.put("/ContactGroups", {"ContactGroups": [{"Name": "Owner: Tom Baker"}]})
    assert created.status_code == 200, created.text
    group = created.json()["ContactGroups"][0]
    assert group["Name"] == "Owner: Tom Baker" and group["Status"] == "ACTIVE" and group["Contacts"] == []
    gid = group["ContactGroupID"]
    assert group_named(session, "Owner: Tom Baker")["ContactGroupID"] == gid

    a, b, c = contact_ids(session, 3)
    added = session.put(f"/ContactGroups/{gid}/Contacts", {"Contacts": [{"ContactID": a}, {"ContactID": b}]})
    assert added.status_code == 200, added.text
    assert [x["ContactID"] for x in added.json()["Contacts"]] == [a, b]
    session.put(f"/ContactGroups/{gid}/Contacts", {"Contacts": [{"ContactID": b}, {"ContactID": c}]})
    assert members(session, gid) == {a, b, c}  # adding a member again keeps one of it

    gone = delete(session, f"/ContactGroups/{gid}/Contacts/{b}")
    assert gone.status_code == 204 and gone.content == b""
    assert members(session, gid) == {a, c}
    assert delete(session, f"/ContactGroups/{gid}/Contacts/{b}").status_code == 400  # not in it any more
    assert delete(session, f"/ContactGroups/{gid}/Contacts").status_code == 204
    assert members(session, gid) == set()


def test_a_name_in_use_an_unknown_contact_or_group_are_refused(session):
    taken = session.put("/ContactGroups", {"ContactGroups": [{"Name": "retail"}]})
    assert taken.status_code == 400
    assert "already exists" in taken.json()["Elements"][0]["ValidationErrors"][0]["Message"]
    assert session.put("/ContactGroups", {"ContactGroups": [{"Name": "  "}]}).status_code == 400
    retail = group_named(session, "Retail")["ContactGroupID"]
    before = members(session, retail)
    unknown = session.put(f"/ContactGroups/{retail}/Contacts", {"Contacts": [
        {"ContactID": contact_ids(session, 1)[0]}, {"ContactID": "00000000-0000-0000-0000-00000000abcd"}]})
    assert unknown.status_code == 400 and members(session, retail) == before  # nothing added
    nowhere = "00000000-0000-0000-0000-000000000001"
    assert session.put(f"/ContactGroups/{nowhere}/Contacts", {"Contacts": [{"ContactID": contact_ids(
        session, 1)[0]}]}).status_code == 404
    assert delete(session, f"/ContactGroups/{retail}").status_code == 404  # groups are not deleted this way


def test_an_organisation_has_at_most_a_hundred_groups(session):
    have = len(session.get("/ContactGroups").json()["ContactGroups"])
    made = session.put("/ContactGroups", {"ContactGroups": [{"Name": f"G{n}"} for n in range(100 - have)]})
    assert made.status_code == 200, made.text
    full = session.put("/ContactGroups", {"ContactGroups": [{"Name": "One too many"}]})
    assert full.status_code == 400
    assert full.json()["Elements"][0]["ValidationErrors"][0]["Message"] == LIMIT_TEXT


def test_the_list_filters_and_orders_and_writes_need_the_contacts_scope(emu):
    from .conftest import login

    session = login(emu)
    names = [g["Name"] for g in session.get("/ContactGroups", params={"order": "Name DESC"}).json()["ContactGroups"]]
    assert names == sorted(names, reverse=True) and "Retail" in names
    only = session.get("/ContactGroups", params={"where": 'Name=="Retail"'}).json()["ContactGroups"]
    assert [g["Name"] for g in only] == ["Retail"]
    emu.switches["enforce_scopes"] = True
    reader = login(emu, scope="openid offline_access accounting.contacts.read")
    assert reader.get("/ContactGroups").status_code == 200
    assert reader.put("/ContactGroups", {"ContactGroups": [{"Name": "Owner: Tom Baker"}]}).status_code == 403
