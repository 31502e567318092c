"""The dry run's estimate of API calls is what the run that follows makes on an unchanged sandbox: reads, writes
per batch, Xero ids written back to Zoho, contact persons and Zoho's layouts."""


def dry_then_real(w):
    service = w.sync_service()
    dry = service.sync(dry_run=True)
    assert dry.outcome == "ok", dry.message
    real = service.sync()
    assert real.outcome in ("ok", "partial"), real.message
    return dry.estimated_calls, {"xero": real.xero_calls, "zoho": real.zoho_calls}


def test_the_first_sync_of_the_demo_makes_exactly_the_calls_its_dry_run_estimated(world):
    estimated, made = dry_then_real(world)
    assert made["zoho"] > 10 and made["xero"] > 5  # writes both ways, people and write-backs included
    assert estimated == made


def test_a_sync_after_edits_on_both_sides_makes_the_calls_its_dry_run_estimated(synced):
    w = synced
    quokka = w.xero_contact("Quokka Coffee Co")
    w.xero.ui_edit_contact(quokka.ContactID, {"Name": "Quokka Coffee Company"})
    w.xero.ui_create_invoice({
        "Type": "ACCREC", "Contact": {"ContactID": quokka.ContactID}, "Status": "AUTHORISED", "Date": "2026-11-01",
        "DueDate": "2026-11-15", "LineAmountTypes": "Exclusive",
        "LineItems": [{"ItemCode": "BEAN-1KG", "Description": "Beans", "Quantity": 3, "UnitAmount": "32.00",
                       "TaxType": "OUTPUT", "AccountCode": "200"}]})
    redgum = w.zoho_one("Accounts", Xero_Contact_ID=w.xero_contact("Redgum Dental Group").ContactID)
    w.zoho.ui_edit("Accounts", redgum["id"], {"Phone": "02 9555 7777"})
    w.zoho.set_deal_stage(w.zoho_one("Deals", Deal_Name="Pinnacle — office fit-out")["id"], "Closed Won")
    w.clock.advance(60)
    estimated, made = dry_then_real(w)
    assert made["xero"] > 4 and made["zoho"] > 3
    assert estimated == made


def test_a_book_of_several_pages_into_an_empty_zoho_is_estimated_within_five_percent(data_dir):
    from tests.world import make_world

    w = make_world(data_dir, seed="large:1100", zoho_seed="empty", limits="off")
    try:
        w.connect_both()
        estimated, made = dry_then_real(w)
    finally:
        w.close()
    assert made["zoho"] > 30  # several pages of Xero records, each written to Zoho in batches of 100
    for side in ("xero", "zoho"):
        assert abs(estimated[side] - made[side]) <= 0.05 * made[side], (estimated, made)
