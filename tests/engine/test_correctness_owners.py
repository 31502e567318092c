"""Record owners by a rule: a Zoho account the sync creates from a Xero contact in a group gets the Zoho user the
rule names (matched by email); others get the connected user; an account that already existed keeps its owner."""

from app.services import mappings as mapping_store
from app.services import owners

PRIYA = "priya@bluegumsupply.com.au"  # sales; the sandbox signs in as the admin, Tom
TOM = "tom@bluegumsupply.com.au"


def owner_email(w, name):
    return w.zoho_one("Accounts", Xero_Contact_ID=w.xero_contact(name).ContactID)["Owner"]["email"]


def test_new_zoho_accounts_get_their_owner_by_the_xero_group_rule(world):
    w = world
    service = w.sync_service()
    contacts = mapping_store.current_mappings(service.profile)["contacts"]
    mapping_store.save_mapping(service.profile, owners.with_rules(contacts, [
        {"group": "Retail", "email": PRIYA}, {"group": "Hospitality", "email": TOM}]))
    harbour = w.zoho_one("Accounts", Account_Name="Harbour View Cafe")["Owner"]["email"]
    report = service.sync()
    assert report.outcome == "ok", report.message
    for retail in ("Waratah Florist", "Magpie Print House", "Gecko Garden Supplies"):  # created by the sync
        assert owner_email(w, retail) == PRIYA
    assert owner_email(w, "Uluru Art Gallery") == TOM  # no rule for it: the connected user
    assert owner_email(w, "Harbour View Cafe") == harbour == PRIYA  # Hospitality (Tom's), but it was in Zoho: kept
    w.reset_counts()
    w.clock.advance(60)
    service.sync()
    assert "GET /api.xro/2.0/ContactGroups" not in w.requests()["xero"]  # groups and users read once a day


def test_without_a_rule_nothing_about_owners_is_read(world):
    w = world
    w.reset_counts()
    assert w.sync_service().sync().outcome == "ok"
    assert not [k for k in w.requests()["xero"] if "ContactGroups" in k]
    assert not [k for k in w.requests()["zoho"] if k.endswith("/users")]
