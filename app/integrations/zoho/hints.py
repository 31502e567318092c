"""Plain-language hints for Zoho CRM's per-record errors."""

from __future__ import annotations

from typing import Any


def hint_for(code: str, details: dict[str, Any], message: str) -> str:
    field = str(details.get("api_name") or "")
    label = field.replace("_", " ") if field else "a field"
    if code == "MANDATORY_NOT_FOUND":
        return f"Zoho CRM needs '{label}' filled in. Add it in Xero (or map a field to it), then click Retry."
    if code == "DUPLICATE_DATA":
        return (f"Zoho CRM already has a record with the same '{label}'. Link or merge the two in Zoho, "
                "then click Retry.")
    if code == "INVALID_DATA":
        if "maximum_length" in details:
            return (f"'{label}' is longer than Zoho CRM allows ({details['maximum_length']} characters). "
                    "Shorten it, then click Retry.")
        if "expected_data_type" in details:
            return (f"Zoho CRM expected {details['expected_data_type']} in '{label}'. Correct the value "
                    "(or its mapping), then click Retry.")
        return f"Zoho CRM did not accept the value of '{label}'. Correct it, then click Retry."
    if code == "RECORD_LOCKED":
        return "The record is locked in Zoho CRM (for example by an approval). Unlock it there, then click Retry."
    return f"Zoho CRM said: {message} ({code}). Correct the record, then click Retry."
