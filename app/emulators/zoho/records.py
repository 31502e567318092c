"""Record endpoints of ``/crm/v8/{module}``: list, get, insert, update, upsert, delete, deleted, search.

Behaviour per notes §2–§3: ``fields`` mandatory (≤50) on lists, ``per_page`` ≤200, the 2,000-record discrete cap
past which ``page_token`` (opaque, bound to the other params and the user, 24 h, 100k records) is needed, all 11
``info`` keys, 204 for nothing at all and 304 when ``If-Modified-Since`` filters everything out, subforms only on
GET by id; writes ≤100 records, per-record results in request order, 201/200 all good, 207 mixed, 400 all failed.
Callers hold the lock.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

import httpx

from ..base import json_response, read_json
from . import wire
from .store import SUBFORM
from .validation import RecordError

if TYPE_CHECKING:
    from . import ZohoEmulator

MAX_FIELDS = 50
MAX_PER_PAGE = 200
DISCRETE_LIMIT = 2000
TOKEN_LIMIT = 100_000
PAGE_TOKEN_SECONDS = 86400
MAX_WRITE = 100
SORT_BY = ("id", "Created_Time", "Modified_Time")
BOUND_PARAMS = ("fields", "per_page", "sort_by", "sort_order", "converted", "ids", "cvid", "approved",
                "territory_id", "include_child")
MAX_CRITERIA = 10
MAX_SEARCH = 2000


class Bad(Exception):
    """A top-level 4xx answer, raised from deep inside parameter handling."""

    def __init__(self, status: int, code: str, details: dict[str, Any] | None = None, message: str | None = None):
        super().__init__(code)
        self.response = wire.api_error(status, code, message, details)


def _int_param(params: httpx.QueryParams, name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise Bad(400, "INVALID_DATA", {"param_name": name, "expected_data_type": "integer"}) from exc
    if value < 1:
        raise Bad(400, "INVALID_DATA", {"param_name": name, "minimum": 1})
    return value


class Records:
    def __init__(self, emu: ZohoEmulator) -> None:
        self.emu = emu
        self._recent: dict[str, str] = {}  # (user, offset, binding) -> the page token last handed out

    # ----- rendering ---------------------------------------------------------------------------------------
    @staticmethod
    def render(rec: dict[str, Any], fields: list[str] | None, subforms: bool) -> dict[str, Any]:
        if fields is None:
            out = {k: v for k, v in rec.items() if not k.startswith("_") and (subforms or k != SUBFORM)}
            if subforms and SUBFORM in rec:
                out["$has_more"] = {SUBFORM: False}
            return out
        out = {"id": rec["id"]}
        for name in fields:
            if name == SUBFORM and not subforms:
                continue
            if name in rec:
                out[name] = rec[name]
                if name == "Currency" and "$currency_symbol" in rec:
                    out["$currency_symbol"] = rec["$currency_symbol"]
        return out

    def _fields_param(self, module: str, raw: str | None, required: bool) -> list[str] | None:
        if raw is None or raw.strip() == "":
            if required:
                raise Bad(400, "REQUIRED_PARAM_MISSING", {"param_name": "fields"})
            return None
        names = [n.strip() for n in raw.split(",") if n.strip()]
        if len(names) > MAX_FIELDS:
            raise Bad(400, "LIMIT_EXCEEDED", {"limit": MAX_FIELDS, "param_name": "fields"})
        known = {fd["api_name"] for fd in self.emu.state.fields[module]} | {"id", "Tag"}
        unknown = [n for n in names if n not in known]
        if unknown and self.emu.switches["unknown_fields_param"] == "error":
            raise Bad(400, "INVALID_DATA", {"api_name": unknown[0], "param_name": "fields"},
                      "the field api name given seems to be invalid")
        return [n for n in names if n in known]

    # ----- GET /{module} -----------------------------------------------------------------------------------
    def list(self, request: httpx.Request, module: str, user: str) -> httpx.Response:
        emu = self.emu
        p = request.url.params
        try:
            fields = self._fields_param(module, p.get("fields"), required=True)
            per_page = _int_param(p, "per_page", MAX_PER_PAGE)
            if per_page > MAX_PER_PAGE:
                if emu.switches["per_page_over_max"] != "clamp":
                    raise Bad(400, "INVALID_DATA", {"param_name": "per_page", "maximum": MAX_PER_PAGE})
                per_page = MAX_PER_PAGE
            sort_by = p.get("sort_by") or "id"
            if sort_by not in SORT_BY:
                raise Bad(400, "INVALID_DATA", {"param_name": "sort_by", "supported_values": list(SORT_BY)})
            sort_order = p.get("sort_order") or "desc"
            if sort_order not in ("asc", "desc"):
                raise Bad(400, "INVALID_DATA", {"param_name": "sort_order", "supported_values": ["asc", "desc"]})
            if p.get("cvid") and p.get("sort_by"):
                raise Bad(400, "AMBIGUITY_DURING_PROCESSING", {"ambiguity_due_to": ["cvid", "sort_by"]},
                          "cvid and sort_by cannot be given together")
            if p.get("cvid"):
                raise Bad(400, "INVALID_DATA", {"param_name": "cvid"}, "the given custom view id is invalid")
            token = p.get("page_token")
            if token and p.get("page"):
                raise Bad(400, "AMBIGUITY_DURING_PROCESSING", {"ambiguity_due_to": ["page", "page_token"]},
                          "page and page_token cannot be given together")
            ims = self._ims(request)
            binding = self._binding(module, p, request)
            if token:
                offset = self._use_token(token, binding, user)
            else:
                page = _int_param(p, "page", 1)
                if page * per_page > DISCRETE_LIMIT:
                    raise Bad(400, "DISCRETE_PAGINATION_LIMIT_EXCEEDED", {"limit": DISCRETE_LIMIT})
                offset = (page - 1) * per_page
            records = self._base_set(module, p)
        except Bad as bad:
            return bad.response
        if not records:
            return wire.empty(204)
        if ims is not None:
            records = [r for r in records if self._modified_since(r, ims)]
            if not records:
                return wire.empty(304)
        key = {"id": lambda r: r["id"], "Created_Time": lambda r: (r["_ctime"], r["id"]),
               "Modified_Time": lambda r: (r["_mtime"], r["id"])}[sort_by]
        records.sort(key=key, reverse=sort_order == "desc")
        page_rows = records[offset: offset + per_page]
        if not page_rows:
            return wire.empty(204)
        more = offset + per_page < len(records)
        next_token, expiry = (self._new_token(module, binding, user, offset + per_page) if more else (None, None))
        prev_token = None
        if token and offset > 0:
            prev_token, _ = self._new_token(module, binding, user, max(0, offset - per_page))
        info = {
            "call": False,
            "per_page": per_page,
            "next_page_token": next_token,
            "count": len(page_rows),
            "sort_by": sort_by,
            "page": offset // per_page + 1,
            "previous_page_token": prev_token,
            "page_token_expiry": expiry,
            "sort_order": sort_order,
            "email": False,
            "more_records": more,
        }
        data = [self.render(r, fields, subforms=False) for r in page_rows]
        return json_response(200, {"data": data, "info": info})

    def _base_set(self, module: str, p: httpx.QueryParams) -> list[dict[str, Any]]:
        records = list(self.emu.state.records[module].values())
        if module == "Leads":
            converted = (p.get("converted") or "false").lower()
            if converted not in ("true", "false", "both"):
                raise Bad(400, "INVALID_DATA", {"param_name": "converted", "supported_values": ["true", "false",
                                                                                               "both"]})
            if converted != "both":
                want = converted == "true"
                records = [r for r in records if bool(r.get("Converted__s")) == want]
        if p.get("ids"):
            ids = [i.strip() for i in p["ids"].split(",") if i.strip()]
            if len(ids) > MAX_WRITE:
                raise Bad(400, "LIMIT_EXCEEDED", {"limit": MAX_WRITE, "param_name": "ids"})
            wanted = set(ids)
            records = [r for r in records if r["id"] in wanted]
        return records

    def _ims(self, request: httpx.Request) -> float | None:
        raw = request.headers.get("If-Modified-Since")
        if not raw:
            return None
        try:
            return wire.parse_http_date(raw)
        except ValueError as exc:
            raise Bad(400, "INVALID_DATA", {"header_name": "If-Modified-Since", "expected_data_type": "datetime"}
                      ) from exc

    def _modified_since(self, rec: dict[str, Any], ims: float) -> bool:
        second = int(rec["_mtime"])
        return second >= ims if self.emu.switches["if_modified_since_inclusive"] else second > ims

    @staticmethod
    def _binding(module: str, p: httpx.QueryParams, request: httpx.Request) -> str:
        parts = [module] + [f"{k}={p.get(k, '')}" for k in BOUND_PARAMS]
        parts.append(f"ims={request.headers.get('If-Modified-Since', '')}")
        return "&".join(parts)

    def _new_token(self, module: str, binding: str, user: str, offset: int) -> tuple[str, str]:
        """A token for the page at ``offset``; asking for the same page again hands out the same live token, so
        page-by-page clients do not grow the saved state without bound."""
        emu = self.emu
        now = emu.clock.time()
        tokens = emu.state.page_tokens
        key = f"{user}|{offset}|{binding}"
        known = self._recent.get(key)
        if known in tokens and tokens[known]["expires"] > now and tokens[known]["binding"] == binding:
            return known, wire.fmt_time(tokens[known]["expires"], emu.tz)
        if len(tokens) > 256:
            for stale in [t for t, v in tokens.items() if v["expires"] <= now]:
                del tokens[stale]
        if len(self._recent) > 4096:
            self._recent.clear()
        token = secrets.token_hex(24)
        self._recent[key] = token
        expires = now + PAGE_TOKEN_SECONDS
        tokens[token] = {"module": module, "binding": binding, "user": user, "offset": offset, "expires": expires}
        return token, wire.fmt_time(expires, emu.tz)

    def _use_token(self, token: str, binding: str, user: str) -> int:
        info = self.emu.state.page_tokens.get(token)
        if info is None:
            raise Bad(400, "INVALID_DATA", {"api_name": "page_token", "json_path": "$.query.page_token"},
                      "the given page_token is invalid")
        if info["expires"] <= self.emu.clock.time():
            raise Bad(400, "EXPIRED_VALUE", {"api_name": "page_token", "json_path": "$.query.page_token"},
                      "the given page_token has expired")
        if info["binding"] != binding or info["user"] != user:
            raise Bad(400, "TOKEN_BOUND_DATA_MISMATCH", {"param_name": "page_token"},
                      "the given page_token is bound to different parameters")
        if info["offset"] >= TOKEN_LIMIT:
            raise Bad(400, "PAGINATION_LIMIT_EXCEEDED", {"limit": TOKEN_LIMIT},
                      "You can only get the first 100000 records")
        return int(info["offset"])

    # ----- GET /{module}/{id} ------------------------------------------------------------------------------
    def get(self, request: httpx.Request, module: str, rec_id: str) -> httpx.Response:
        try:
            fields = self._fields_param(module, request.url.params.get("fields"), required=False)
            ims = self._ims(request)
        except Bad as bad:
            return bad.response
        rec = self.emu.state.records[module].get(rec_id)
        if rec is None:
            if self.emu.switches["missing_record_get"] == "invalid_data":
                return wire.api_error(400, "INVALID_DATA", "the id given seems to be invalid", {"id": rec_id})
            return wire.empty(204)
        if ims is not None and not self._modified_since(rec, ims):
            return wire.empty(304)
        return json_response(200, {"data": [self.render(rec, fields, subforms=True)]})

    # ----- writes ----------------------------------------------------------------------------------------
    def _body(self, request: httpx.Request) -> tuple[list[Any], dict[str, Any]]:
        body = read_json(request)
        if request.content and body is None:
            raise Bad(400, "INVALID_DATA", {}, "body")
        if not isinstance(body, dict) or "data" not in body:
            raise Bad(400, "MANDATORY_NOT_FOUND", {"api_name": "data", "json_path": "$.data"},
                      "required field not found")
        data = body["data"]
        if not isinstance(data, list):
            raise Bad(400, "INVALID_DATA", {"api_name": "data", "json_path": "$.data",
                                            "expected_data_type": "jsonarray"})
        if not data:
            raise Bad(400, "MANDATORY_NOT_FOUND", {"api_name": "data", "json_path": "$.data"},
                      "required field not found")
        if len(data) > MAX_WRITE:
            raise Bad(400, "LIMIT_EXCEEDED", {"limit": MAX_WRITE, "api_name": "data", "json_path": "$.data"},
                      "Record count exceeded")
        trigger = body.get("trigger")
        if trigger is not None and not isinstance(trigger, list):
            raise Bad(400, "INVALID_DATA", {"api_name": "trigger", "json_path": "$.trigger",
                                            "expected_data_type": "jsonarray"})
        return data, body

    def write_count(self, request: httpx.Request) -> int:
        body = read_json(request)
        if isinstance(body, dict) and isinstance(body.get("data"), list):
            return len(body["data"])
        return 1

    @staticmethod
    def _details(rec: dict[str, Any]) -> dict[str, Any]:
        strip = {"name": rec["Created_By"]["name"], "id": rec["Created_By"]["id"]}
        mod = {"name": rec["Modified_By"]["name"], "id": rec["Modified_By"]["id"]}
        return {"Modified_Time": rec["Modified_Time"], "Modified_By": mod, "Created_Time": rec["Created_Time"],
                "id": rec["id"], "Created_By": strip, "$approval_state": rec.get("$approval_state", "approved")}

    @staticmethod
    def _status(results: list[dict[str, Any]], ok: int) -> int:
        good = sum(1 for r in results if r["status"] == "success")
        if good == len(results):
            return ok
        if good:
            return 207
        if all(r["code"] == "ALREADY_MODIFIED" for r in results):
            return 412
        return 400

    def insert(self, request: httpx.Request, module: str, user: str) -> httpx.Response:
        try:
            data, _body = self._body(request)
        except Bad as bad:
            return bad.response
        results = []
        for i, item in enumerate(data):
            path = f"$.data[{i}]"
            try:
                values = self.emu.validator.clean(module, item, path, creating=True)
                rec = self.emu.store.create(module, values, user, path)
            except RecordError as err:
                results.append(err.body)
                continue
            results.append({"code": "SUCCESS", "details": self._details(rec), "message": "record added",
                            "status": "success"})
        return json_response(self._status(results, 201), {"data": results})

    def update(self, request: httpx.Request, module: str, user: str, rec_id: str | None = None) -> httpx.Response:
        try:
            data, _body = self._body(request)
            ius = self._ius(request)
        except Bad as bad:
            return bad.response
        results = []
        for i, item in enumerate(data):
            path = f"$.data[{i}]"
            target_id = rec_id if rec_id is not None else (item.get("id") if isinstance(item, dict) else None)
            try:
                if target_id is None or target_id == "":
                    raise RecordError("MANDATORY_NOT_FOUND", {"api_name": "id", "json_path": f"{path}.id"})
                rec = self.emu.state.records[module].get(str(target_id))
                if rec is None:
                    raise RecordError("INVALID_DATA", {"api_name": "id", "json_path": f"{path}.id"},
                                      "the id given seems to be invalid")
                self._check_unmodified(rec, ius)
                values = self.emu.validator.clean(module, item, path, creating=False)
                rec = self.emu.store.update(module, rec, values, user, path)
            except RecordError as err:
                results.append(err.body)
                continue
            results.append({"code": "SUCCESS", "details": self._details(rec), "message": "record updated",
                            "status": "success"})
        return json_response(self._status(results, 200), {"data": results})

    def upsert(self, request: httpx.Request, module: str, user: str) -> httpx.Response:
        emu = self.emu
        try:
            data, body = self._body(request)
            ius = self._ius(request)
            allowed = emu.store.key_fields(module)
            check = body.get("duplicate_check_fields")
            if check is None:
                check = allowed
            if not isinstance(check, list) or not all(isinstance(c, str) for c in check):
                raise Bad(400, "INVALID_DATA", {"api_name": "duplicate_check_fields",
                                                "json_path": "$.duplicate_check_fields",
                                                "expected_data_type": "jsonarray"})
            for j, name in enumerate(check):
                if name not in allowed:
                    raise Bad(400, "INVALID_DATA", {"api_name": name, "json_path": f"$.duplicate_check_fields[{j}]"},
                              "the field is not a unique field or a system duplicate check field")
        except Bad as bad:
            return bad.response
        results = []
        for i, item in enumerate(data):
            path = f"$.data[{i}]"
            try:
                values = emu.validator.clean(module, item, path, creating=False)
                match, dup_field = None, None
                for name in check:
                    ids = emu.store.find(module, name, values.get(name))
                    if ids:
                        match, dup_field = emu.state.records[module][ids[0]], name
                        break
                if match is None:
                    emu.validator.check_mandatory(module, values, path, creating=True)
                    rec = emu.store.create(module, values, user, path)
                    action, message = "insert", "record added"
                else:
                    self._check_unmodified(match, ius)
                    rec = emu.store.update(module, match, values, user, path)
                    action, message = "update", "record updated"
            except RecordError as err:
                results.append(err.body)
                continue
            results.append({"code": "SUCCESS", "duplicate_field": dup_field, "action": action,
                            "details": self._details(rec), "message": message, "status": "success"})
        return json_response(self._status(results, 200), {"data": results})

    def _ius(self, request: httpx.Request) -> float | None:
        raw = request.headers.get("If-Unmodified-Since")
        if not raw:
            return None
        try:
            return wire.parse_http_date(raw)
        except ValueError as exc:
            raise Bad(400, "INVALID_DATA", {"header_name": "If-Unmodified-Since"}) from exc

    def _check_unmodified(self, rec: dict[str, Any], ius: float | None) -> None:
        if ius is not None and int(rec["_mtime"]) > ius:
            raise RecordError("ALREADY_MODIFIED", self._details(rec),
                              "record updated time has already passed if-unmodified-since time")

    def delete(self, request: httpx.Request, module: str, user: str, rec_id: str | None = None) -> httpx.Response:
        if rec_id is None:
            raw = request.url.params.get("ids", "")
            ids = [i.strip() for i in raw.split(",") if i.strip()]
            if not ids:
                return wire.api_error(400, "REQUIRED_PARAM_MISSING", details={"param_name": "ids"})
            if len(ids) > MAX_WRITE:
                return wire.api_error(400, "LIMIT_EXCEEDED", "Record count exceeded",
                                      {"limit": MAX_WRITE, "param_name": "ids"})
        else:
            ids = [rec_id]
        results = []
        for rid in ids:
            if rid in self.emu.state.records[module]:
                self.emu.store.delete(module, rid, user)
                results.append({"code": "SUCCESS", "details": {"id": rid}, "message": "record deleted",
                                "status": "success"})
            else:
                results.append(wire.error_body("INVALID_DATA", "record not deleted", {"id": rid}))
        return json_response(self._status(results, 200), {"data": results})

    # ----- GET /{module}/deleted ---------------------------------------------------------------------------
    def deleted(self, request: httpx.Request, module: str) -> httpx.Response:
        p = request.url.params
        kind = p.get("type") or "all"
        if kind not in ("all", "recycle", "permanent"):
            return wire.api_error(400, "PATTERN_NOT_MATCHED", "Please check whether the input values are correct",
                                  {"api_name": "type", "json_path": "$.query.type"})
        try:
            per_page = min(_int_param(p, "per_page", MAX_PER_PAGE), MAX_PER_PAGE)
            page = _int_param(p, "page", 1)
            ims = self._ims(request)
        except Bad as bad:
            return bad.response
        entries = self.emu.store.deleted_entries(module)
        if kind != "all":
            entries = [e for e in entries if e["type"] == kind]
        if ims is not None:
            entries = [e for e in entries if int(e["_at"]) >= ims]
        offset = (page - 1) * per_page
        rows = entries[offset: offset + per_page]
        if not rows:
            return wire.empty(204)
        data = [{k: v for k, v in e.items() if k != "_at"} for e in rows]
        info = {"per_page": per_page, "count": len(rows), "page": page,
                "more_records": offset + per_page < len(entries)}
        return json_response(200, {"data": data, "info": info})

    # ----- GET /{module}/search ------------------------------------------------------------------------------
    def search(self, request: httpx.Request, module: str) -> httpx.Response:
        from .search import SearchError, matcher

        p = request.url.params
        try:
            fields = self._fields_param(module, p.get("fields"), required=False)
            per_page = _int_param(p, "per_page", MAX_PER_PAGE)
            page = _int_param(p, "page", 1)
            if per_page > MAX_PER_PAGE:
                raise Bad(400, "INVALID_DATA", {"param_name": "per_page", "maximum": MAX_PER_PAGE})
            records = self._base_set(module, p)
        except Bad as bad:
            return bad.response
        try:
            match = matcher(p, self.emu.state.fields[module], MAX_CRITERIA)
        except SearchError as err:
            return wire.api_error(400, err.code, err.message, err.details)
        found = [r for r in records if match(r)]
        found.sort(key=lambda r: r["id"])
        offset = (page - 1) * per_page
        if offset >= MAX_SEARCH:
            return wire.api_error(400, "LIMIT_REACHED", "Maximum response iteration limit reached",
                                  {"limit": MAX_SEARCH})
        rows = found[offset: offset + per_page]
        if not rows:
            return wire.empty(204)
        info = {"per_page": per_page, "count": len(rows), "page": page,
                "more_records": offset + per_page < min(len(found), MAX_SEARCH), "sort_by": "id",
                "sort_order": "asc"}
        return json_response(200, {"data": [self.render(r, fields, subforms=False) for r in rows], "info": info})

