"""Seeds: ``empty`` (metadata only), ``demo`` (the Zoho side of :mod:`app.emulators.demo_story`), ``large:N``.

The demo seed is what the sales team typed into Zoho over the years: the customers' Zoho copies with their drift
(``zoho`` overrides: name variants, other phones, email case; ``duplicate_as`` adds a look-alike second account), the
Zoho-only prospects, a contact per customer (its first person) plus a few contacts without an account, leads,
products for the items sold through Zoho, and deals at every stage. Nothing is linked to Xero yet
(``Xero_Contact_ID`` empty). Creation and modification times are spread over the ~14 months before the clock's now;
ids and times are deterministic for a given clock.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from .. import demo_story as story

if TYPE_CHECKING:
    from . import ZohoEmulator

DAY = 86400.0
COUNTRIES = {"NZ": "New Zealand", "AU": "Australia"}
LOOSE_CONTACTS = [
    ("Sam", "Taylor", "sam.taylor@gmail.com", "0412 555 301"),
    ("Jess", "Owens", "jess@owensconsulting.com.au", "0423 555 302"),
    ("Raj", "Patel", "raj.patel@outlook.com", "0434 555 303"),
]
CATEGORIES = {"MACH-SVC": "Services", "INSTALL": "Services", "TRAIN-BARISTA": "Services",
              "CHAIR-ERG": "Hardware", "DESK-STAND": "Hardware", "TONER-HP": "Hardware"}


def parse_seed(seed: str) -> tuple[str, int]:
    if seed in ("demo", "empty"):
        return seed, 0
    if seed.startswith("large:"):
        count = int(seed.split(":", 1)[1])
        if count < 0:
            raise ValueError("large:N needs N >= 0")
        return "large", count
    raise ValueError(f"unknown Zoho seed {seed!r} (demo, empty or large:N)")


def apply(emu: ZohoEmulator, seed: str) -> None:
    kind, count = parse_seed(seed)
    if kind == "demo":
        _demo(emu)
    elif kind == "large":
        _large(emu, count)


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "")}


class _Timeline:
    """Creation times in creation order (ids grow with time, as in Zoho); some records edited later."""

    def __init__(self, emu: ZohoEmulator, count: int, seed: int) -> None:
        self.now = emu.clock.time()
        rng = random.Random(seed)
        start, end = self.now - 420 * DAY, self.now - 14 * DAY
        self.created = sorted(rng.uniform(start, end) for _ in range(count))
        self.modified = []
        for t in self.created:
            if rng.random() < 0.45:
                self.modified.append(t)
            else:
                self.modified.append(t + rng.random() * (self.now - DAY - t))
        self.i = 0

    def next(self) -> tuple[float, float]:
        pair = self.created[self.i], self.modified[self.i]
        self.i += 1
        return pair


def _put(emu: ZohoEmulator, timeline: _Timeline, module: str, raw: dict[str, Any],
         user: str = "sales") -> dict[str, Any]:
    created, modified = timeline.next()
    values = emu.validator.clean(module, _clean(raw), "$.seed", creating=True)
    rec = emu.store.create(module, values, user, when=created)
    if modified > created:
        from . import wire

        rec["_mtime"] = modified
        rec["Modified_Time"] = wire.fmt_time(modified, emu.tz)
    return rec


def _demo(emu: ZohoEmulator) -> None:
    customers = [c for c in story.CUSTOMERS if c["zoho"] is not None]
    extra_accounts = sum(1 for c in customers if c["zoho"].get("duplicate_as"))
    contacts = sum(1 for c in customers if c["persons"]) + len(LOOSE_CONTACTS)
    products = [item for item in story.ITEMS if item[-1]]
    total = (len(customers) + extra_accounts + len(story.ZOHO_ONLY_ACCOUNTS) + contacts + len(story.ZOHO_LEADS)
             + len(products) + len(story.DEALS))
    timeline = _Timeline(emu, total, seed=20261102)

    accounts: dict[str, dict[str, Any]] = {}
    first_contact: dict[str, dict[str, Any]] = {}
    for c in customers:
        z = c["zoho"]
        base = {
            "Account_Name": z.get("name", c["name"]), "Phone": z.get("phone", c["phone"]),
            "Email": z.get("email", c["email"]), "Website": c["website"], "ABN": c["abn"],
            "Billing_Street": c["street"], "Billing_City": c["city"], "Billing_State": c["region"],
            "Billing_Code": c["postcode"], "Billing_Country": COUNTRIES[c.get("country", "AU")],
            "Account_Type": "Customer", "Currency": z.get("currency", c.get("currency", story.ORG_CURRENCY)),
        }
        accounts[c["key"]] = _put(emu, timeline, "Accounts", base)
        if z.get("duplicate_as"):
            _put(emu, timeline, "Accounts", {**base, "Account_Name": z["duplicate_as"],
                                              "Description": "Entered at a trade show"})
    for a in story.ZOHO_ONLY_ACCOUNTS:
        accounts[a["key"]] = _put(emu, timeline, "Accounts", {
            "Account_Name": a["name"], "Phone": a["phone"], "Email": a["email"], "Billing_City": a["city"],
            "Billing_State": a["region"], "Billing_Country": "Australia", "Account_Type": a.get("type", "Prospect"),
        })
    for c in customers:
        if not c["persons"]:
            continue
        first, last, email = c["persons"][0]
        account = accounts[c["key"]]
        first_contact[c["key"]] = _put(emu, timeline, "Contacts", {
            "First_Name": first, "Last_Name": last, "Email": email, "Phone": account.get("Phone"),
            "Account_Name": {"id": account["id"]}, "Mailing_City": c["city"], "Mailing_State": c["region"],
            "Mailing_Country": COUNTRIES[c.get("country", "AU")],
        })
    for first, last, email, mobile in LOOSE_CONTACTS:
        _put(emu, timeline, "Contacts", {"First_Name": first, "Last_Name": last, "Email": email, "Mobile": mobile,
                                         "Lead_Source": "Web Research"})
    for lead in story.ZOHO_LEADS:
        _put(emu, timeline, "Leads", {
            "First_Name": lead["first"], "Last_Name": lead["last"], "Company": lead["company"],
            "Email": lead["email"], "Lead_Status": lead["status"], "Lead_Source": "Web Download",
            "Country": "Australia",
        })
    for code, name, description, price, _cost, gst, _in_zoho in products:
        _put(emu, timeline, "Products", {
            "Product_Name": name, "Product_Code": code, "Description": description, "Unit_Price": float(price),
            "Taxable": bool(gst), "Product_Active": True, "Usage_Unit": "Each",
            "Product_Category": CATEGORIES.get(code, "Consumables"),
        })
    for key, name, stage, amount, closing, lines in story.DEALS:
        account = accounts[key]
        contact = first_contact.get(key)
        _put(emu, timeline, "Deals", {
            "Deal_Name": name, "Stage": stage, "Amount": float(amount), "Closing_Date": closing,
            "Account_Name": {"id": account["id"]}, "Contact_Name": {"id": contact["id"]} if contact else None,
            "Currency": account.get("Currency"),
            "Type": "Existing Business" if account.get("Account_Type") == "Customer" else "New Business",
            "Description": ", ".join(f"{code} x {qty}" for code, qty in lines) or None,
        })


def _large(emu: ZohoEmulator, count: int) -> None:
    """``count`` accounts and ``count // 2`` contacts with deterministic made-up names; fast (no validation)."""
    rng = random.Random(count)
    timeline = _Timeline(emu, count + count // 2, seed=count)
    words = ["Acacia", "Banksia", "Coastal", "Delta", "Ember", "Fern", "Granite", "Harbour", "Iron", "Jarrah",
             "Kestrel", "Lagoon", "Mallee", "Nimbus", "Opal", "Pelican", "Quartz", "Reef", "Saltbush", "Tannin"]
    kinds = ["Cafe", "Dental", "Logistics", "Builders", "Studio", "Bakery", "Florist", "Fitness", "Law", "Supplies"]
    cities = [("Sydney", "NSW", "2000"), ("Melbourne", "VIC", "3000"), ("Brisbane", "QLD", "4000"),
              ("Perth", "WA", "6000"), ("Adelaide", "SA", "5000"), ("Hobart", "TAS", "7000")]
    from . import wire

    ids = []
    for n in range(count):
        city, state, code = cities[n % len(cities)]
        created, modified = timeline.next()
        rec = emu.store.create("Accounts", {
            "Account_Name": f"{rng.choice(words)} {rng.choice(kinds)} {n + 1:05d} Pty Ltd",
            "Phone": f"0{rng.randint(2, 8)} 9{rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            "Email": f"accounts{n + 1}@example.com.au", "Billing_City": city, "Billing_State": state,
            "Billing_Code": code, "Billing_Country": "Australia", "Account_Type": "Customer",
        }, "sales", when=created)
        rec["_mtime"], rec["Modified_Time"] = modified, wire.fmt_time(modified, emu.tz)
        ids.append(rec)
    for n in range(count // 2):
        account = ids[n * 2]
        created, modified = timeline.next()
        rec = emu.store.create("Contacts", {
            "First_Name": rng.choice(["Alex", "Sam", "Jo", "Chris", "Pat", "Lee", "Kim", "Max"]),
            "Last_Name": f"{rng.choice(words)}son", "Email": f"person{n + 1}@example.com.au",
            "Account_Name": {"name": account["Account_Name"], "id": account["id"]},
        }, "sales", when=created)
        rec["_mtime"], rec["Modified_Time"] = modified, wire.fmt_time(modified, emu.tz)
