"""What every accounting handler shares: the parsed call, list filtering/ordering/paging, and batch writes with
Xero's two error modes.

Batch writes are not transactional: each element is validated and committed on its own. With the default
(summarized) errors any failing element makes the answer a 400 ValidationException listing only the failing
elements — the valid ones are committed all the same. With ``summarizeErrors=false`` the answer is always 200 and
every element carries ``StatusAttributeString`` (OK / WARNING / ERROR) and its own ``ValidationErrors``.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

import httpx

from .state import Org
from .where import WhereError, compile_where, parse_order, sort_records
from .wire import (
    dt_of,
    envelope,
    no_data_processed,
    parse_body,
    parse_bool,
    parse_if_modified_since,
    post_data_invalid,
    query_parse_exception,
    validation_exception,
    xero_response,
)

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 100


class CallError(Exception):
    """Abort the call with a ready response."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(response.status_code)
        self.response = response


@dataclass
class Call:
    org: Org
    method: str
    path_rest: list[str]  # path segments after the resource name
    query: dict[str, str]  # keys lower-cased: Xero's query parameters are case-insensitive
    headers: httpx.Headers
    body: bytes
    now_ms: int
    switches: dict[str, Any]
    provider: str
    client_id: str = ""
    source: str = "api"  # "api" or "ui" (control API edits "as a user in the Xero web UI")
    extras: dict[str, Any] = field(default_factory=dict)

    def q(self, name: str) -> str | None:
        return self.query.get(name.lower())

    def flag(self, name: str, default: bool = False) -> bool:
        return parse_bool(self.q(name), default)

    @property
    def unitdp4(self) -> bool:
        return (self.q("unitdp") or "").strip() == "4"

    def if_modified_since(self) -> int | None:
        value = self.headers.get("If-Modified-Since")
        return parse_if_modified_since(value) if value else None

    def ok(self, key: str, records: list[dict], pagination: dict | None = None, status: int = 200) -> httpx.Response:
        return xero_response(status, envelope(self.provider, self.now_ms, key, records, pagination))

    def elements(self, plural: str, singular: str) -> list[Any]:
        """The ``{"Contacts": [...]}`` array of a write, or a 400 NoDataProcessedException / PostDataInvalid."""
        if not self.body.strip():
            raise CallError(xero_response(400, no_data_processed(singular)))
        try:
            data = parse_body(self.body)
        except ValueError:
            raise CallError(xero_response(400, post_data_invalid("The JSON in the request body is not valid."))) from None
        items = None
        if isinstance(data, dict):
            for key, value in data.items():
                if key.lower() == plural.lower():
                    items = value
        if not isinstance(items, list) or not items:
            raise CallError(xero_response(400, no_data_processed(singular)))
        return items


# ----- resolving fields for where/order --------------------------------------------------------------------------
def make_resolver(cls: type, date_fields: Iterable[str] = (), extra: dict[str, Callable[[Any], Any]] | None = None):
    """``resolve(record, path)`` over a dataclass whose field names are the wire names (case-insensitive)."""
    names = {f.name.lower(): f.name for f in fields(cls)}
    dates = {d.lower() for d in date_fields}
    extra_l = {k.lower(): v for k, v in (extra or {}).items()}

    def resolve(record: Any, path: tuple[str, ...]) -> Any:
        key = ".".join(path).lower()
        if key in extra_l:
            return extra_l[key](record)
        if len(path) == 1 and key in names:
            value = getattr(record, names[key])
            if key in dates:
                return None if value is None else dt_of(value)
            return value
        raise KeyError(key)

    def plain(path: tuple[str, ...]) -> str | None:
        """The attribute behind a one-segment path, for fast sorting on raw values (ms sort like datetimes)."""
        key = ".".join(path).lower()
        return names[key] if len(path) == 1 and key in names and key not in extra_l else None

    resolve.plain = plain  # type: ignore[attr-defined]
    return resolve


def as_dt(ms: int | None) -> datetime | None:
    return None if ms is None else dt_of(ms)


# ----- lists -----------------------------------------------------------------------------------------------------
_LIST_CACHE: OrderedDict[tuple, list[Any]] = OrderedDict()
_LIST_CACHE_SIZE = 8
_CACHE_FROM = 2000  # records; smaller lists are simply filtered and sorted again


def filter_and_sort(call: Call, records: Iterable[Any], resolve, type_name: str, ims: bool = True) -> list[Any]:
    """The records a list call returns, in order, before paging. A large list read page by page is filtered and
    sorted once, not once per page: the result is kept while the records are unchanged (same count, same update
    stamps — every change moves a record's UpdatedDateUTC forward)."""
    records = list(records)
    order = (call.q("order") or "").replace(" ", "").lower()
    if (len(records) < _CACHE_FROM or not hasattr(records[0], "UpdatedDateUTC") or (call.q("where") or "").strip()
            or order not in ("", "updateddateutc", "updateddateutcasc")):
        # only where the result depends on nothing but the update stamps (a where or an order on another field
        # can change with a value that does not move UpdatedDateUTC, e.g. a payment under some switches)
        return _filter_and_sort(call, records, resolve, type_name, ims)
    stamps = [r.UpdatedDateUTC for r in records]
    query = tuple(sorted((k, v) for k, v in call.query.items() if k not in ("page", "pagesize")))
    key = (id(call.org), type_name, ims, query, call.headers.get("If-Modified-Since"),
           bool(call.switches.get("where_case_sensitive")), len(records), sum(stamps), max(stamps))
    cached = _LIST_CACHE.get(key)
    if cached is None:
        cached = _filter_and_sort(call, records, resolve, type_name, ims)
        _LIST_CACHE[key] = cached
        while len(_LIST_CACHE) > _LIST_CACHE_SIZE:
            _LIST_CACHE.popitem(last=False)
    else:
        _LIST_CACHE.move_to_end(key)
    return cached


def _filter_and_sort(call: Call, records: Iterable[Any], resolve, type_name: str, ims: bool = True) -> list[Any]:
    cs = bool(call.switches.get("where_case_sensitive"))
    result = records
    since = call.if_modified_since() if ims else None
    if since is not None:
        # second granularity and inclusive: a record updated in the same second as the watermark comes back again
        result = [r for r in result if r.UpdatedDateUTC - r.UpdatedDateUTC % 1000 >= since]
    try:
        where = call.q("where")
        if where and where.strip():
            predicate = compile_where(where, resolve, type_name, cs)
            result = [r for r in result if predicate(r)]
        else:
            result = list(result)
        order = call.q("order")
        if order and order.strip():
            result = sort_records(result, parse_order(order), resolve, type_name, cs)
    except WhereError as exc:
        raise CallError(xero_response(400, query_parse_exception(str(exc)))) from None
    return result


def page_of(call: Call, records: list[Any], force: bool = False) -> tuple[list[Any], dict | None]:
    """Apply ``page``/``pageSize``. Without ``page`` (and without ``force``) everything comes back unpaged and
    there is no ``pagination`` object. pageSize is clamped to 1..1000; a page past the end is simply empty."""
    page_text = call.q("page")
    if page_text is None and not force:
        return records, None
    try:
        page = max(1, int(page_text or "1"))
    except ValueError:
        page = 1
    try:
        size = int(call.q("pageSize") or DEFAULT_PAGE_SIZE)
    except ValueError:
        size = DEFAULT_PAGE_SIZE
    size = min(MAX_PAGE_SIZE, max(1, size))
    total = len(records)
    start = (page - 1) * size
    chunk = records[start:start + size]
    return chunk, {"page": page, "pageSize": size, "pageCount": math.ceil(total / size), "itemCount": total}


def ids_param(call: Call, name: str) -> set[str] | None:
    text = call.q(name)
    if not text:
        return None
    return {part.strip().strip('"').lower() for part in text.split(",") if part.strip()}


# ----- batch writes ----------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    view: dict
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def failed(element: Any, errors: list[str], error_flag: str = "HasValidationErrors") -> Outcome:
    echo = dict(element) if isinstance(element, dict) else {}
    echo[error_flag] = True
    return Outcome(echo, errors)


# Properties the spec declares as numbers (type: number, format: double) in the bodies this API accepts.
NUMBER_FIELDS = frozenset({"Quantity", "UnitAmount", "LineAmount", "DiscountRate", "DiscountAmount", "TaxAmount",
                           "UnitPrice", "CurrencyRate", "Amount", "SubTotal", "TotalTax", "Total", "TotalDiscount",
                           "BankAmount", "AmountDue", "AmountPaid", "AmountCredited"})


def quoted_numbers(element: Any, path: str = "") -> list[str]:
    """A validation error for each number the element sends as a string (``"UnitAmount": "2880.00"``)."""
    out: list[str] = []
    if isinstance(element, dict):
        for key, value in element.items():
            where = f"{path}{key}"
            if key in NUMBER_FIELDS and isinstance(value, str):
                out.append(f"{where} must be a number, not the text {value!r}.")
            elif isinstance(value, dict | list):
                out += quoted_numbers(value, f"{where}.")
    elif isinstance(element, list):
        for n, value in enumerate(element):
            out += quoted_numbers(value, f"{path.rstrip('.')}[{n}].")
    return out


def run_batch(call: Call, plural: str, elements: list[Any], process: Callable[[Any], Outcome],
              error_flag: str = "HasValidationErrors") -> httpx.Response:
    summarize = call.flag("summarizeErrors", True)
    if call.source == "api" and call.switches.get("refuse_quoted_numbers"):
        checked = process

        def process(el: Any) -> Outcome:
            problems = quoted_numbers(el)
            return failed(el, problems) if problems else checked(el)
    outcomes = [process(el) for el in elements]
    if summarize:
        bad = []
        for o in outcomes:
            if o.errors:
                v = dict(o.view)
                v[error_flag] = True
                v["ValidationErrors"] = [{"Message": m} for m in o.errors]
                bad.append(v)
        if bad:
            return xero_response(400, validation_exception(bad))
        views = []
        for o in outcomes:
            v = o.view
            if o.warnings:
                v = dict(v)
                v["Warnings"] = [{"Message": m} for m in o.warnings]
            views.append(v)
        return call.ok(plural, views)
    views = []
    for o in outcomes:
        v = dict(o.view)
        if o.errors:
            v[error_flag] = True
            v["StatusAttributeString"] = "ERROR"
            v["ValidationErrors"] = [{"Message": m} for m in o.errors]
        else:
            v["StatusAttributeString"] = "WARNING" if o.warnings else "OK"
        if o.warnings:
            v["Warnings"] = [{"Message": m} for m in o.warnings]
        views.append(v)
    return call.ok(plural, views)
