"""Plain-language hints for Xero's validation messages: what happened and what to do, in one sentence each."""

from __future__ import annotations

import re
from typing import Any

_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"contact name (?P<name>.+?) is already assigned", re.I),
     "Xero needs a unique contact name: '{name}' already exists. Rename one of them in Xero or Zoho, then click "
     "Retry."),
    (re.compile(r"Invoice # must be unique", re.I),
     "Xero already has an invoice with this number. Change the number on one of them, then click Retry."),
    (re.compile(r"TaxType code (?P<tax>\S+) does not exist", re.I),
     "Xero does not know the tax type '{tax}'. Fix the tax mapping in Field mapping, then click Retry."),
    (re.compile(r"not of valid status for modification", re.I),
     "Xero will not change this invoice in its current status (paid or voided invoices are locked). "
     "Edit it in Xero if needed; we skip it otherwise."),
    (re.compile(r"Account code '?(?P<code>\w+)'? .*(not|does not)", re.I),
     "Xero does not accept the account code '{code}'. Pick a sales account in Settings, then click Retry."),
    (re.compile(r"Email address must be valid", re.I),
     "Xero rejected the email address. Correct it in Zoho, then click Retry."),
]


def hint_for(message: str, element: dict[str, Any] | None = None) -> str:
    for pattern, template in _RULES:
        match = pattern.search(message)
        if match:
            return template.format(**match.groupdict())
    return f"Xero said: {message} Correct the record, then click Retry."
