"""Deterministic starting data: ``empty``, ``demo`` (the demo_story business plus a small NZ org) and ``large:N``.

Ids come from uuid5 (demo) or a seeded RNG (large), so every run has the same ids. Dates are laid out backwards
from the start of the clock's current day, so everything is in the past whatever the clock says.

``large:N`` keeps memory modest: its invoices store only totals and a ``LineSeed``; :func:`lines_of` regenerates
the 1–5 lines on demand and :func:`materialise_lines` pins them when a write needs them.
"""

from __future__ import annotations

import gc
import hashlib
import random
import re
import uuid
from decimal import Decimal

from .. import demo_story as story
from .calc import apply_totals, line_amounts, line_tax
from .reference import DAY_RATES, stable_id, tax_percent
from .state import Contact, Invoice, Item, LineItem, Org, Payment
from .wire import DAY_MS, ZERO, day_floor

MAIN_TENANT = stable_id("tenant", "bluegum-au")
NZ_TENANT = stable_id("tenant", "bluegum-nz")
NZ_ORG_NAME = "Bluegum Supply Co (NZ)"
HOUR_MS = 3_600_000
ITEM_PRICES = {code: (Decimal(sale), Decimal(buy), gst) for code, _n, _d, sale, buy, gst, _z in story.ITEMS}


def rng_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def parse_seed(seed: str) -> tuple[str, int]:
    if seed in ("demo", "empty"):
        return seed, 0
    m = re.fullmatch(r"large:(\d+)", seed)
    if not m:
        raise ValueError(f"seed must be 'demo', 'empty' or 'large:N', not {seed!r}")
    return "large", int(m.group(1))


def build(seed: str, now_ms: int) -> list[Org]:
    kind, n = parse_seed(seed)
    anchor = day_floor(now_ms) - DAY_MS  # yesterday 00:00 UTC: every seeded time (≤ anchor + 24 h) is in the past
    if kind == "empty":
        return [_main_org(anchor)]
    if kind == "large":
        enabled = gc.isenabled()
        gc.disable()  # hundreds of thousands of acyclic objects: collecting midway only costs time
        try:
            return [_large(_main_org(anchor), n, anchor)]
        finally:
            gc.freeze()  # keep the collector from rescanning the seed's objects (a half-second pause otherwise)
            if enabled:
                gc.enable()
    return [_demo_main(anchor), _demo_nz(anchor)]


def _main_org(anchor: int) -> Org:
    org = Org(TenantID=MAIN_TENANT, Name=story.ORG_NAME, ShortCode="!bLu3G", CountryCode="AU", BaseCurrency="AUD",
              Timezone="AUSEASTERNSTANDARDTIME", TaxNumber=story.ORG_ABN, LegalName=story.ORG_NAME,
              CreatedDateUTC=anchor - 3 * 365 * DAY_MS + 9 * HOUR_MS, currencies=[story.ORG_CURRENCY])
    return org


# ----- lines ---------------------------------------------------------------------------------------------------
def make_line(country: str, amount_types: str, line_id: str, description: str, qty: Decimal | None,
              unit: Decimal | None, tax_type: str, account: str, item_code: str = "",
              line_amount: Decimal | None = None, discount_rate: Decimal | None = None) -> tuple[LineItem, Decimal]:
    quantity, unit_amount, amount, discount = line_amounts(qty, unit, line_amount, discount_rate, None)
    tax = line_tax(amount, tax_percent(country, tax_type) or ZERO, amount_types)
    return LineItem(LineItemID=line_id, Description=description, Quantity=quantity, UnitAmount=unit_amount,
                    ItemCode=item_code, AccountCode=account, TaxType=tax_type, TaxAmount=tax, LineAmount=amount,
                    DiscountRate=discount_rate), discount


_M64 = (1 << 64) - 1


def _lcg(x: int) -> int:
    return (x * 6364136223846793005 + 1442695040888963407) & _M64


def _line_specs(line_seed: int) -> list[tuple[int, int]]:
    """(item index, quantity) for each of the 1–5 lines a large-seed invoice has; cheap and deterministic."""
    x = _lcg(line_seed)
    specs = []
    for _ in range(1 + (x >> 33) % 5):
        x = _lcg(x)
        specs.append(((x >> 33) % len(story.ITEMS), 1 + (x >> 17) % 12))
    return specs


def _spec_terms(item_idx: int, inv_type: str, foreign: bool) -> tuple[str, str, Decimal, str, str]:
    code, _name, desc, sale, buy, gst, _z = story.ITEMS[item_idx]
    if inv_type == "ACCREC":
        return code, desc, Decimal(sale), "EXEMPTEXPORT" if foreign else ("OUTPUT" if gst else "EXEMPTOUTPUT"), "200"
    return code, desc, Decimal(buy) if Decimal(buy) else Decimal(sale), "INPUT" if gst else "EXEMPTEXPENSES", "300"


def _line_id(line_seed: int, k: int) -> str:
    h = hashlib.blake2b(f"{line_seed}:{k}".encode(), digest_size=16).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _generated_lines(line_seed: int, inv_type: str, amount_types: str, foreign: bool) -> list[LineItem]:
    lines = []
    for k, (idx, qty) in enumerate(_line_specs(line_seed)):
        code, desc, unit, tax, account = _spec_terms(idx, inv_type, foreign)
        line, _ = make_line("AU", amount_types, _line_id(line_seed, k), desc, Decimal(qty), unit, tax, account, code)
        lines.append(line)
    return lines


_AMOUNT_CACHE: dict[tuple, tuple[Decimal, Decimal]] = {}


def _generated_totals(line_seed: int, inv_type: str, amount_types: str, foreign: bool) -> tuple[Decimal, Decimal]:
    """(Total, TotalTax) of :func:`_generated_lines` without building the lines (same per-line arithmetic)."""
    line_sum = tax_sum = ZERO
    for idx, qty in _line_specs(line_seed):
        key = (idx, qty, inv_type, amount_types, foreign)
        pair = _AMOUNT_CACHE.get(key)
        if pair is None:
            _code, _desc, unit, tax_type, _acc = _spec_terms(idx, inv_type, foreign)
            amount = line_amounts(Decimal(qty), unit, None, None, None)[2]
            pair = _AMOUNT_CACHE[key] = (amount, line_tax(amount, tax_percent("AU", tax_type) or ZERO, amount_types))
        line_sum += pair[0]
        tax_sum += pair[1]
    total = line_sum if amount_types == "Inclusive" else line_sum + tax_sum
    return total, tax_sum


def _fast_uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def lines_of(org: Org, inv: Invoice) -> list[LineItem]:
    """The invoice's lines, regenerating a large seed's lazy lines without storing them."""
    if inv.LineItems is not None:
        return inv.LineItems
    if inv.LineSeed:
        return _generated_lines(inv.LineSeed, inv.Type, inv.LineAmountTypes, inv.CurrencyCode != org.BaseCurrency)
    return []


def materialise_lines(org: Org, inv: Invoice) -> list[LineItem]:
    if inv.LineItems is None:
        inv.LineItems = lines_of(org, inv)
        inv.LineSeed = 0
    return inv.LineItems


# ----- demo ----------------------------------------------------------------------------------------------------
def _phone(text: str, default_country: str) -> dict:
    text = text.strip()
    if not text:
        return {}
    if text.startswith("+"):
        parts = text[1:].split(" ", 2)
        if len(parts) == 3:
            return {"PhoneCountryCode": parts[0], "PhoneAreaCode": parts[1], "PhoneNumber": parts[2]}
    m = re.fullmatch(r"\(?(0\d)\)? (.+)", text)
    if m:
        return {"PhoneCountryCode": default_country, "PhoneAreaCode": m.group(1), "PhoneNumber": m.group(2)}
    return {"PhoneNumber": text}


COUNTRY_NAMES = {"AU": "Australia", "NZ": "New Zealand", "US": "United States"}


def _demo_contact(tenant: str, c: dict, updated: int) -> Contact:
    country = c.get("country", "AU")
    persons = c.get("persons") or []
    first, last = (persons[0][0], persons[0][1]) if persons else ("", "")
    street = {"AddressLine1": c["street"], "City": c["city"], "Region": c["region"], "PostalCode": c["postcode"],
              "Country": COUNTRY_NAMES.get(country, "Australia")}
    addresses = {"STREET": street}
    if c["street"].upper().startswith("PO BOX"):
        addresses = {"POBOX": street}
    phone_kind = "MOBILE" if c["phone"].startswith("04") else "DEFAULT"
    phones = {phone_kind: _phone(c["phone"], "64" if country == "NZ" else "61")} if c["phone"] else None
    return Contact(
        ContactID=stable_id(tenant, "contact", c["key"]), Name=c["name"],
        ContactStatus="ARCHIVED" if c.get("archived") else "ACTIVE",
        FirstName=first, LastName=last, EmailAddress=c["email"], TaxNumber=c["abn"],
        DefaultCurrency=c.get("currency", ""), Website=c.get("website", ""), Addresses=addresses, Phones=phones,
        ContactPersons=[{"FirstName": f, "LastName": la, "EmailAddress": e, "IncludeInEmails": True}
                        for f, la, e in persons[1:]] or None,
        AccountsReceivableTaxType="EXEMPTEXPORT" if country != "AU" else "",
        SalesDefaultLineAmountType="EXCLUSIVE", PurchasesDefaultLineAmountType="EXCLUSIVE",
        PaymentTerms={"Sales": {"Day": c["terms"][0], "Type": c["terms"][1]}} if c.get("terms") else None,
        UpdatedDateUTC=updated,
    )


def _demo_items(org: Org, anchor: int, rng: random.Random) -> None:
    for n, (code, name, desc, sale, buy, gst, _z) in enumerate(story.ITEMS):
        buy_d = Decimal(buy)
        item = Item(ItemID=stable_id(org.TenantID, "item", code), Code=code, Name=name, Description=desc,
                    PurchaseDescription=desc if buy_d else "", IsSold=True, IsPurchased=bool(buy_d),
                    SalesDetails={"UnitPrice": Decimal(sale), "AccountCode": "200",
                                  "TaxType": "OUTPUT" if gst else "EXEMPTOUTPUT"},
                    PurchaseDetails={"UnitPrice": buy_d, "AccountCode": "300",
                                     "TaxType": "INPUT" if gst else "EXEMPTEXPENSES"} if buy_d else None,
                    UpdatedDateUTC=anchor - (500 - 7 * n) * DAY_MS + rng.randrange(8, 17) * HOUR_MS)
        org.items[item.ItemID] = item


def _add_invoice(org: Org, inv: Invoice, lines: list[LineItem], discount: Decimal = ZERO) -> None:
    inv.LineItems = lines
    apply_totals(inv, lines, discount)
    org.invoices[inv.InvoiceID] = inv
    contact = org.contacts[inv.ContactID]
    if inv.Type == "ACCREC":
        contact.IsCustomer = True
    else:
        contact.IsSupplier = True


def _pay(org: Org, inv: Invoice, amount: Decimal, when: int, key: str) -> None:
    bank = "090"
    pay = Payment(PaymentID=stable_id(org.TenantID, "payment", key), InvoiceID=inv.InvoiceID, Date=day_floor(when),
                  Amount=amount, AccountID=stable_id(org.TenantID, "account", bank), AccountCode=bank,
                  PaymentType="ACCRECPAYMENT" if inv.Type == "ACCREC" else "ACCPAYPAYMENT",
                  CurrencyRate=inv.CurrencyRate, Reference=f"EFT {key[-4:]}", IsReconciled=True,
                  UpdatedDateUTC=when)
    org.payments[pay.PaymentID] = pay
    inv.AmountPaid += amount
    inv.UpdatedDateUTC = max(inv.UpdatedDateUTC, when)
    if inv.AmountDue == 0:
        inv.Status = "PAID"
        inv.FullyPaidOnDate = day_floor(when)


def _usd_invoice(org: Org, anchor: int, number: int) -> None:
    """Pacific Bean Traders' order, invoiced in US dollars at Xero's rate of the day: a GST-free export."""
    date = anchor - 12 * DAY_MS
    rate = DAY_RATES[("AUD", story.THIRD_CURRENCY)]
    inv = Invoice(InvoiceID=stable_id(org.TenantID, "invoice", "usd-1"), Type="ACCREC",
                  ContactID=stable_id(org.TenantID, "contact", "pacific"), InvoiceNumber=f"INV-{number:04d}",
                  Reference="PBT-PO-2211", Date=date, DueDate=date + 30 * DAY_MS, Status="AUTHORISED",
                  LineAmountTypes="Exclusive", CurrencyCode=story.THIRD_CURRENCY, CurrencyRate=rate,
                  SentToContact=True, UpdatedDateUTC=date + 10 * HOUR_MS)
    lines = []
    for k, (code, qty) in enumerate((("BEAN-1KG", 40), ("BEAN-DECAF", 10))):
        sale = ITEM_PRICES[code][0]
        line, _ = make_line("AU", "Exclusive", stable_id(org.TenantID, "line", "usd-1", k),
                            next(d for c, _n, d, *_r in story.ITEMS if c == code), Decimal(qty),
                            (sale * rate).quantize(Decimal("0.01")), "EXEMPTEXPORT", "200", code)
        lines.append(line)
    _add_invoice(org, inv, lines)


def _demo_main(anchor: int) -> Org:
    rng = random.Random(20261102)
    org = _main_org(anchor)
    org.currencies = [story.ORG_CURRENCY, story.SECOND_CURRENCY, story.THIRD_CURRENCY]
    tenant = org.TenantID
    for n, c in enumerate(story.CUSTOMERS):
        if c.get("own_invoices"):  # added to the story later: drawn from nothing, so the rest stays as it was
            org.contacts[stable_id(tenant, "contact", c["key"])] = _demo_contact(
                tenant, c, anchor - 60 * DAY_MS + 10 * HOUR_MS)
            continue
        updated = anchor - (420 - 9 * n) * DAY_MS + rng.randrange(7 * 3600, 18 * 3600) * 1000 + rng.randrange(1000)
        if c.get("archived"):
            updated = anchor - (40 + 11 * n % 60) * DAY_MS + rng.randrange(9, 17) * HOUR_MS
        org.contacts[stable_id(tenant, "contact", c["key"])] = _demo_contact(tenant, c, updated)
    _demo_items(org, anchor, rng)

    customers = [c for c in story.CUSTOMERS if not c.get("supplier") and not c.get("archived")
                 and not c.get("own_invoices")]
    # (customer key, status, days ago, partly paid?) — 52 sales invoices laid out by status.
    plan: list[tuple[str, str, int, bool]] = []
    layout = (["PAID"] * 21 + ["AUTHORISED"] * 15 + ["DRAFT"] * 6 + ["SUBMITTED"] * 4 + ["VOIDED"] * 3
              + ["DELETED"] * 3)
    ranges = {"PAID": (45, 200), "AUTHORISED": (3, 80), "DRAFT": (0, 9), "SUBMITTED": (1, 14), "VOIDED": (20, 150),
              "DELETED": (10, 120)}
    for i, status in enumerate(layout):
        cust = customers[(i * 7) % len(customers)]["key"]
        low, high = ranges[status]
        plan.append((cust, status, rng.randint(low, high), status == "AUTHORISED" and i % 4 == 0))
    plan.append(("oldmill", "PAID", 310, False))
    plan.append(("sunset", "PAID", 270, False))
    plan.sort(key=lambda p: -p[2])

    items = story.ITEMS
    for n, (key, status, days, part_paid) in enumerate(plan):
        cust = next(c for c in story.CUSTOMERS if c["key"] == key)
        foreign = cust.get("currency") == "NZD"
        amount_types = "Inclusive" if n % 5 == 3 and not foreign else "Exclusive"
        inv_id = stable_id(tenant, "invoice", n)
        date = anchor - days * DAY_MS
        created = date + rng.randrange(8, 17) * HOUR_MS + rng.randrange(3_600_000)
        inv = Invoice(InvoiceID=inv_id, Type="ACCREC", ContactID=stable_id(tenant, "contact", key),
                      InvoiceNumber=f"INV-{n + 1:04d}", Reference=f"PO-{4100 + n * 3}" if n % 3 else "",
                      Date=date, DueDate=date + 30 * DAY_MS, Status=status, LineAmountTypes=amount_types,
                      CurrencyCode="NZD" if foreign else "AUD",
                      CurrencyRate=DAY_RATES[("AUD", "NZD")] if foreign else Decimal("1.000000"),
                      SentToContact=status in ("AUTHORISED", "PAID"), UpdatedDateUTC=created)
        lines = []
        discount_total = ZERO
        for k in range(1 + rng.randrange(4)):
            code, name, desc, sale, buy, gst, _z = items[rng.randrange(len(items))]
            tax = "EXEMPTEXPORT" if foreign else ("OUTPUT" if gst else "EXEMPTOUTPUT")
            unit = Decimal(sale) * (Decimal("1.1") if amount_types == "Inclusive" and gst else 1)
            disc = Decimal("10.00") if (n % 11 == 4 and k == 0) else None
            line, d = make_line("AU", amount_types, stable_id(tenant, "line", n, k), desc,
                                Decimal(1 + rng.randrange(10)), unit.quantize(Decimal("0.01")), tax, "200", code,
                                discount_rate=disc)
            lines.append(line)
            discount_total += d
        _add_invoice(org, inv, lines, discount_total)
        if status in ("VOIDED", "DELETED"):
            inv.UpdatedDateUTC = created + rng.randint(2, 9) * DAY_MS
        if status == "PAID":
            inv.Status = "AUTHORISED"
            paid_at = min(date + rng.randint(5, 35) * DAY_MS, anchor - DAY_MS) + rng.randrange(9, 16) * HOUR_MS
            if n % 6 == 1:  # paid in two instalments
                half = (inv.Total / 2).quantize(Decimal("0.01"))
                _pay(org, inv, half, paid_at - 4 * DAY_MS, f"{n}-a")
                _pay(org, inv, inv.Total - half, paid_at, f"{n}-b")
            else:
                _pay(org, inv, inv.Total, paid_at, f"{n}")
        elif part_paid:
            paid_at = min(date + 2 * DAY_MS, anchor - DAY_MS) + 10 * HOUR_MS
            _pay(org, inv, (inv.Total * Decimal("0.4")).quantize(Decimal("0.01")), paid_at, f"{n}-p")
    _usd_invoice(org, anchor, len(plan) + 1)
    for name, keys in story.CONTACT_GROUPS.items():
        gid = stable_id(tenant, "contact-group", name)
        org.contact_groups[gid] = {"ContactGroupID": gid, "Name": name, "Status": "ACTIVE",
                                   "ContactIDs": [stable_id(tenant, "contact", k) for k in keys]}
    org.next_invoice_number = len(plan) + 2

    # Bills from suppliers (ACCPAY): InvoiceNumber is the supplier's reference and need not be unique.
    bills = [("paperco", "PAID", 150, [("PAPER-A4", 40), ("TONER-HP", 6)]),
             ("paperco", "PAID", 90, [("CUP-8OZ", 20), ("LID-8OZ", 20)]),
             ("paperco", "AUTHORISED", 12, [("CUP-12OZ", 15), ("NAPKIN", 10)]),
             ("paperco", "DRAFT", 2, [("PAPER-A4", 25)]),
             ("beanimport", "PAID", 75, [("BEAN-1KG", 120), ("BEAN-DECAF", 30)]),
             ("beanimport", "AUTHORISED", 20, [("BEAN-1KG", 100)]),
             ("ato", "AUTHORISED", 25, []),
             ("sydneywater", "PAID", 60, [])]
    for n, (key, status, days, lines_plan) in enumerate(bills):
        inv_id = stable_id(tenant, "bill", n)
        date = anchor - days * DAY_MS
        inv = Invoice(InvoiceID=inv_id, Type="ACCPAY", ContactID=stable_id(tenant, "contact", key),
                      InvoiceNumber=f"{key[:3].upper()}-{7000 + n * 13}", Date=date, DueDate=date + 14 * DAY_MS,
                      Status=status, UpdatedDateUTC=date + 10 * HOUR_MS + n * 61_000)
        lines = []
        for k, (code, qty) in enumerate(lines_plan):
            sale, buy, gst = ITEM_PRICES[code]
            line, _ = make_line("AU", "Exclusive", stable_id(tenant, "bill-line", n, k),
                                next(d for c, _n, d, *_r in items if c == code), Decimal(qty), buy,
                                "INPUT" if gst else "EXEMPTEXPENSES", "300", code)
            lines.append(line)
        if key == "ato":
            line, _ = make_line("AU", "NoTax", stable_id(tenant, "bill-line", n, 0), "BAS payable — September quarter",
                                Decimal(1), Decimal("4862.00"), "BASEXCLUDED", "820")
            inv.LineAmountTypes = "NoTax"
            lines.append(line)
        if key == "sydneywater":
            line, _ = make_line("AU", "Exclusive", stable_id(tenant, "bill-line", n, 0), "Water usage — warehouse",
                                Decimal(1), Decimal("318.45"), "EXEMPTEXPENSES", "445")
            lines.append(line)
        _add_invoice(org, inv, lines)
        if status == "PAID":
            inv.Status = "AUTHORISED"
            _pay(org, inv, inv.Total, min(date + 12 * DAY_MS, anchor - DAY_MS) + 11 * HOUR_MS, f"bill-{n}")
    org.reindex()
    return org


NZ_CONTACTS = [
    ("pohutukawa", "Pohutukawa Cafe", "kia.ora@pohutukawacafe.co.nz", "+64 9 555 0301", "Auckland", "1010"),
    ("alps", "Southern Alps Outfitters Ltd", "shop@southernalps.co.nz", "+64 3 555 0302", "Queenstown", "9300"),
    ("welprint", "Wellington Print Co", "jobs@wellingtonprint.co.nz", "+64 4 555 0303", "Wellington", "6011"),
    ("kauri", "Kauri Joinery Ltd", "office@kaurijoinery.co.nz", "+64 9 555 0304", "Whangarei", "0110"),
    ("harbourside", "Harbourside Deli", "hello@harboursidedeli.co.nz", "+64 3 555 0305", "Dunedin", "9016"),
]


def _demo_nz(anchor: int) -> Org:
    org = Org(TenantID=NZ_TENANT, Name=NZ_ORG_NAME, ShortCode="!nZb1u", CountryCode="NZ", BaseCurrency="NZD",
              Timezone="NEWZEALANDSTANDARDTIME", TaxNumber="123-456-789", LegalName="Bluegum Supply Co (NZ) Limited",
              CreatedDateUTC=anchor - 400 * DAY_MS, currencies=["NZD", "AUD"])
    for n, (key, name, email, phone, city, postcode) in enumerate(NZ_CONTACTS):
        c = Contact(ContactID=stable_id(org.TenantID, "contact", key), Name=name, EmailAddress=email,
                    Addresses={"STREET": {"AddressLine1": f"{10 + n} Main St", "City": city, "PostalCode": postcode,
                                          "Country": "New Zealand"}},
                    Phones={"DEFAULT": _phone(phone, "64")}, UpdatedDateUTC=anchor - (200 - 20 * n) * DAY_MS)
        org.contacts[c.ContactID] = c
    for n, (key, status, days) in enumerate([("pohutukawa", "PAID", 40), ("alps", "AUTHORISED", 10),
                                             ("kauri", "DRAFT", 1)]):
        date = anchor - days * DAY_MS
        inv = Invoice(InvoiceID=stable_id(org.TenantID, "invoice", n), Type="ACCREC",
                      ContactID=stable_id(org.TenantID, "contact", key), InvoiceNumber=f"INV-{n + 1:04d}",
                      Date=date, DueDate=date + 20 * DAY_MS, Status=status, CurrencyCode="NZD",
                      UpdatedDateUTC=date + 9 * HOUR_MS)
        line, _ = make_line("NZ", "Exclusive", stable_id(org.TenantID, "line", n), "Café supplies bundle",
                            Decimal(2 + n), Decimal("120.00"), "OUTPUT2", "200")
        _add_invoice(org, inv, [line])
        if status == "PAID":
            inv.Status = "AUTHORISED"
            _pay(org, inv, inv.Total, date + 5 * DAY_MS + 10 * HOUR_MS, f"nz-{n}")
    org.next_invoice_number = 4
    org.reindex()
    return org


# ----- large ---------------------------------------------------------------------------------------------------
_ADJ = ["Acacia", "Banksia", "Coastal", "Dune", "Eastern", "Fern", "Golden", "Harbour", "Ironwood", "Jarrah",
        "Kestrel", "Lagoon", "Mallee", "Northern", "Outback", "Pacific", "Quartz", "Red Gum", "Southern", "Tasman",
        "Urban", "Valley", "Wattle", "Yarra"]
_NOUN = ["Bakery", "Builders", "Cafe", "Dental", "Electrical", "Fitness", "Gardens", "Hardware", "Interiors",
         "Joinery", "Kitchens", "Logistics", "Motors", "Nursery", "Optometry", "Plumbing", "Roasters", "Supplies",
         "Traders", "Vets"]
_SUFFIX = ["Pty Ltd", "", "Co", "Group", "& Sons"]


def _large(org: Org, n: int, anchor: int) -> Org:
    rng = random.Random(n * 7919 + 17)
    org.currencies = [story.ORG_CURRENCY, story.SECOND_CURRENCY]
    _demo_items(org, anchor, random.Random(5))
    ids: list[str] = []
    span = 720 * DAY_MS
    contacts = org.contacts
    for i in range(n):
        cid = _fast_uuid(rng)
        name = f"{_ADJ[i % 24]} {_NOUN[(i // 24) % 20]} {i + 1:06d}"
        suffix = _SUFFIX[i % 5]
        contacts[cid] = Contact(ContactID=cid, Name=f"{name} {suffix}" if suffix else name,
                                EmailAddress=f"accounts{i + 1}@example{i % 89}.com.au",
                                ContactStatus="ARCHIVED" if i % 50 == 49 else "ACTIVE",
                                UpdatedDateUTC=anchor - span + (span * i) // max(n, 1) + rng.getrandbits(25))
        ids.append(cid)
    statuses = ["PAID"] * 45 + ["AUTHORISED"] * 30 + ["DRAFT"] * 10 + ["SUBMITTED"] * 5 + ["VOIDED"] * 5 + ["DELETED"] * 5
    one = Decimal("1.000000")
    nzd = DAY_RATES[("AUD", "NZD")]
    bank_id = stable_id(org.TenantID, "account", "090")
    interned: dict[Decimal, Decimal] = {}
    number = 0
    invoices, payments = org.invoices, org.payments
    for k in range(2 * n if n else 0):
        r = rng.getrandbits(64)
        contact = contacts[ids[r % n]]
        inv_type = "ACCPAY" if k % 10 == 9 else "ACCREC"
        status = statuses[(r >> 24) % 100]
        foreign = k % 23 == 0
        amount_types = "Inclusive" if k % 7 == 3 else "Exclusive"
        date = anchor - span + (span * k) // (2 * n)
        line_seed = rng.getrandbits(48) | 1
        if inv_type == "ACCREC":
            number += 1
            inv_number = f"INV-{number:04d}"
            contact.IsCustomer = True
        else:
            inv_number = f"BILL-{k:06d}"
            contact.IsSupplier = True
        total, tax = _generated_totals(line_seed, inv_type, amount_types, foreign)
        total = interned.setdefault(total, total)
        tax = interned.setdefault(tax, tax)
        inv = Invoice(InvoiceID=_fast_uuid(rng), Type=inv_type, ContactID=contact.ContactID,
                      InvoiceNumber=inv_number, Date=date, DueDate=date + 30 * DAY_MS, Status=status,
                      LineAmountTypes=amount_types, CurrencyCode="NZD" if foreign else "AUD",
                      CurrencyRate=nzd if foreign else one, LineSeed=line_seed, Total=total, TotalTax=tax,
                      UpdatedDateUTC=date + (r >> 32) % DAY_MS)
        invoices[inv.InvoiceID] = inv
        if status == "PAID":
            when = min(date + 10 * DAY_MS, anchor - HOUR_MS)
            pay = Payment(PaymentID=_fast_uuid(rng), InvoiceID=inv.InvoiceID, Date=day_floor(when), Amount=total,
                          AccountID=bank_id, AccountCode="090",
                          PaymentType="ACCRECPAYMENT" if inv_type == "ACCREC" else "ACCPAYPAYMENT",
                          CurrencyRate=inv.CurrencyRate, UpdatedDateUTC=when)
            payments[pay.PaymentID] = pay
            inv.AmountPaid = total
            inv.FullyPaidOnDate = pay.Date
            inv.UpdatedDateUTC = max(inv.UpdatedDateUTC, when)
    org.next_invoice_number = number + 1
    org.reindex()
    return org
