"""ZohoClient: list reads at 200 a page with ``page_token`` past 2,000 records, incremental reads, deleted
records, upserts of ≤ 100 with per-record results, and the field metadata the mapping editor shows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson

from app.integrations.common import BatchResult, Page, RecordFailure, RecordOutcome, chunks
from app.integrations.http import ApiSession
from app.integrations.zoho.hints import hint_for
from app.integrations.zoho.models import (
    DeletedRecord,
    ZohoCurrency,
    ZohoField,
    ZohoOrg,
    ZohoRecord,
    ZohoUser,
    parse_time,
)

PER_PAGE = 200
DISCRETE_LIMIT = 2000  # beyond page × per_page = 2,000 Zoho requires page_token
BATCH_SIZE = 100
MAX_FIELDS = 50
TRANSIENT_CODES = {"INTERNAL_ERROR", "DEPENDENT_SERVICE_ERROR"}


def zoho_since(moment: datetime, overlap_seconds: int = 1) -> str:
    """``If-Modified-Since`` for Zoho: ISO 8601, seconds, with offset."""
    moment = moment.astimezone(UTC).replace(microsecond=0)
    return datetime.fromtimestamp(moment.timestamp() - overlap_seconds, UTC).isoformat()


class ZohoClient:
    def __init__(self, session: ApiSession, api_domain: str) -> None:
        self.session = session
        self.base = api_domain.rstrip("/") + "/crm/v8"

    def _get(self, path: str, params: dict[str, Any] | None = None,
             modified_since: datetime | None = None) -> dict[str, Any]:
        headers = {"If-Modified-Since": zoho_since(modified_since)} if modified_since else None
        response = self.session.send("GET", f"{self.base}/{path}", params=params, headers=headers)
        if response.status_code in (204, 304) or not response.content:
            return {}
        body = self._body(response)
        return body if isinstance(body, dict) else {}

    def _body(self, response: Any) -> Any:
        """The JSON body, parsed once (by the session's readability check) when the session parses plain JSON."""
        if getattr(self.session, "parse", None) is orjson.loads:
            return self.session.body(response)
        return orjson.loads(response.content)

    # ----- reads ---------------------------------------------------------------------------------------------
    def records(self, module: str, fields: list[str], modified_since: datetime | None = None,
                start_page: int = 1, page_token: str = "") -> Iterator[Page[ZohoRecord]]:
        """Every record (or those modified since), oldest change first, at the fewest calls."""
        wanted = list(dict.fromkeys(["Modified_Time", *fields]))[:MAX_FIELDS]
        base = {"fields": ",".join(wanted), "per_page": PER_PAGE, "sort_by": "Modified_Time", "sort_order": "asc"}
        page, token = max(1, start_page), page_token
        while True:
            params = dict(base)
            if token:
                params["page_token"] = token
            else:
                params["page"] = page
            body = self._get(module, params, modified_since)
            rows = body.get("data") or []
            info = body.get("info") or {}
            more = bool(info.get("more_records"))
            next_token = ""
            if more and (page + 1) * PER_PAGE > DISCRETE_LIMIT:
                next_token = str(info.get("next_page_token") or "")
            yield Page([ZohoRecord.from_wire(module, r) for r in rows], page, not more, next_token,
                       as_of=getattr(self.session, "server_time", None))
            if not more:
                return
            page += 1
            token = next_token

    def records_by_id(self, module: str, fields: list[str], ids: list[str]) -> list[ZohoRecord]:
        wanted = list(dict.fromkeys(["Modified_Time", *fields]))[:MAX_FIELDS]
        out: list[ZohoRecord] = []
        for batch in chunks(ids, BATCH_SIZE):
            body = self._get(module, {"fields": ",".join(wanted), "ids": ",".join(batch), "per_page": PER_PAGE})
            out.extend(ZohoRecord.from_wire(module, r) for r in body.get("data") or [])
        return out

    def record(self, module: str, record_id: str) -> ZohoRecord | None:
        rows = self._get(f"{module}/{record_id}").get("data") or []
        return ZohoRecord.from_wire(module, rows[0]) if rows else None

    def deleted(self, module: str, modified_since: datetime | None = None) -> Iterator[Page[DeletedRecord]]:
        page = 1
        while True:
            body = self._get(f"{module}/deleted", {"type": "all", "per_page": PER_PAGE, "page": page},
                             modified_since)
            rows = body.get("data") or []
            more = bool((body.get("info") or {}).get("more_records"))
            yield Page([DeletedRecord(str(r["id"]), parse_time(r.get("deleted_time")), r.get("type") or "",
                                      r.get("display_name")) for r in rows], page, not more)
            if not more:
                return
            page += 1

    # ----- writes --------------------------------------------------------------------------------------------
    def upsert(self, module: str, records: list[dict[str, Any]], duplicate_check_fields: list[str],
               allow_workflows: bool = False) -> BatchResult:
        """Insert or update by the cross-reference field(s): a retried batch never duplicates."""
        return self._write("POST", f"{module}/upsert", records,
                           {"duplicate_check_fields": duplicate_check_fields}, allow_workflows)

    def update(self, module: str, records: list[dict[str, Any]], allow_workflows: bool = False,
               repeatable: bool = True) -> BatchResult:
        """Update existing records by id (each dict carries ``id``). ``repeatable=False`` when the update appends
        subform rows: it is then never resent blindly after an answer that got lost."""
        return self._write("PUT", module, records, {}, allow_workflows, repeatable)

    def delete(self, module: str, ids: list[str]) -> BatchResult:
        result = BatchResult()
        offset = 0
        for batch in chunks(ids, BATCH_SIZE):
            response = self.session.send("DELETE", f"{self.base}/{module}", params={"ids": ",".join(batch)},
                                         accept=(400,))
            result.extend(_outcomes(self._body(response).get("data") or []), offset)
            offset += len(batch)
        return result

    def _write(self, method: str, path: str, records: list[dict[str, Any]], extra: dict[str, Any],
               allow_workflows: bool, repeatable: bool = True) -> BatchResult:
        result = BatchResult()
        offset = 0
        for batch in chunks(records, BATCH_SIZE):
            body: dict[str, Any] = {"data": batch, **extra}
            if not allow_workflows:
                body["trigger"] = []
            response = self.session.send(method, f"{self.base}/{path}", json_body=body, accept=(400,),
                                         retry_transient=repeatable)
            payload = self._body(response)
            rows = payload.get("data") if isinstance(payload, dict) else None
            if rows is None:  # a request-level error (bad module, too many records): every record failed
                code = str(payload.get("code", "")) if isinstance(payload, dict) else ""
                message = str(payload.get("message", "")) if isinstance(payload, dict) else response.text[:200]
                rows = [{"code": code, "message": message, "status": "error", "details": {}}] * len(batch)
            result.extend(_outcomes(rows), offset)
            offset += len(batch)
        return result

    # ----- metadata ------------------------------------------------------------------------------------------
    def fields(self, module: str) -> list[ZohoField]:
        return [ZohoField.from_wire(f) for f in self._get("settings/fields", {"module": module}).get("fields") or []]

    def modules(self) -> list[str]:
        return [m.get("api_name", "") for m in self._get("settings/modules").get("modules") or []
                if m.get("api_supported", True)]

    def org(self) -> ZohoOrg:
        org = (self._get("org").get("org") or [{}])[0]
        license_details = org.get("license_details") or {}
        return ZohoOrg(str(org.get("id", "")), org.get("company_name") or "", org.get("currency") or
                       org.get("iso_code") or "", org.get("time_zone") or "", bool(org.get("mc_status")),
                       str(license_details.get("paid_type") or ""))

    def currencies(self) -> list[ZohoCurrency]:
        return [ZohoCurrency(c.get("iso_code", ""), str(c.get("exchange_rate", "")), bool(c.get("is_base")),
                             bool(c.get("is_active", True)))
                for c in self._get("org/currencies").get("currencies") or []]

    def taxes(self) -> list[tuple[str, str]]:
        """The organisation's taxes as (name, percentage text): what an invoice row's Line_Tax may name."""
        body = self._get("org/taxes").get("org_taxes") or {}
        return [(str(t.get("name") or ""), str(t.get("value") or "0")) for t in body.get("taxes") or []]

    def users(self) -> list[ZohoUser]:
        """The active users (record owners to choose from)."""
        return [ZohoUser(str(u.get("id", "")), u.get("full_name") or u.get("name") or "", u.get("email") or "")
                for u in self._get("users", {"type": "ActiveUsers"}).get("users") or []]

    def current_user(self) -> ZohoUser:
        user = (self._get("users", {"type": "CurrentUser"}).get("users") or [{}])[0]
        return ZohoUser(str(user.get("id", "")), user.get("full_name") or user.get("name") or "",
                        user.get("email") or "")


def _outcomes(rows: list[dict[str, Any]]) -> BatchResult:
    result = BatchResult()
    for index, row in enumerate(rows):
        details = row.get("details") or {}
        if row.get("status") == "success":
            result.outcomes.append(RecordOutcome(
                index, str(details.get("id")) if details.get("id") is not None else None, None,
                row.get("action") or "", _version(details.get("Modified_Time"))))
        else:
            code = str(row.get("code") or "")
            message = str(row.get("message") or "")
            failure = RecordFailure(message=message, code=code, field=str(details.get("api_name") or ""),
                                    hint=hint_for(code, details, message), raw=row,
                                    transient=code in TRANSIENT_CODES)
            result.outcomes.append(RecordOutcome(index, None, failure))
    return result


def _version(value: Any) -> str:
    moment = parse_time(value)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds") if moment else ""
