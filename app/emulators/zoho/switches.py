"""Behaviour the reference notes mark **UNVERIFIED**: the likely choice is the default, the other is one switch away.

``ZohoEmulator(switches={"accept_bearer": True})`` overrides any subset; unknown names are an error so a typo in a
test cannot silently test the default.
"""

from __future__ import annotations

from typing import Any

SWITCHES: dict[str, tuple[Any, str]] = {
    "accept_bearer": (
        False,
        "Accept 'Authorization: Bearer <token>' on the CRM API (documented form is 'Zoho-oauthtoken <token>'; "
        "off = 401 INVALID_TOKEN)",
    ),
    "missing_auth_code": (
        "AUTHENTICATION_FAILURE",
        "Error code for a CRM call without an Authorization header (AUTHENTICATION_FAILURE or INVALID_TOKEN)",
    ),
    "uk_api_domain": ("https://www.zohoapis.uk", "API domain of the UK data centre (not in the v8 SDK)"),
    "pkce_secret_optional": (
        True,
        "At the token step a client that sent a PKCE code_challenge may omit client_secret",
    ),
    "pkce_error": ("invalid_code", "Token-endpoint error when the PKCE code_verifier does not match"),
    "code_lifetime_seconds": (120, "Lifetime of an authorization code (ACC says 2 min; a CRM page says 1 min)"),
    "token_basic_auth": (
        False,
        "Token endpoint also accepts client credentials in an HTTP Basic Authorization header "
        "(Zoho documents form/query parameters only)",
    ),
    "refresh_cap_per": (
        "client",
        "The 20-refresh-token cap counts per user per client ('client') or per user across clients ('user')",
    ),
    "refresh_token_cap": (20, "Refresh tokens kept per user (the oldest is deleted silently)"),
    "active_access_tokens": (
        10,
        "Active access tokens per refresh token; minting one more invalidates the oldest (ACC says 10, DOC v3 15)",
    ),
    "throttle_http_status": (
        400,
        "HTTP status of the token-endpoint 'Access Denied' (too many requests) body",
    ),
    "credits_header_threshold": (
        0.5,
        "Fraction of the daily credit allowance used after which X-API-CREDITS-REMAINING is sent",
    ),
    "write_records_per_credit": (10, "Insert/update/upsert cost 1 credit per this many records"),
    "heavy_get_params": (
        ("cvid", "sort_by"),
        "GET-records query parameters that put the call under the sub-concurrency limit of 10",
    ),
    "missing_record_get": (
        "204",
        "GET /{module}/{id} for an unknown id: '204' (no content) or 'invalid_data' (400 INVALID_DATA)",
    ),
    "unknown_fields_param": (
        "error",
        "An unknown API name in ?fields=: 'error' (400 INVALID_DATA) or 'ignore'",
    ),
    "unknown_write_field": (
        "error",
        "An unknown API name in a written record: 'error' (INVALID_DATA 'the field api name given seems to be "
        "invalid') or 'ignore'",
    ),
    "per_page_over_max": ("error", "per_page > 200: 'error' (400 INVALID_DATA) or 'clamp' to 200"),
    "picklist_strict": (True, "A value outside a picklist's values is INVALID_DATA (off = stored as given)"),
    "if_modified_since_inclusive": (
        True,
        "If-Modified-Since matches records modified at the same second (inclusive) or only after it",
    ),
    "invoice_subtotal": (
        "net",
        "Invoices Sub_Total = sum of row Net_Total incl. line tax, record Tax = 0 ('net', Zoho UI semantics) "
        "or sum of row Total_After_Discount with record Tax = sum of line tax ('ex_tax')",
    ),
    "recompute_invoice_totals": (
        True,
        "Sub_Total/Tax/Grand_Total and row totals are recomputed from the rows (off = values sent are kept)",
    ),
    "invoice_items_mandatory": (
        True,
        "Creating an invoice needs at least one Invoiced_Items row (MANDATORY_NOT_FOUND); an update may clear them",
    ),
    "inventory_absent_error": (
        "INVALID_MODULE",
        "Error for Invoices on Free/Standard editions: INVALID_MODULE (400) or NO_PERMISSION (403)",
    ),
    "search_needs_securesearch": (
        False,
        "GET /{module}/search also needs the ZohoSearch.securesearch.READ scope (v7 docs say so)",
    ),
}


def resolve(overrides: dict[str, Any] | None) -> dict[str, Any]:
    """Defaults merged with ``overrides``; raises ``KeyError`` for an unknown switch."""
    values = {name: default for name, (default, _doc) in SWITCHES.items()}
    for name, value in (overrides or {}).items():
        if name not in SWITCHES:
            raise KeyError(f"unknown Zoho emulator switch {name!r}; known: {sorted(SWITCHES)}")
        values[name] = value
    return values
