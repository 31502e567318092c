"""``GET /{module}/search``: the ``criteria`` grammar and the ``email`` / ``phone`` / ``word`` modes (notes §2.4).

``((Email:equals:a@b.com)or(Account_Name:starts_with:Zyl))`` — at most 10 conditions; ``(``, ``)``, ``,`` and ``\\``
in values are escaped with ``\\``; ``equals`` behaves like *contains* for text fields (not picklists).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from . import wire

Record = dict[str, Any]
Match = Callable[[Record], bool]
TEXTUAL = ("text", "textarea", "email", "phone", "website", "autonumber")
OPERATORS = ("equals", "not_equal", "starts_with", "in", "greater_than", "greater_equal", "less_than",
             "less_equal", "between")


class SearchError(Exception):
    def __init__(self, code: str, message: str, details: dict[str, Any]) -> None:
        super().__init__(message)
        self.code, self.message, self.details = code, message, details


def _bad(reason: str, **details: Any) -> SearchError:
    return SearchError("INVALID_QUERY", "invalid query formed", {"reason": reason, **details})


def _split(text: str, sep: str, limit: int = -1) -> list[str]:
    """Split on unescaped ``sep``, keeping escapes (undone by :func:`_unescape`)."""
    parts, cur, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            cur.append(text[i: i + 2])
            i += 2
            continue
        if ch == sep and (limit < 0 or len(parts) < limit):
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return parts


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


class _Parser:
    def __init__(self, text: str, fields: dict[str, dict[str, Any]]) -> None:
        self.text, self.pos, self.fields, self.conditions = text.strip(), 0, fields, 0

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, ch: str) -> None:
        if self.peek() != ch:
            raise _bad(f"expected {ch!r} at position {self.pos}")
        self.pos += 1

    def expr(self) -> Match:
        left = self.group()
        while True:
            rest = self.text[self.pos:].lower()
            if rest.startswith("and"):
                self.pos += 3
                right, prev = self.group(), left
                left = (lambda a, b: lambda r: a(r) and b(r))(prev, right)
            elif rest.startswith("or"):
                self.pos += 2
                right, prev = self.group(), left
                left = (lambda a, b: lambda r: a(r) or b(r))(prev, right)
            else:
                return left

    def group(self) -> Match:
        self.expect("(")
        if self.peek() == "(":
            inner = self.expr()
            self.expect(")")
            return inner
        start = self.pos
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == "\\":
                self.pos += 2
                continue
            if ch == ")":
                break
            self.pos += 1
        cond = self.text[start: self.pos]
        self.expect(")")
        return self.condition(cond)

    def condition(self, text: str) -> Match:
        self.conditions += 1
        parts = _split(text, ":", limit=2)
        if len(parts) != 3:
            raise _bad("a condition is field:operator:value", condition=text)
        name, op, raw = parts[0].strip(), parts[1].strip().lower(), parts[2]
        fd = self.fields.get(name)
        if fd is None and name != "id":
            raise _bad("unknown field", api_name=name)
        if op not in OPERATORS:
            raise _bad("unknown operator", operator=op)
        values = [_unescape(v) for v in (_split(raw, ",") if op in ("in", "between") else [raw])]
        dt = fd["data_type"] if fd else "id"
        return _condition(name, dt, op, values)


def _scalar(value: Any, dt: str) -> Any:
    if isinstance(value, dict):
        return value.get("id")
    if dt == "datetime" and isinstance(value, str):
        try:
            return wire.parse_time(value)
        except ValueError:
            return value
    return value


def _coerce(text: str, dt: str) -> Any:
    if dt in ("integer", "bigint", "double", "currency", "decimal", "percent"):
        try:
            return float(text)
        except ValueError as exc:
            raise _bad("not a number", value=text) from exc
    if dt == "datetime":
        try:
            return wire.parse_time(text)
        except ValueError as exc:
            raise _bad("not a datetime", value=text) from exc
    if dt == "boolean":
        return text.lower() == "true"
    return text


def _condition(name: str, dt: str, op: str, values: list[str]) -> Match:
    wanted = [_coerce(v, dt) for v in values]
    textual = dt in TEXTUAL

    def eq(have: Any, want: Any) -> bool:
        if isinstance(have, str) and isinstance(want, str):
            return have.casefold() == want.casefold()
        if isinstance(have, int | float) and isinstance(want, int | float):
            return float(have) == float(want)
        return have == want

    def test(rec: Record) -> bool:
        have = _scalar(rec.get(name), dt)
        if op == "equals":
            if textual and isinstance(have, str):
                return wanted[0].casefold() in have.casefold()
            if isinstance(rec.get(name), dict):
                return eq(have, wanted[0]) or eq(rec[name].get("name"), wanted[0])
            return eq(have, wanted[0])
        if op == "not_equal":
            return not eq(have, wanted[0])
        if op == "starts_with":
            return isinstance(have, str) and have.casefold().startswith(str(wanted[0]).casefold())
        if op == "in":
            return any(eq(have, w) for w in wanted)
        if have is None:
            return False
        try:
            if op == "greater_than":
                return have > wanted[0]
            if op == "greater_equal":
                return have >= wanted[0]
            if op == "less_than":
                return have < wanted[0]
            if op == "less_equal":
                return have <= wanted[0]
            if op == "between":
                return len(wanted) == 2 and wanted[0] <= have <= wanted[1]
        except TypeError:
            return False
        return False

    return test


def matcher(params: httpx.QueryParams, field_defs: list[dict[str, Any]], max_conditions: int) -> Match:
    fields = {fd["api_name"]: fd for fd in field_defs}
    if params.get("criteria"):
        parser = _Parser(params["criteria"], fields)
        match = parser.expr()
        if parser.pos != len(parser.text):
            raise _bad("unexpected text after the criteria", position=parser.pos)
        if parser.conditions > max_conditions:
            raise SearchError("LIMIT_EXCEEDED", "Maximum criteria limit exceeded", {"limit": max_conditions})
        return match
    if params.get("email"):
        email = params["email"].casefold()
        names = [n for n, fd in fields.items() if fd["data_type"] == "email"]
        return lambda r: any(isinstance(r.get(n), str) and r[n].casefold() == email for n in names)
    if params.get("phone"):
        phone = params["phone"]
        if len(phone) < 3:
            raise SearchError("INVALID_QUERY", "invalid query formed", {"reason": "phone needs 3 characters"})
        digits = "".join(c for c in phone if c.isdigit())
        names = [n for n, fd in fields.items() if fd["data_type"] == "phone"]
        return lambda r: any(
            isinstance(r.get(n), str) and digits in "".join(c for c in r[n] if c.isdigit()) for n in names
        )
    if params.get("word"):
        word = params["word"].casefold()
        if len(word) < 2:
            raise SearchError("INVALID_QUERY", "invalid query formed", {"reason": "word needs 2 characters"})
        names = [n for n, fd in fields.items() if fd["data_type"] in TEXTUAL]
        return lambda r: any(isinstance(r.get(n), str) and word in r[n].casefold() for n in names)
    raise SearchError("EXPECTED_PARAM_MISSING", "One of the expected parameter is missing",
                      {"expected_params": ["criteria", "email", "phone", "word"]})
