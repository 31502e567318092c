""""Open in Xero" opens the connected organisation's page through Xero's deep links (its ShortCode, read when
connecting), and an item — which has no page of its own in Xero — opens the Products and services list."""

from __future__ import annotations

from app.services.record_links import RecordLinks, remember_short_code, xero_url
from app.store.models import Connection, Link

DEEP = "https://go.xero.com/organisationlogin/default.aspx?shortcode=!bLu3G&redirecturl="


def test_deep_links_open_the_organisation_first():
    assert xero_url("contacts", "c-1", "!bLu3G") == DEEP + "/Contacts/View/c-1"
    assert xero_url("invoices", "i-1", "!bLu3G") == DEEP + "/AccountsReceivable/View.aspx?InvoiceID=i-1"
    assert xero_url("items", "p-1", "!bLu3G") == DEEP + "/Accounts/Inventory/"
    # without a ShortCode: the same pages at go.xero.com (the organisation the browser had last)
    assert xero_url("contacts", "c-1") == "https://go.xero.com/Contacts/View/c-1"
    assert xero_url("items", "p-1") == "https://go.xero.com/Accounts/Inventory/"
    assert xero_url("items", None) is None and xero_url("unknown", "x") is None


def test_connecting_keeps_the_short_code_and_links_use_it(world):
    profile = world.ctx.profile
    links = RecordLinks(profile)
    assert links.short_code == world.xero_org().ShortCode == "!bLu3G"  # read with the organisation on connecting
    contact = world.xero_contact("Magpie Print House")
    assert links.urls("contacts", contact.ContactID, None)["xero"] == DEEP + f"/Contacts/View/{contact.ContactID}"
    assert links.xero_tip("contacts", contact.ContactID) == "Open this record in Xero (Bluegum Supply Co Pty Ltd)"


def test_an_item_opens_the_product_list_and_says_what_to_search_for(world):
    profile = world.ctx.profile
    Link.create(profile=profile, pair="items", xero_id="x-beans", zoho_id="z-beans", name="House blend",
                xero_values={"Code": "BEAN-1KG"})
    links = RecordLinks(profile)
    assert links.for_source("items", "zoho->xero", "z-beans")["xero"] == DEEP + "/Accounts/Inventory/"
    assert links.xero_tip_for_source("items", "zoho->xero", "z-beans") == (
        "Open the Products and services list in Xero (Bluegum Supply Co Pty Ltd): search there for BEAN-1KG "
        "(Xero has no page for one item)")


def test_another_organisation_never_gets_the_old_short_code(world):
    profile = world.ctx.profile
    Connection.update(org_id="another-tenant").where(Connection.profile == profile,
                                                     Connection.provider == "xero").execute()
    assert RecordLinks(profile).urls("contacts", "c-1", None)["xero"] == "https://go.xero.com/Contacts/View/c-1"
    remember_short_code(profile, "another-tenant", "!nZb1u")
    assert RecordLinks(profile).urls("contacts", "c-1", None)["xero"].startswith(
        "https://go.xero.com/organisationlogin/default.aspx?shortcode=!nZb1u&")
