"""The demo business both sandboxes are seeded from, so the two systems tell one believable story.

Bluegum Supply Co Pty Ltd, Sydney, sells café and office supplies plus a few services. Its bookkeeper keeps
customers in Xero; the sales team keeps (some of) the same customers in Zoho CRM, typed in by hand over the years,
so the copies drift: "Pty Ltd" vs "Pty. Ltd.", a changed phone, an email in another case. Some customers exist only
in one system, a few are archived in Xero, and two Zoho accounts look alike enough that a person must decide.

What each page of the app shows after the first sync: Conflicts & matches has the two Emu Plains look-alikes to
confirm; Failed records has Müller's Bakehaus, a new customer Priya typed into Zoho with the umlaut of the name in
its email address (Xero refuses email addresses with umlauts), to be corrected in Zoho and retried. After that sync
the business carries on (:data:`AFTER_FIRST_SYNC`, played by :mod:`app.emulators.demo_beats`): both sides type
Southern Cross Logistics' new ABN, one with two digits swapped, so the next sync asks which is right.

Plain data only; each emulator's seed module turns it into its own wire shapes.
"""

from __future__ import annotations

ORG_NAME = "Bluegum Supply Co Pty Ltd"
ORG_ABN = "49 624 595 711"
ORG_CURRENCY = "AUD"
SECOND_CURRENCY = "NZD"
THIRD_CURRENCY = "USD"  # Pacific Bean Traders' invoices
ORG_TIMEZONE_OFFSET = "+11:00"  # Sydney in summer (AEDT); Zoho shows times in the user's zone
SALES_USER = {"name": "Priya Raman", "email": "priya@bluegumsupply.com.au"}
ADMIN_USER = {"name": "Tom Whitfield", "email": "tom@bluegumsupply.com.au"}

# key: stable handle used by both seeds. zoho: None = not in Zoho; otherwise overrides of what the sales team typed.
# persons: (first, last, email) — the first is Xero's primary person.
CUSTOMERS: list[dict] = [
    {"key": "acme", "name": "Acme Catering Pty Ltd", "email": "accounts@acmecatering.com.au", "phone": "02 9555 0101",
     "abn": "85 661 250 090", "street": "12 Bridge St", "city": "Sydney", "region": "NSW", "postcode": "2000",
     "website": "https://acmecatering.com.au", "persons": [("Sarah", "Nguyen", "sarah@acmecatering.com.au"),
                                                          ("Mark", "Ellis", "mark@acmecatering.com.au")],
     "zoho": {"name": "Acme Catering Pty. Ltd."}},
    {"key": "harbour", "name": "Harbour View Cafe", "email": "hello@harbourviewcafe.com.au", "phone": "02 9555 0144",
     "abn": "73 569 568 058", "street": "3 Circular Quay", "city": "Sydney", "region": "NSW", "postcode": "2000",
     "website": "", "persons": [("Liam", "O'Brien", "liam@harbourviewcafe.com.au")],
     "zoho": {"phone": "02 9555 0199"}},
    {"key": "koala", "name": "Koala Kids Childcare Pty Ltd", "email": "Admin@KoalaKids.com.au", "phone": "02 9555 0210",
     "abn": "31 023 281 556", "street": "88 Pacific Hwy", "city": "Chatswood", "region": "NSW", "postcode": "2067",
     "website": "https://koalakids.com.au", "persons": [("Emma", "Walsh", "emma@koalakids.com.au")],
     "zoho": {"email": "admin@koalakids.com.au"}},
    {"key": "redgum", "name": "Redgum Dental Group", "email": "practice@redgumdental.com.au", "phone": "02 9555 0333",
     "abn": "14 281 152 896", "street": "240 George St", "city": "Sydney", "region": "NSW", "postcode": "2000",
     "website": "https://redgumdental.com.au", "persons": [("Dr Anil", "Kapoor", "anil@redgumdental.com.au")],
     "terms": (20, "OFFOLLOWINGMONTH"), "zoho": {}},
    {"key": "southern", "name": "Southern Cross Logistics Pty Ltd", "email": "ap@sxlogistics.com.au",
     "phone": "03 9555 0456", "abn": "20 052 172 123", "street": "17 Dock Rd", "city": "Port Melbourne",
     "region": "VIC", "postcode": "3207", "website": "https://sxlogistics.com.au",
     "persons": [("Grace", "Thompson", "grace@sxlogistics.com.au"), ("Ben", "Carter", "ben@sxlogistics.com.au")],
     "zoho": {"name": "Southern Cross Logistics"}},
    {"key": "wattle", "name": "Wattle & Co Interiors", "email": "studio@wattleandco.com.au", "phone": "02 9555 0520",
     "abn": "73 628 587 013", "street": "5 Crown St", "city": "Surry Hills", "region": "NSW", "postcode": "2010",
     "website": "https://wattleandco.com.au", "persons": [], "zoho": {"name": "Wattle and Co Interiors"}},
    {"key": "bondi", "name": "Bondi Surf Club", "email": "office@bondisurfclub.org.au", "phone": "02 9555 0611",
     "abn": "82 882 189 262", "street": "1 Queen Elizabeth Dr", "city": "Bondi Beach", "region": "NSW",
     "postcode": "2026", "website": "https://bondisurfclub.org.au", "persons": [("Jack", "Morrison", "jack@bondisurfclub.org.au")],
     "zoho": {}},
    {"key": "citrus", "name": "Citrus Law Pty Ltd", "email": "billing@citruslaw.com.au", "phone": "02 9555 0702",
     "abn": "42 258 406 214", "street": "60 Martin Pl", "city": "Sydney", "region": "NSW", "postcode": "2000",
     "website": "https://citruslaw.com.au", "persons": [("Olivia", "Chen", "olivia@citruslaw.com.au")],
     "zoho": {"name": "CITRUS LAW PTY LTD", "phone": "(02) 9555 0702"}},
    {"key": "mountain", "name": "Blue Mountains Retreat", "email": "stay@bmretreat.com.au", "phone": "02 4755 0800",
     "abn": "27 114 061 883", "street": "9 Katoomba St", "city": "Katoomba", "region": "NSW", "postcode": "2780",
     "website": "https://bmretreat.com.au", "persons": [], "zoho": {}},
    {"key": "pinnacle", "name": "Pinnacle Fitness Pty Ltd", "email": "accounts@pinnaclefit.com.au",
     "phone": "07 3555 0900", "abn": "53 837 068 238", "street": "44 Adelaide St", "city": "Brisbane",
     "region": "QLD", "postcode": "4000", "website": "https://pinnaclefit.com.au",
     "persons": [("Noah", "Williams", "noah@pinnaclefit.com.au")], "zoho": {"name": "Pinnacle Fitness P/L"}},
    {"key": "kiwi", "name": "Kiwi Roasters Ltd", "email": "orders@kiwiroasters.co.nz", "phone": "+64 9 555 0100",
     "abn": "", "street": "21 Ponsonby Rd", "city": "Auckland", "region": "", "postcode": "1011", "country": "NZ",
     "website": "https://kiwiroasters.co.nz", "persons": [("Aroha", "Parata", "aroha@kiwiroasters.co.nz")],
     "currency": "NZD", "zoho": {"currency": "NZD"}},
    {"key": "tasman", "name": "Tasman Design Studio Ltd", "email": "hello@tasmandesign.co.nz", "phone": "+64 4 555 0199",
     "abn": "", "street": "7 Cuba St", "city": "Wellington", "region": "", "postcode": "6011", "country": "NZ",
     "website": "https://tasmandesign.co.nz", "persons": [], "currency": "NZD", "zoho": None},
    {"key": "eucalypt", "name": "Eucalypt Medical Centre", "email": "reception@eucalyptmedical.com.au",
     "phone": "02 9555 1010", "abn": "66 405 287 644", "street": "150 Oxford St", "city": "Paddington",
     "region": "NSW", "postcode": "2021", "website": "", "persons": [("Hannah", "Lee", "hannah@eucalyptmedical.com.au")],
     "zoho": {"email": "Reception@EucalyptMedical.com.au"}},
    {"key": "ferry", "name": "Manly Ferry Kiosk", "email": "kiosk@manlyferry.com.au", "phone": "02 9555 1111",
     "abn": "15 751 191 948", "street": "Wharf 2, East Esplanade", "city": "Manly", "region": "NSW", "postcode": "2095",
     "website": "", "persons": [], "zoho": {}},
    {"key": "ironbark", "name": "Ironbark Builders Pty Ltd", "email": "admin@ironbarkbuilders.com.au",
     "phone": "02 9555 1212", "abn": "58 631 665 528", "street": "2 Industrial Ave", "city": "Alexandria",
     "region": "NSW", "postcode": "2015", "website": "https://ironbarkbuilders.com.au",
     "persons": [("Chris", "Papadopoulos", "chris@ironbarkbuilders.com.au")], "zoho": {"phone": "0412 555 121"}},
    {"key": "lighthouse", "name": "Lighthouse Accounting", "email": "team@lighthouseacc.com.au", "phone": "02 9555 1313",
     "abn": "58 136 714 710", "street": "33 Pitt St", "city": "Sydney", "region": "NSW", "postcode": "2000",
     "website": "https://lighthouseacc.com.au", "persons": [], "terms": (7, "DAYSAFTERBILLDATE"), "zoho": {}},
    {"key": "magpie", "name": "Magpie Print House", "email": "jobs@magpieprint.com.au", "phone": "02 9555 1414",
     "abn": "90 851 612 138", "street": "71 Regent St", "city": "Redfern", "region": "NSW", "postcode": "2016",
     "website": "", "persons": [], "zoho": None},
    {"key": "outback", "name": "Outback Tours Pty Ltd", "email": "bookings@outbacktours.com.au", "phone": "08 8555 1515",
     "abn": "87 701 424 937", "street": "1 Todd Mall", "city": "Alice Springs", "region": "NT", "postcode": "0870",
     "website": "https://outbacktours.com.au", "persons": [("Ruby", "Jackson", "ruby@outbacktours.com.au")],
     "zoho": {"name": "Outback Tours Pty. Ltd"}},
    {"key": "quokka", "name": "Quokka Coffee Co", "email": "hi@quokkacoffee.com.au", "phone": "08 9555 1616",
     "abn": "33 783 179 874", "street": "10 Hay St", "city": "Perth", "region": "WA", "postcode": "6000",
     "website": "https://quokkacoffee.com.au", "persons": [], "zoho": {}},
    {"key": "riverside", "name": "Riverside Vet Clinic", "email": "accounts@riversidevet.com.au", "phone": "02 9555 1717",
     "abn": "37 762 413 145", "street": "5 River Rd", "city": "Parramatta", "region": "NSW", "postcode": "2150",
     "website": "", "persons": [("Zoe", "Martin", "zoe@riversidevet.com.au")], "zoho": None},
    {"key": "saltwater", "name": "Saltwater Fish Market Pty Ltd", "email": "orders@saltwaterfish.com.au",
     "phone": "02 9555 1818", "abn": "47 446 883 851", "street": "Bank St", "city": "Pyrmont", "region": "NSW",
     "postcode": "2009", "website": "", "persons": [], "zoho": {}},
    {"key": "tidal", "name": "Tidal Yoga Studio", "email": "namaste@tidalyoga.com.au", "phone": "02 9555 1919",
     "abn": "77 327 623 155", "street": "18 Hall St", "city": "Bondi Beach", "region": "NSW", "postcode": "2026",
     "website": "https://tidalyoga.com.au", "persons": [], "zoho": {"phone": "02 9555 1920"}},
    {"key": "uluru", "name": "Uluru Art Gallery", "email": "gallery@uluruart.com.au", "phone": "08 8555 2020",
     "abn": "38 648 312 230", "street": "2 Yulara Dr", "city": "Yulara", "region": "NT", "postcode": "0872",
     "website": "https://uluruart.com.au", "persons": [], "zoho": None},
    {"key": "vineyard", "name": "Hunter Valley Vineyard Estate", "email": "cellar@huntervalleyestate.com.au",
     "phone": "02 4955 2121", "abn": "99 814 335 406", "street": "400 Broke Rd", "city": "Pokolbin", "region": "NSW",
     "postcode": "2320", "website": "https://huntervalleyestate.com.au",
     "persons": [("James", "Sullivan", "james@huntervalleyestate.com.au")], "zoho": {}},
    {"key": "waratah", "name": "Waratah Florist", "email": "flowers@waratahflorist.com.au", "phone": "02 9555 2222",
     "abn": "46 713 170 547", "street": "9 Darling St", "city": "Balmain", "region": "NSW", "postcode": "2041",
     "website": "", "persons": [], "zoho": None},
    {"key": "yarra", "name": "Yarra Valley Bakery", "email": "bake@yarrabakery.com.au", "phone": "03 9555 2323",
     "abn": "70 090 271 621", "street": "12 Maroondah Hwy", "city": "Healesville", "region": "VIC", "postcode": "3777",
     "website": "", "persons": [], "zoho": {"name": "Yarra Valley Bakery Pty Ltd"}},
    {"key": "zenith", "name": "Zenith IT Services Pty Ltd", "email": "support@zenithit.com.au", "phone": "02 9555 2424",
     "abn": "73 951 304 081", "street": "100 Miller St", "city": "North Sydney", "region": "NSW", "postcode": "2060",
     "website": "https://zenithit.com.au", "persons": [("Ethan", "Brown", "ethan@zenithit.com.au")], "zoho": {}},
    {"key": "anchor", "name": "Anchor Marine Supplies", "email": "sales@anchormarine.com.au", "phone": "02 9555 2525",
     "abn": "59 080 855 483", "street": "3 Spit Rd", "city": "Mosman", "region": "NSW", "postcode": "2088",
     "website": "", "persons": [], "zoho": None},
    {"key": "banksia", "name": "Banksia Bookkeeping", "email": "hello@banksiabooks.com.au", "phone": "02 9555 2626",
     "abn": "87 413 690 560", "street": "22 Church St", "city": "Ryde", "region": "NSW", "postcode": "2112",
     "website": "", "persons": [], "zoho": {}},
    {"key": "coral", "name": "Coral Reef Dive Co", "email": "dive@coralreefdive.com.au", "phone": "07 4055 2727",
     "abn": "46 798 345 342", "street": "1 Esplanade", "city": "Cairns", "region": "QLD", "postcode": "4870",
     "website": "https://coralreefdive.com.au", "persons": [], "zoho": None},
    {"key": "dingo", "name": "Dingo Digital", "email": "studio@dingodigital.com.au", "phone": "02 9555 2828",
     "abn": "89 357 822 239", "street": "45 King St", "city": "Newtown", "region": "NSW", "postcode": "2042",
     "website": "https://dingodigital.com.au", "persons": [], "zoho": {"name": "Dingo Digital Pty Ltd"}},
    # Two Zoho accounts resemble this one ("Emu Plains Hardware" and "Emu Plains Hardware & Garden"): a person decides.
    {"key": "emu", "name": "Emu Plains Hardware", "email": "", "phone": "02 4755 2929", "abn": "",
     "street": "3 Great Western Hwy", "city": "Emu Plains", "region": "NSW", "postcode": "2750", "website": "",
     "persons": [], "zoho": {"duplicate_as": "Emu Plains Hardware & Garden"}},
    {"key": "gecko", "name": "Gecko Garden Supplies", "email": "orders@geckogarden.com.au", "phone": "02 9555 3030",
     "abn": "28 826 760 941", "street": "8 Nursery Ln", "city": "Dural", "region": "NSW", "postcode": "2158",
     "website": "", "persons": [], "zoho": None},
    # Archived in Xero: stopped trading with them.
    {"key": "oldmill", "name": "Old Mill Restaurant", "email": "chef@oldmill.com.au", "phone": "02 9555 3131",
     "abn": "27 998 605 380", "street": "1 Mill Rd", "city": "Berry", "region": "NSW", "postcode": "2535",
     "website": "", "persons": [], "archived": True, "zoho": {}},
    {"key": "sunset", "name": "Sunset Events Pty Ltd", "email": "events@sunsetevents.com.au", "phone": "02 9555 3232",
     "abn": "14 905 499 147", "street": "77 Beach Rd", "city": "Coogee", "region": "NSW", "postcode": "2034",
     "website": "", "persons": [], "archived": True, "zoho": None},
    {"key": "lantern", "name": "Lantern Books", "email": "shop@lanternbooks.com.au", "phone": "02 9555 3333",
     "abn": "58 986 996 539", "street": "4 Glebe Point Rd", "city": "Glebe", "region": "NSW", "postcode": "2037",
     "website": "", "persons": [], "archived": True, "zoho": None},
    # Suppliers (Xero only, ACCPAY bills).
    {"key": "paperco", "name": "PaperCo Wholesale Pty Ltd", "email": "accounts@paperco.com.au", "phone": "02 9555 4001",
     "abn": "87 102 719 663", "street": "1 Warehouse Rd", "city": "Smithfield", "region": "NSW", "postcode": "2164",
     "website": "", "persons": [], "supplier": True, "zoho": None},
    {"key": "beanimport", "name": "Bean Importers Australia", "email": "ar@beanimport.com.au", "phone": "02 9555 4002",
     "abn": "29 371 356 643", "street": "9 Port Rd", "city": "Botany", "region": "NSW", "postcode": "2019",
     "website": "", "persons": [], "supplier": True, "zoho": None},
    {"key": "ato", "name": "Australian Taxation Office", "email": "", "phone": "13 28 66", "abn": "51 824 753 556",
     "street": "PO Box 3524", "city": "Albury", "region": "NSW", "postcode": "2640", "website": "", "persons": [],
     "supplier": True, "zoho": None},
    {"key": "sydneywater", "name": "Sydney Water", "email": "", "phone": "13 20 92", "abn": "", "street": "1 Smith St",
     "city": "Parramatta", "region": "NSW", "postcode": "2150", "website": "", "persons": [], "supplier": True,
     "zoho": None},
    # An overseas customer billed in US dollars (Xero only: the first sync makes its Zoho account, in USD).
    {"key": "pacific", "name": "Pacific Bean Traders Inc", "email": "orders@pacificbeantraders.com",
     "phone": "+1 415 555 0188", "abn": "", "street": "500 Battery St", "city": "San Francisco", "region": "CA",
     "postcode": "94111", "country": "US", "website": "https://pacificbeantraders.com",
     "persons": [("Dana", "Whitaker", "dana@pacificbeantraders.com")], "currency": "USD", "zoho": None,
     "own_invoices": True},
]

# What happens once the first sync has linked this customer: it moved into a new company with a new ABN. Tom types
# it into Xero from their letter; Priya types it into Zoho from an email signature with two digits swapped. Both
# change the same field differently, and the ABN is a field the default mapping asks about, so the next sync shows
# one conflict to settle (choosing Xero's corrects Zoho).
AFTER_FIRST_SYNC: dict = {"customer": "southern", "xero": {"TaxNumber": "33 401 878 017"},
                          "zoho": {"ABN": "33 401 788 017"}}

# Xero contact groups the bookkeeper keeps (group name: customer keys); a rule may give each group's new Zoho
# accounts an owner.
CONTACT_GROUPS: dict[str, list[str]] = {"Retail": ["waratah", "magpie", "gecko"],
                                        "Hospitality": ["harbour", "yarra", "saltwater"]}

# In Zoho only: prospects the sales team is working (some already have deals).
ZOHO_ONLY_ACCOUNTS: list[dict] = [
    {"key": "greenleaf", "name": "Greenleaf Organic Grocers", "email": "buying@greenleaf.com.au", "phone": "02 9555 5001",
     "city": "Leichhardt", "region": "NSW"},
    {"key": "summit", "name": "Summit Physio Pty Ltd", "email": "admin@summitphysio.com.au", "phone": "02 9555 5002",
     "city": "Ultimo", "region": "NSW"},
    {"key": "brightside", "name": "Brightside Realty", "email": "office@brightsiderealty.com.au", "phone": "02 9555 5003",
     "city": "Cronulla", "region": "NSW"},
    {"key": "novella", "name": "Novella Cafe", "email": "hello@novellacafe.com.au", "phone": "03 9555 5004",
     "city": "Fitzroy", "region": "VIC"},
    # A new customer typed in by the sales team with the name's umlaut in the email; Xero refuses it, so it waits
    # in Failed records until someone types the address the bakery really uses (``fixed_email``) and clicks Retry.
    {"key": "muller", "name": "Müller's Bakehaus", "email": "orders@müllersbakehaus.com.au",
     "fixed_email": "orders@muellersbakehaus.com.au", "phone": "02 9555 5005", "city": "Marrickville",
     "region": "NSW", "type": "Customer"},
]

# Leads (Zoho only).
ZOHO_LEADS: list[dict] = [
    {"first": "Isla", "last": "Hughes", "company": "Hughes Family Dentistry", "email": "isla@hughesdental.com.au",
     "status": "Contacted"},
    {"first": "Lucas", "last": "Ng", "company": "Ng & Partners Architects", "email": "lucas@ngarchitects.com.au",
     "status": "Not Contacted"},
    {"first": "Mia", "last": "Rossi", "company": "Rossi Gelato", "email": "mia@rossigelato.com.au",
     "status": "Pre-Qualified"},
    {"first": "Oscar", "last": "Fraser", "company": "Fraser Plumbing", "email": "oscar@fraserplumbing.com.au",
     "status": "Attempted to Contact"},
    {"first": "Ava", "last": "Kim", "company": "Kimchi Kitchen", "email": "ava@kimchikitchen.com.au",
     "status": "Contact in Future"},
]

# Products / items: (code, name, description, unit sale price AUD ex GST, purchase price, GST applies, in Zoho)
ITEMS: list[tuple] = [
    ("BEAN-1KG", "Espresso Beans 1kg", "House blend espresso beans, 1kg bag", "32.00", "18.50", True, True),
    ("BEAN-DECAF", "Decaf Beans 1kg", "Swiss water decaf, 1kg bag", "36.00", "21.00", True, True),
    ("MILK-OAT", "Oat Milk 1L x12", "Barista oat milk, carton of 12", "48.00", "30.00", False, True),
    ("CUP-8OZ", "Paper Cups 8oz x1000", "Compostable 8oz cups, sleeve of 1000", "129.00", "85.00", True, True),
    ("CUP-12OZ", "Paper Cups 12oz x1000", "Compostable 12oz cups, sleeve of 1000", "149.00", "97.00", True, True),
    ("LID-8OZ", "Cup Lids 8oz x1000", "Compostable lids for 8oz cups", "59.00", "35.00", True, False),
    ("NAPKIN", "Napkins x2000", "Recycled 2-ply napkins", "42.50", "24.00", True, True),
    ("PAPER-A4", "A4 Copy Paper (5 reams)", "80gsm, box of 5 reams", "34.95", "22.00", True, True),
    ("TONER-HP", "HP Toner Cartridge", "Compatible black toner, 3,000 pages", "89.00", "52.00", True, True),
    ("CHAIR-ERG", "Ergonomic Office Chair", "Mesh back, adjustable arms", "349.00", "210.00", True, True),
    ("DESK-STAND", "Standing Desk", "Electric sit-stand desk, 1500mm", "899.00", "560.00", True, False),
    ("MACH-SVC", "Coffee Machine Service", "Scheduled service, per visit", "180.00", "0.00", True, True),
    ("INSTALL", "Installation (per hour)", "On-site installation labour", "95.00", "0.00", True, True),
    ("DELIV", "Delivery", "Metro delivery", "25.00", "0.00", True, False),
    ("TRAIN-BARISTA", "Barista Training Session", "Two-hour barista training for staff", "240.00", "0.00", True, True),
]

# Deals in Zoho: (account key, name, stage, amount, closing date, [(item code, qty)])
DEALS: list[tuple] = [
    ("acme", "Acme — Q1 coffee supply", "Closed Won", "2880.00", "2026-10-28", [("BEAN-1KG", 60), ("MILK-OAT", 20)]),
    ("harbour", "Harbour View — cups restock", "Closed Won", "1116.00", "2026-11-03", [("CUP-8OZ", 4), ("CUP-12OZ", 4)]),
    ("pinnacle", "Pinnacle — office fit-out", "Negotiation/Review", "6980.00", "2026-12-15", [("CHAIR-ERG", 20)]),
    ("southern", "Southern Cross — paper contract", "Proposal/Price Quote", "4194.00", "2026-12-20", [("PAPER-A4", 120)]),
    ("greenleaf", "Greenleaf — café starter pack", "Qualification", "1500.00", "2027-01-10", []),
    ("summit", "Summit Physio — reception chairs", "Needs Analysis", "1396.00", "2027-01-20", [("CHAIR-ERG", 4)]),
    ("brightside", "Brightside — coffee machine service", "Value Proposition", "2160.00", "2027-02-01",
     [("MACH-SVC", 12)]),
    ("novella", "Novella — barista training", "Id. Decision Makers", "480.00", "2026-12-05", [("TRAIN-BARISTA", 2)]),
    ("citrus", "Citrus Law — toner annual", "Closed Lost", "1068.00", "2026-09-30", [("TONER-HP", 12)]),
    ("koala", "Koala Kids — napkins & cups", "Closed Won", "553.00", "2026-11-12", [("NAPKIN", 4), ("CUP-8OZ", 3)]),
    ("kiwi", "Kiwi Roasters — NZ cups", "Closed Won", "1490.00", "2026-11-10", [("CUP-12OZ", 10)]),
    ("zenith", "Zenith IT — standing desks", "Qualification", "8990.00", "2027-03-01", []),
]
