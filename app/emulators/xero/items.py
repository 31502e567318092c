"""/Items: list (where/order/If-Modified-Since/unitdp, no paging), read by ItemID or Code, PUT (create), POST
(create or update matching ItemID > Code), DELETE. ``Code`` is unique (the spec's "Price List Item with Code ''X''
already exists"); ``IsSold=false`` nulls Description and SalesDetails, ``IsPurchased=false`` the purchase side.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from .calls import Call, CallError, Outcome, failed, filter_and_sort, make_resolver, run_batch
from .reference import TAX_RATES, accounts
from .state import Item, Org
from .views import item_view
from .wire import NOT_FOUND_TEXT, round2, round4, text_response, to_decimal


def _detail(side: str, key: str):
    return lambda item: (getattr(item, side) or {}).get(key)


def resolver(org: Org):
    extra = {f"{side}.{k}": _detail(side, k)
             for side in ("SalesDetails", "PurchaseDetails") for k in ("UnitPrice", "AccountCode", "TaxType")}
    return make_resolver(Item, ("UpdatedDateUTC",), extra)


def find(org: Org, key: str) -> Item | None:
    item = org.items.get(key) or org.items.get(key.lower())
    if item is None:
        iid = org.item_codes.get(key.lower())
        item = org.items.get(iid) if iid else None
    return item


def get(call: Call) -> httpx.Response:
    org = call.org
    if call.path_rest:
        item = find(org, call.path_rest[0])
        if item is None:
            return text_response(404, NOT_FOUND_TEXT)
        return call.ok("Items", [item_view(item, call.unitdp4)])
    records = filter_and_sort(call, org.items.values(), resolver(org), "Item")
    return call.ok("Items", [item_view(i, call.unitdp4) for i in records])


def _details(org: Org, raw: Any, side: str, unitdp4: bool, errors: list[str], current: dict | None) -> dict | None:
    if not isinstance(raw, dict):
        return current
    out = dict(current or {})
    if "UnitPrice" in raw:
        try:
            price = to_decimal(raw.get("UnitPrice"))
        except ValueError:
            errors.append(f"{side}.UnitPrice must be a number.")
            price = None
        if price is not None:
            out["UnitPrice"] = round4(price) if unitdp4 else round2(price)
        else:
            out.pop("UnitPrice", None)
    codes = {a["Code"] for a in accounts(org.CountryCode, org.TenantID)}
    for key in ("AccountCode", "COGSAccountCode"):
        if raw.get(key):
            if str(raw[key]) not in codes:
                errors.append(f"Account code '{raw[key]}' is not a valid code for this document.")
            out[key] = str(raw[key])
    if raw.get("TaxType"):
        if raw["TaxType"] not in {r["TaxType"] for r in TAX_RATES[org.CountryCode]}:
            errors.append(f"The TaxType code {raw['TaxType']} does not exist or cannot be used for this type of "
                          "transaction.")
        out["TaxType"] = str(raw["TaxType"])
    return out or None


def prepare(org: Org, el: dict, target: Item | None, call: Call) -> tuple[dict, list[str]]:
    errors: list[str] = []
    changes: dict[str, Any] = {}
    for key, limit in (("Code", 30), ("Name", 50), ("Description", 4000), ("PurchaseDescription", 4000),
                       ("InventoryAssetAccountCode", None)):
        if key in el and el[key] is not None:
            value = str(el[key]).strip() if key in ("Code", "Name") else str(el[key])
            if limit and len(value) > limit:
                errors.append(f"The {key} must not be longer than {limit} characters.")
            changes[key] = value
    code = changes.get("Code", target.Code if target else "")
    if not code:
        errors.append("Item Code must be specified.")
    if target is None and not changes.get("Name"):
        changes["Name"] = code  # Xero names an item after its code when no name is sent
    for key in ("IsSold", "IsPurchased"):
        if key in el and el[key] is not None:
            changes[key] = el[key] is True or str(el[key]).lower() == "true"
    changes["SalesDetails"] = _details(org, el.get("SalesDetails"), "SalesDetails", call.unitdp4, errors,
                                       target.SalesDetails if target else None)
    changes["PurchaseDetails"] = _details(org, el.get("PurchaseDetails"), "PurchaseDetails", call.unitdp4, errors,
                                          target.PurchaseDetails if target else None)
    if changes.get("IsSold") is False:
        changes["Description"], changes["SalesDetails"] = "", None
    if changes.get("IsPurchased") is False:
        changes["PurchaseDescription"], changes["PurchaseDetails"] = "", None
    if code:
        other_id = org.item_codes.get(code.lower())
        if other_id and (target is None or other_id != target.ItemID):
            errors.append(f"Price List Item with Code ''{code}'' already exists")
    return changes, errors


def commit(org: Org, target: Item | None, changes: dict, now_ms: int) -> Item:
    if target is None:
        target = Item(ItemID=str(uuid.uuid4()), Code=changes["Code"])
        org.items[target.ItemID] = target
        real = changes
    else:
        real = {k: v for k, v in changes.items() if getattr(target, k) != v}
        if not real:
            return target
        org.item_codes.pop(target.Code.lower(), None)
    for key, value in real.items():
        setattr(target, key, value)
    target.UpdatedDateUTC = now_ms
    org.item_codes[target.Code.lower()] = target.ItemID
    return target


def upsert_one(call: Call, el: Any, path_key: str | None = None) -> Outcome:
    org = call.org
    if not isinstance(el, dict):
        return failed({}, ["An Item element is required."])
    target = None
    if path_key:
        target = find(org, path_key)
        if target is None:
            raise CallError(text_response(404, NOT_FOUND_TEXT))
    elif el.get("ItemID"):
        target = org.items.get(str(el["ItemID"]).lower())
        if target is None:
            return failed(el, ["The document with the supplied id was not found for this endpoint."])
    if target is not None and not el.get("Code") and call.source == "api" and \
            call.switches.get("item_update_needs_code"):
        return failed(el, ["Item Code must be specified."])
    elif call.method == "POST" and el.get("Code"):
        target = find(org, str(el["Code"]).strip())
    changes, errors = prepare(org, el, target, call)
    if errors:
        return failed(el, errors)
    item = commit(org, target, changes, call.now_ms)
    return Outcome(item_view(item, call.unitdp4))


def write(call: Call) -> httpx.Response:
    path_key = call.path_rest[0] if call.path_rest else None
    if call.method == "DELETE":
        item = find(call.org, path_key or "")
        if item is None:
            return text_response(404, NOT_FOUND_TEXT)
        del call.org.items[item.ItemID]
        call.org.item_codes.pop(item.Code.lower(), None)
        return httpx.Response(204)
    if call.method == "PUT" and path_key:
        return text_response(404, NOT_FOUND_TEXT)
    elements = call.elements("Items", "Item")
    return run_batch(call, "Items", elements, lambda el: upsert_one(call, el, path_key))

