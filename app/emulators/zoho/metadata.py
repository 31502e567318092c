"""Field and module definitions of the emulated org, and their ``/settings/fields`` / ``/settings/modules`` JSON.

Field definitions are plain dicts (so the state exports as JSON and ``/_sandbox/zoho/fields/{module}`` can change
them) with the keys of :func:`field`. Standard API names follow the v8 SDK's ``field.py``; the custom fields are the
ones Ledgerbridge's Zoho admin creates (``Xero_Contact_ID`` etc.).
"""

from __future__ import annotations

from typing import Any

from .. import demo_story

ORG_PREFIX = "3652397"  # Zoho ids: org-specific digits, then a running number — 19 digits in all


def static_id(n: int) -> str:
    """Ids of things that exist before any record: users, modules, fields, layouts, currencies."""
    return f"{ORG_PREFIX}{n:012d}"


ORG_ID = static_id(26001)
ZGID = "7000000026001"
ADMIN_ID = static_id(411001)
SALES_ID = static_id(411002)
ADMIN_PROFILE_ID = static_id(26011)
STANDARD_PROFILE_ID = static_id(26014)
CEO_ROLE_ID = static_id(26005)
MANAGER_ROLE_ID = static_id(26008)

USERS: dict[str, dict[str, Any]] = {
    "admin": {"id": ADMIN_ID, **demo_story.ADMIN_USER, "zuid": "80010001", "role": ("CEO", CEO_ROLE_ID),
              "profile": ("Administrator", ADMIN_PROFILE_ID)},
    "sales": {"id": SALES_ID, **demo_story.SALES_USER, "zuid": "80010002", "role": ("Manager", MANAGER_ROLE_ID),
              "profile": ("Standard", STANDARD_PROFILE_ID)},
}

# module api name -> (module id number, singular, plural, system duplicate-check field, has currency)
MODULES: dict[str, tuple[int, str, str, str, bool]] = {
    "Leads": (2175, "Lead", "Leads", "Email", True),
    "Accounts": (2177, "Account", "Accounts", "Account_Name", True),
    "Contacts": (2179, "Contact", "Contacts", "Email", False),
    "Deals": (2181, "Deal", "Deals", "Deal_Name", True),
    "Products": (2185, "Product", "Products", "Product_Name", True),
    "Invoices": (2195, "Invoice", "Invoices", "Subject", True),
}
SUBFORM_MODULES: dict[str, tuple[int, str, str]] = {"Invoiced_Items": (2297, "Invoiced Item", "Invoiced Items")}
INVENTORY_MODULES = {"Invoices"}
# Lowercase names used in scopes (ZohoCRM.modules.salesorders.READ): no underscore.
SCOPE_NAMES = {name: name.lower().replace("_", "") for name in MODULES}

STAGE_PROBABILITY = {
    "Qualification": 10, "Needs Analysis": 20, "Value Proposition": 40, "Id. Decision Makers": 60,
    "Perception Analysis": 70, "Proposal/Price Quote": 75, "Negotiation/Review": 90, "Closed Won": 100,
    "Closed Lost": 0, "Closed-Lost to Competition": 0,
}
CURRENCIES = {
    # iso: (name, symbol, exchange rate per base unit, base)
    "AUD": ("Australian Dollar - AUD", "A$", "1.000000000", True),
    "NZD": ("New Zealand Dollar - NZD", "NZ$", "1.090000000", False),
    "USD": ("US Dollar - USD", "US$", "0.650000000", False),
}
# The organisation's taxes (Setup → Taxes): (name, percentage). Rows name their Line_Tax after one of these.
ORG_TAXES = [("GST", 10.0), ("NZ GST", 15.0)]

_NONE = "-None-"
LEAD_SOURCES = [_NONE, "Advertisement", "Cold Call", "Employee Referral", "External Referral", "Online Store",
                "Partner", "Public Relations", "Sales Email Alias", "Seminar Partner", "Internal Seminar",
                "Trade Show", "Web Download", "Web Research", "Chat"]
INDUSTRIES = [_NONE, "ASP (Application Service Provider)", "Data/Telecom OEM", "ERP (Enterprise Resource Planning)",
              "Government/Military", "Large Enterprise", "ManagementISV", "MSP (Management Service Provider)",
              "Network Equipment Enterprise", "Non-management ISV", "Optical Networking", "Service Provider",
              "Small/Medium Enterprise", "Storage Equipment", "Storage Service Provider", "Systems Integrator",
              "Wireless Industry", "Hospitality", "Retail", "Healthcare", "Professional Services", "Construction"]
ACCOUNT_TYPES = [_NONE, "Analyst", "Competitor", "Customer", "Distributor", "Integrator", "Investor", "Other",
                 "Partner", "Press", "Prospect", "Reseller", "Supplier", "Vendor"]
LEAD_STATUSES = [_NONE, "Attempted to Contact", "Contact in Future", "Contacted", "Junk Lead", "Lost Lead",
                 "Not Contacted", "Pre-Qualified", "Not Qualified"]
INVOICE_STATUSES = [_NONE, "Created", "Approved", "Delivered", "Cancelled"]
XERO_CONTACT_STATUSES = [_NONE, "Active", "Archived"]
XERO_INVOICE_STATUSES = [_NONE, "Draft", "Submitted", "Authorised", "Overdue", "Paid", "Voided", "Deleted"]

JSON_TYPES = {
    "text": "string", "textarea": "string", "email": "string", "phone": "string", "website": "string",
    "picklist": "string", "date": "string", "datetime": "string", "autonumber": "string", "bigint": "string",
    "integer": "integer", "double": "double", "currency": "double", "decimal": "double", "percent": "double",
    "boolean": "boolean", "lookup": "jsonobject", "ownerlookup": "jsonobject", "userlookup": "jsonobject",
    "multiselectpicklist": "jsonarray", "subform": "jsonarray", "linetax": "jsonarray", "formula": "double",
}
UI_TYPES = {
    "text": 1, "picklist": 2, "textarea": 3, "date": 24, "email": 25, "website": 21, "phone": 33, "integer": 32,
    "currency": 36, "double": 38, "boolean": 301, "datetime": 333, "lookup": 133, "ownerlookup": 8,
    "userlookup": 8, "subform": 500, "autonumber": 1, "bigint": 515, "linetax": 501, "formula": 39,
    "multiselectpicklist": 100, "percent": 39, "decimal": 39,
}
DEFAULT_LENGTHS = {
    "text": 255, "textarea": 32000, "email": 100, "phone": 30, "website": 255, "picklist": 120, "integer": 9,
    "bigint": 18, "double": 16, "currency": 16, "decimal": 16, "percent": 5, "boolean": 5, "date": 20,
    "datetime": 120, "lookup": 120, "ownerlookup": 120, "userlookup": 120, "subform": 5, "autonumber": 255,
    "linetax": 255, "formula": 16, "multiselectpicklist": 2000,
}


def field(
    api_name: str,
    label: str,
    data_type: str,
    *,
    length: int | None = None,
    mandatory: bool = False,
    picklist: list[str] | None = None,
    unique: bool = False,
    custom: bool = False,
    lookup: str | None = None,
    read_only: bool = False,
    subform: str | None = None,
    created: str | None = None,
) -> dict[str, Any]:
    """One field definition (the emulator's own compact form)."""
    return {
        "api_name": api_name,
        "label": label,
        "data_type": data_type,
        "length": length if length is not None else DEFAULT_LENGTHS.get(data_type, 255),
        "mandatory": mandatory,
        "picklist": list(picklist) if picklist else None,
        "unique": unique,
        "custom": custom,
        "lookup": lookup,
        "read_only": read_only,
        "subform": subform,
        "created": created,
    }


def _system_fields(owner_label: str, activity: bool = True) -> list[dict[str, Any]]:
    fields = [
        field("Owner", owner_label, "ownerlookup"),
        field("Created_By", "Created By", "ownerlookup", read_only=True),
        field("Modified_By", "Modified By", "ownerlookup", read_only=True),
        field("Created_Time", "Created Time", "datetime", read_only=True),
        field("Modified_Time", "Modified Time", "datetime", read_only=True),
        field("Record_Status__s", "Record Status", "picklist", read_only=True,
              picklist=["Available", "Draft", "Trash"]),
        field("Locked__s", "Locked", "boolean", read_only=True),
    ]
    if activity:
        fields.append(field("Last_Activity_Time", "Last Activity Time", "datetime", read_only=True))
    return fields


def _currency_fields() -> list[dict[str, Any]]:
    return [
        field("Currency", "Currency", "picklist", picklist=list(CURRENCIES)),
        field("Exchange_Rate", "Exchange Rate", "double", length=16),
    ]


def _address(prefix: str, label: str, code: str = "Code") -> list[dict[str, Any]]:
    return [
        field(f"{prefix}_Street", f"{label} Street", "text", length=250),
        field(f"{prefix}_City", f"{label} City", "text", length=30),
        field(f"{prefix}_State", f"{label} State", "text", length=30),
        field(f"{prefix}_{code}", f"{label} {code}", "text", length=30),
        field(f"{prefix}_Country", f"{label} Country", "text", length=30),
    ]


CUSTOM_CREATED = "2026-03-02T10:15:00+11:00"


def default_fields() -> dict[str, list[dict[str, Any]]]:
    """The org's field layout when the emulator starts (before any ``/_sandbox/zoho/fields`` change)."""
    c = {"custom": True, "created": CUSTOM_CREATED}
    return {
        "Accounts": [
            field("Account_Name", "Account Name", "text", length=200, mandatory=True),
            field("Account_Number", "Account Number", "text", length=40),
            field("Account_Site", "Account Site", "text", length=80),
            field("Parent_Account", "Parent Account", "lookup", lookup="Accounts"),
            field("Account_Type", "Account Type", "picklist", picklist=ACCOUNT_TYPES),
            field("Industry", "Industry", "picklist", picklist=INDUSTRIES),
            field("Annual_Revenue", "Annual Revenue", "currency"),
            field("Employees", "Employees", "integer"),
            field("Rating", "Rating", "picklist", picklist=[_NONE, "Acquired", "Active", "Market Failed",
                                                             "Project Cancelled", "Shut Down"]),
            field("Phone", "Phone", "phone"),
            field("Fax", "Fax", "phone"),
            field("Website", "Website", "website"),
            *_address("Billing", "Billing"),
            *_address("Shipping", "Shipping"),
            field("Description", "Description", "textarea"),
            *_currency_fields(),
            *_system_fields("Account Owner"),
            field("Email", "Email", "email", **c),
            field("ABN", "ABN", "text", length=20, **c),
            field("Xero_Contact_ID", "Xero Contact ID", "text", length=255, unique=True, **c),
            field("Xero_Status", "Xero Status", "picklist", picklist=XERO_CONTACT_STATUSES, **c),
            field("Outstanding_Balance", "Outstanding Balance", "currency", **c),
            field("Overdue_Balance", "Overdue Balance", "currency", **c),
            field("Payment_Terms", "Payment Terms", "text", length=100, **c),
        ],
        "Contacts": [
            field("Salutation", "Salutation", "picklist", picklist=[_NONE, "Mr.", "Mrs.", "Ms.", "Dr.", "Prof."]),
            field("First_Name", "First Name", "text", length=40),
            field("Last_Name", "Last Name", "text", length=80, mandatory=True),
            field("Full_Name", "Contact Name", "text", length=120, read_only=True),
            field("Account_Name", "Account Name", "lookup", lookup="Accounts"),
            field("Email", "Email", "email"),
            field("Secondary_Email", "Secondary Email", "email"),
            field("Phone", "Phone", "phone"),
            field("Mobile", "Mobile", "phone"),
            field("Home_Phone", "Home Phone", "phone"),
            field("Title", "Title", "text", length=100),
            field("Department", "Department", "text", length=30),
            field("Lead_Source", "Lead Source", "picklist", picklist=LEAD_SOURCES),
            field("Date_of_Birth", "Date of Birth", "date"),
            field("Email_Opt_Out", "Email Opt Out", "boolean"),
            *_address("Mailing", "Mailing", "Zip"),
            field("Description", "Description", "textarea"),
            *_system_fields("Contact Owner"),
            field("Xero_Contact_ID", "Xero Contact ID", "text", length=255, unique=True, **c),
        ],
        "Leads": [
            field("Salutation", "Salutation", "picklist", picklist=[_NONE, "Mr.", "Mrs.", "Ms.", "Dr.", "Prof."]),
            field("First_Name", "First Name", "text", length=40),
            field("Last_Name", "Last Name", "text", length=80, mandatory=True),
            field("Full_Name", "Lead Name", "text", length=120, read_only=True),
            field("Company", "Company", "text", length=200),
            field("Title", "Title", "text", length=100),
            field("Email", "Email", "email"),
            field("Phone", "Phone", "phone"),
            field("Mobile", "Mobile", "phone"),
            field("Website", "Website", "website"),
            field("Lead_Source", "Lead Source", "picklist", picklist=LEAD_SOURCES),
            field("Lead_Status", "Lead Status", "picklist", picklist=LEAD_STATUSES),
            field("Industry", "Industry", "picklist", picklist=INDUSTRIES),
            field("No_of_Employees", "No. of Employees", "integer"),
            field("Annual_Revenue", "Annual Revenue", "currency"),
            field("Email_Opt_Out", "Email Opt Out", "boolean"),
            field("Street", "Street", "text", length=250),
            field("City", "City", "text", length=30),
            field("State", "State", "text", length=30),
            field("Zip_Code", "Zip Code", "text", length=30),
            field("Country", "Country", "text", length=30),
            field("Description", "Description", "textarea"),
            field("Converted__s", "Converted", "boolean", read_only=True),
            field("Converted_Date_Time", "Converted Date Time", "datetime", read_only=True),
            *_currency_fields(),
            *_system_fields("Lead Owner"),
        ],
        "Deals": [
            field("Deal_Name", "Deal Name", "text", length=120, mandatory=True),
            field("Account_Name", "Account Name", "lookup", lookup="Accounts"),
            field("Contact_Name", "Contact Name", "lookup", lookup="Contacts"),
            field("Amount", "Amount", "currency"),
            field("Closing_Date", "Closing Date", "date", mandatory=True),
            field("Pipeline", "Pipeline", "picklist", picklist=["Standard (Standard)"]),
            field("Stage", "Stage", "picklist", mandatory=True, picklist=list(STAGE_PROBABILITY)),
            field("Probability", "Probability (%)", "integer", length=3),
            field("Expected_Revenue", "Expected Revenue", "currency", read_only=True),
            field("Type", "Type", "picklist", picklist=[_NONE, "Existing Business", "New Business"]),
            field("Lead_Source", "Lead Source", "picklist", picklist=LEAD_SOURCES),
            field("Next_Step", "Next Step", "text", length=100),
            field("Reason_For_Loss__s", "Reason For Loss", "picklist",
                  picklist=[_NONE, "Price", "Lost to Competitor", "No Budget", "No Decision", "Other"]),
            field("Description", "Description", "textarea"),
            *_currency_fields(),
            *_system_fields("Deal Owner"),
            field("Xero_Invoice_ID", "Xero Invoice ID", "text", length=255, unique=True, **c),
        ],
        "Products": [
            field("Product_Name", "Product Name", "text", length=120, mandatory=True),
            field("Product_Code", "Product Code", "text", length=40),
            field("Product_Active", "Product Active", "boolean"),
            field("Product_Category", "Product Category", "picklist",
                  picklist=[_NONE, "Hardware", "Software", "CRM Applications", "Consumables", "Services"]),
            field("Manufacturer", "Manufacturer", "text", length=40),
            field("Unit_Price", "Unit Price", "currency"),
            field("Taxable", "Taxable", "boolean"),
            field("Commission_Rate", "Commission Rate", "currency"),
            field("Usage_Unit", "Usage Unit", "picklist",
                  picklist=["Box", "Carton", "Dozen", "Each", "Hours", "Pack", "Pieces", "Quantity", "Reams"]),
            field("Qty_in_Stock", "Qty in Stock", "double"),
            field("Description", "Description", "textarea"),
            *_currency_fields(),
            *_system_fields("Product Owner", activity=False),
            field("Xero_Item_ID", "Xero Item ID", "text", length=255, unique=True, **c),
        ],
        "Invoices": [
            field("Subject", "Subject", "text", length=255, mandatory=True),
            field("Invoice_Number", "Invoice Number", "autonumber", read_only=True),
            field("Invoice_Date", "Invoice Date", "date"),
            field("Due_Date", "Due Date", "date"),
            field("Status", "Status", "picklist", picklist=INVOICE_STATUSES),
            field("Account_Name", "Account Name", "lookup", lookup="Accounts", mandatory=True),
            field("Contact_Name", "Contact Name", "lookup", lookup="Contacts"),
            field("Deal_Name", "Deal Name", "lookup", lookup="Deals"),
            field("Purchase_Order", "Purchase Order", "text", length=100),
            field("Invoiced_Items", "Invoiced Items", "subform", subform="Invoiced_Items"),
            field("Sub_Total", "Sub Total", "currency", read_only=True),
            field("Discount", "Discount", "currency"),
            field("Tax", "Tax", "currency", read_only=True),
            field("Adjustment", "Adjustment", "currency"),
            field("Grand_Total", "Grand Total", "currency", read_only=True),
            *_address("Billing", "Billing"),
            field("Terms_and_Conditions", "Terms and Conditions", "textarea"),
            field("Description", "Description", "textarea"),
            *_currency_fields(),
            *_system_fields("Invoice Owner", activity=False),
            field("Xero_Invoice_ID", "Xero Invoice ID", "text", length=255, unique=True, **c),
            field("Xero_Status", "Xero Status", "picklist", picklist=XERO_INVOICE_STATUSES, **c),
            field("Amount_Paid", "Amount Paid", "currency", **c),
            field("Balance", "Balance", "currency", **c),
        ],
        "Invoiced_Items": [
            field("Product_Name", "Product Name", "lookup", lookup="Products", mandatory=True),
            field("Quantity", "Quantity", "double", mandatory=True),
            field("List_Price", "List Price", "currency"),
            field("Discount", "Discount", "currency"),
            field("Description", "Description", "textarea"),
            field("Line_Tax", "Line Tax", "linetax"),
            field("Total", "Amount", "currency", read_only=True),
            field("Total_After_Discount", "Total After Discount", "currency", read_only=True),
            field("Tax", "Tax", "currency", read_only=True),
            field("Net_Total", "Total", "currency", read_only=True),
            field("Sequence_Number", "S.No", "integer", read_only=True),
        ],
    }


def module_number(module: str) -> int:
    if module in MODULES:
        return MODULES[module][0]
    return SUBFORM_MODULES[module][0]


def module_ref(module: str) -> dict[str, str]:
    return {"api_name": module, "id": static_id(module_number(module))}


def field_id(module: str, index: int) -> str:
    return static_id(300000 + module_number(module) * 100 + index)


def _picklist_json(module: str, index: int, values: list[str]) -> list[dict[str, Any]]:
    out = []
    for seq, value in enumerate(values, start=1):
        out.append({
            "display_value": value, "actual_value": value, "reference_value": value, "sequence_number": seq,
            "id": static_id(500000 + module_number(module) * 1000 + index * 40 + seq), "type": "used",
            "colour_code": None,
        })
    return out


def render_field(module: str, index: int, fd: dict[str, Any]) -> dict[str, Any]:
    """One entry of ``GET /settings/fields``: every key the OAS ``fields`` schema requires."""
    dt = fd["data_type"]
    ro = bool(fd["read_only"])
    custom = bool(fd["custom"])
    layout = {"api_name": "Standard__s", "name": "Standard", "id": static_id(91055 + module_number(module))}
    lookup: dict[str, Any] = {}
    if fd.get("lookup"):
        lookup = {
            "display_label": fd["label"], "api_name": fd["api_name"], "module": module_ref(fd["lookup"]),
            "id": field_id(module, index), "query_details": {}, "revalidate_filter_during_edit": False,
            "show_fields": [],
        }
    column = (f"{module.upper()[:8]}CF{index}" if custom else fd["api_name"].upper())[:30]
    return {
        "associated_module": module_ref(fd["subform"]) if fd.get("subform") else None,
        "data_type": dt,
        "webhook": True,
        "operation_type": {"web_update": not ro, "api_create": not ro, "web_create": not ro, "api_update": not ro},
        "colour_code_enabled_by_system": False,
        "field_label": fd["label"],
        "tooltip": None,
        "type": "used",
        "field_read_only": ro,
        "customizable_properties": [] if not custom else ["tooltip", "unique"],
        "display_label": fd["label"],
        "read_only": ro,
        "association_details": None,
        "businesscard_supported": not ro,
        "multi_module_lookup": None,
        "id": field_id(module, index),
        "created_time": fd.get("created") if custom else None,
        "filterable": dt not in ("subform", "textarea", "linetax"),
        "visible": True,
        "refer_from_field": None,
        "profiles": [
            {"permission_type": "read_write" if not ro else "read_only", "name": "Administrator",
             "id": ADMIN_PROFILE_ID},
            {"permission_type": "read_write" if not ro else "read_only", "name": "Standard",
             "id": STANDARD_PROFILE_ID},
        ],
        "view_type": {"view": True, "edit": not ro, "quick_create": bool(fd["mandatory"]), "create": not ro},
        "separator": False,
        "searchable": dt in ("text", "email", "phone", "website", "picklist", "textarea", "autonumber"),
        "external": None,
        "api_name": fd["api_name"],
        "unique": {"casesensitive": "false"} if fd["unique"] else {},
        "enable_colour_code": False,
        "pick_list_values": _picklist_json(module, index, fd["picklist"] or []) if dt == "picklist" else [],
        "system_mandatory": bool(fd["mandatory"]),
        "virtual_field": False,
        "json_type": JSON_TYPES.get(dt, "string"),
        "crypt": None,
        "created_source": "crm" if custom else "default",
        "display_type": -1,
        "ui_type": UI_TYPES.get(dt, 1),
        "modified_time": fd.get("created") if custom else None,
        "email_parser": {"fields_update_supported": not ro, "record_operations_supported": not ro},
        "currency": {"rounding_option": "normal", "precision": 2} if dt == "currency" else {},
        "custom_field": custom,
        "lookup": lookup,
        "rollup_summary": {},
        "length": int(fd["length"]),
        "display_field": fd["api_name"] == MODULES.get(module, (0, "", "", "", False))[3],
        "pick_list_values_sorted_lexically": False,
        "sortable": dt not in ("subform", "textarea", "linetax"),
        "layout_associations": [layout],
        "sequence_number": index + 1,
        "quick_sequence_number": str(index + 1),
        "decimal_place": 2 if dt in ("currency", "double", "decimal", "percent") else None,
        "mass_update": not ro and dt not in ("subform", "autonumber"),
        "blueprint_supported": not ro,
        "available_in_user_layout": True,
        "show_type": 7,
        "category": 0,
        "column_name": column,
        "sharing_properties": None,
        "file_upolad_optionlist": [],
        "sub_module": None,
        "subform": {"module": fd["subform"], "id": static_id(module_number(fd["subform"]))}
        if fd.get("subform") else None,
        "formula": {},
        "private": None,
        "convert_mapping": {"Contacts": None, "Deals": None, "Accounts": None},
        "multiselectlookup": {},
        "multiuserlookup": None,
        "autonumber": None,
        "auto_number": {"prefix": "INV-", "suffix": None, "start_number": 1001, "starting_number_length": 4}
        if dt == "autonumber" else {},
        "history_tracking": None,
        "allowed_modules": [],
        "additional_column": None,
        "common.picklist": None,
        "hipaa_compliance_enabled": False,
        "hipaa_compliance": None,
        "_update_existing_records": False,
        "number_separator": dt in ("currency", "double", "integer"),
        "textarea": {"type": "large"} if dt == "textarea" else None,
        "static_field": False,
    }


def render_module(module: str, sequence: int, modified: str, edition_has: bool) -> dict[str, Any]:
    """One entry of ``GET /settings/modules`` (the summary Zoho lists; per-module GET adds more)."""
    number, singular, plural, _dup, _cur = MODULES[module]
    return {
        "id": static_id(number),
        "api_name": module,
        "module_name": module,
        "singular_label": singular,
        "plural_label": plural,
        "api_supported": edition_has,
        "generated_type": "default",
        "creatable": True,
        "editable": True,
        "deletable": True,
        "viewable": True,
        "visible": edition_has,
        "convertable": module == "Leads",
        "show_as_tab": True,
        "sequence_number": sequence,
        "visibility": 1,
        "quick_create": True,
        "inventory_template_supported": module in INVENTORY_MODULES,
        "global_search_supported": True,
        "feeds_required": False,
        "presence_sub_menu": False,
        "triggers_supported": True,
        "isBlueprintSupported": True,
        "modified_time": modified,
        "modified_by": None,
        "profiles": [{"name": "Administrator", "id": ADMIN_PROFILE_ID},
                     {"name": "Standard", "id": STANDARD_PROFILE_ID}],
        "parent_module": {},
        "web_link": None,
        "description": None,
        "arguments": [],
        "status": "visible" if edition_has else "system_hidden",
    }
