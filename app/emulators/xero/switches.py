"""Named switches for behaviour the notes mark **unverified** (or that a test may want to flip).

``XeroEmulator(switches={"name": value})`` overrides a default; ``POST /_sandbox/xero/switches`` with a JSON object
does the same at run time and ``GET`` lists them.
"""

from __future__ import annotations

from typing import Any

SWITCHES: dict[str, tuple[Any, str]] = {
    # identity
    "app_created_after_2026_03_02": (
        True, "The app counts as registered on/after 2 Mar 2026, so broad scopes (accounting.transactions, "
              "accounting.reports.read, …) are refused; only granular scopes work."),
    "invalid_scope_at_token": (
        False, "Refuse a bad scope at the token endpoint (HTTP 400 {\"error\":\"invalid_scope\"}) instead of on the "
               "authorize step (Xero error page 'unauthorized_client : Invalid scope for client', no redirect), "
               "which is what the notes document for the code flow."),
    "reject_loopback_ip_redirect": (
        False, "Refuse http://127.0.0.1 redirect URIs even when registered (2ND says Xero does; unverified)."),
    "multi_org_consent": (
        False, "Consent page offers checkboxes to connect several organisations at once (bulk connections, an "
               "Advanced-tier feature) instead of one radio choice."),
    "auth_code_lifetime_s": (300, "Authorization code lifetime in seconds (5 min per 2ND; unverified)."),
    # request handling
    "require_accept_json": (
        True, "Accounting calls whose Accept header does not mention application/json get 406 text/plain. The real "
              "API answers XML then (its default), which a JSON client cannot read either. Off: serve JSON anyway."),
    "enforce_scopes": (True, "Accounting calls need a matching granted scope; otherwise 403 AuthenticationUnsuccessful."),
    "insufficient_scope_401": (
        False, "Answer a missing scope with 401 + WWW-Authenticate error=\"insufficient_scope\" instead of 403."),
    "not_modified_304": (
        False, "A GET of one record with If-Modified-Since later than its UpdatedDateUTC answers 304 (unverified)."),
    "where_case_sensitive": (False, "String comparisons in where/order are case-sensitive (default: not)."),
    "idempotency_window_s": (360, "How long an Idempotency-Key response is replayed (6 min per 2ND; unverified)."),
    "refuse_quoted_numbers": (
        True, "A number sent as a string in a write (\"UnitAmount\": \"2880.00\") fails that element with a "
              "validation error, as the spec declares these numbers; whether the real API coerces the text is "
              "unverified. Off: accept the text."),
    # contacts
    "put_updates_existing": (
        False, "PUT /Contacts with the Name of an existing active contact updates it (one report) instead of the "
               "name-uniqueness error (2ND)."),
    "reject_umlaut_email": (
        True, "A contact's EmailAddress with a letter outside plain ASCII (orders@müller.com.au) fails \"Email address "
              "must be valid.\": the spec says of EmailAddress \"umlauts not supported\"; whether the real API refuses "
              "it with this message or stores it garbled is unverified. Off: accept it."),
    # items
    "item_update_needs_code": (
        True, "An item update (by ItemID) without its Code fails \"Item Code must be specified.\" (the spec "
              "requires Code on every Item; whether the real API fills it from the stored item is unverified)."),
    # invoices and payments
    "deleted_invoices_in_lists": (
        True, "DELETED invoices appear in unfiltered GET /Invoices lists (unverified; always returned by id)."),
    "honor_tax_override": (
        True, "A TaxAmount sent on a line overrides the computed tax, as the spec allows. Off: always recompute."),
    "invoice_contact_updates_contact": (
        True, "Extra writable fields inside an invoice's Contact update that contact (2ND)."),
    "payment_bumps_invoice": (
        True, "Creating/deleting a payment moves the invoice's UpdatedDateUTC (unverified)."),
}


def defaults() -> dict[str, Any]:
    return {name: default for name, (default, _doc) in SWITCHES.items()}
