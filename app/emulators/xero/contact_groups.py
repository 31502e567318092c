"""/ContactGroups: list (where/order), read by id (with its contacts), create (PUT), add contacts
(PUT /{id}/Contacts), remove one contact (DELETE /{id}/Contacts/{ContactID}) or all (DELETE /{id}/Contacts).

As the spec says: the list leaves ``Contacts`` empty (a group read by its id lists them); a create answers the new
groups, an add answers the contacts added (``ContactID`` and the empty arrays), removals answer 204 with no body;
an organisation has at most 100 groups ("You’ve reached the limit of 100 contact groups."). **Unverified**
details: the words for a name already used by an active group or a contact that does not exist, that names compare
ignoring case, that removing a contact that is not in the group is refused (400), and that group changes leave
the contact's ``UpdatedDateUTC`` as it was.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from .calls import Call, CallError, Outcome, failed, run_batch
from .settings import _rows
from .wire import NOT_FOUND_TEXT, text_response, validation_exception, xero_response

GROUP_LIMIT = 100
LIMIT_TEXT = "You’ve reached the limit of 100 contact groups."


def _active(call: Call) -> list[dict]:
    return [g for g in call.org.contact_groups.values() if g.get("Status", "ACTIVE") == "ACTIVE"]


def _group(call: Call, gid: str) -> dict:
    group = call.org.contact_groups.get(gid.lower())
    if group is None or group.get("Status", "ACTIVE") != "ACTIVE":
        raise CallError(text_response(404, NOT_FOUND_TEXT))
    return group


def _view(group: dict, contacts: list[dict] | None = None) -> dict:
    return {"ContactGroupID": group["ContactGroupID"], "Name": group["Name"], "Status": "ACTIVE",
            "Contacts": contacts or [], "HasValidationErrors": False}


def get(call: Call) -> httpx.Response:
    """Active groups; a group read by its id also lists its contacts (ContactID and Name)."""
    org = call.org
    if call.path_rest:
        group = _group(call, call.path_rest[0])
        members = [{"ContactID": cid, "Name": org.contacts[cid].Name} for cid in group.get("ContactIDs", [])
                   if cid in org.contacts]
        return call.ok("ContactGroups", [_view(group, members)])
    return call.ok("ContactGroups", _rows(call, [_view(g) for g in _active(call)], "ContactGroup"))


def _create_one(call: Call, el: Any) -> Outcome:
    if not isinstance(el, dict):
        return failed({}, ["A ContactGroup element is required."])
    name = " ".join(str(el.get("Name") or "").split())
    if not name:
        return failed(el, ["A Contact Group Name must be specified."])
    if any(g["Name"].lower() == name.lower() for g in _active(call)):
        return failed(el, [f"A Contact Group with the name '{name}' already exists."])
    if len(_active(call)) >= GROUP_LIMIT:
        return failed(el, [LIMIT_TEXT])
    gid = str(uuid.uuid4())
    group = {"ContactGroupID": gid, "Name": name, "Status": "ACTIVE", "ContactIDs": []}
    call.org.contact_groups[gid] = group
    return Outcome(_view(group))


def _add(call: Call, group: dict) -> httpx.Response:
    """All or nothing: an unknown contact refuses the whole request."""
    elements = call.elements("Contacts", "Contact")
    ids = [str(el.get("ContactID") or "").lower() if isinstance(el, dict) else "" for el in elements]
    bad = [{**(el if isinstance(el, dict) else {}), "HasValidationErrors": True,
            "ValidationErrors": [{"Message": "The contact does not exist or is not valid for this organisation."}]}
           for el, cid in zip(elements, ids, strict=True) if cid not in call.org.contacts]
    if bad:
        return xero_response(400, validation_exception(bad))
    members = group.setdefault("ContactIDs", [])
    for cid in ids:
        if cid not in members:
            members.append(cid)
    return call.ok("Contacts", [{"ContactID": cid, "Addresses": [], "Phones": [], "ContactGroups": [],
                                 "ContactPersons": [], "HasValidationErrors": False, "ValidationErrors": []}
                                for cid in dict.fromkeys(ids)])


def _remove(call: Call, group: dict, contact_id: str | None) -> httpx.Response:
    members = group.setdefault("ContactIDs", [])
    if contact_id is None:
        members.clear()
        return httpx.Response(204)
    if contact_id.lower() not in members:
        return xero_response(400, validation_exception([{
            "ContactID": contact_id, "HasValidationErrors": True,
            "ValidationErrors": [{"Message": "The contact is not in this contact group."}]}]))
    members.remove(contact_id.lower())
    return httpx.Response(204)


def write(call: Call) -> httpx.Response:
    rest = call.path_rest
    if not rest and call.method == "PUT":
        return run_batch(call, "ContactGroups", call.elements("ContactGroups", "ContactGroup"),
                         lambda el: _create_one(call, el))
    if len(rest) >= 2 and rest[1].lower() == "contacts":
        group = _group(call, rest[0])
        if call.method == "PUT" and len(rest) == 2:
            return _add(call, group)
        if call.method == "DELETE" and len(rest) <= 3:
            return _remove(call, group, rest[2] if len(rest) == 3 else None)
    return text_response(404, NOT_FOUND_TEXT)
