"""The ``where`` and ``order`` query parameters: a small parser for Xero's Dynamic-LINQ-like filter language.

Supported: ``==  !=  <  >  <=  >=`` (a lone ``=`` is read as ``==``), ``AND OR && ||`` (any case), ``!``/``NOT``,
parentheses, dotted paths (``Contact.ContactID``), ``.Contains("x") .StartsWith("x") .EndsWith("x")
.ToLower() .ToUpper()``, literals ``"text"``, numbers, ``true/false``, ``null``, ``Guid("…")`` and
``DateTime(y,m,d[,h,m,s])``. Empty strings compare equal to ``null`` (``EmailAddress!=null`` is the documented
idiom for "has an email"). String comparison is case-insensitive unless told otherwise (SQL Server collation on the
real backend; **unverified**, switch ``where_case_sensitive``).

A resource supplies ``resolve(record, path) -> value`` returning str, Decimal, bool, datetime or None, and raises
``KeyError`` for an unknown field, which becomes the Dynamic LINQ message
``No property or field 'X' exists in type 'Contact'``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

Resolver = Callable[[Any, tuple[str, ...]], Any]
Predicate = Callable[[Any], bool]


class WhereError(ValueError):
    pass


class _Guid(str):
    """A Guid("…") literal: compares case-insensitively with id strings."""


_TOKEN = re.compile(
    r"""\s*(?:
    (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<num>-?\d+(?:\.\d+)?)
  | (?P<op>==|!=|<=|>=|&&|\|\||<>|[<>=!(),.])
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise WhereError(f"Syntax error at position {pos} in '{text}'")
        pos = m.end()
        kind = m.lastgroup or ""
        value = m.group(kind)
        if kind == "str":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        tokens.append((kind, value))
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return tokens


class _Parser:
    def __init__(self, text: str, resolve: Resolver, type_name: str, case_sensitive: bool) -> None:
        self.tokens = _tokenize(text)
        self.i = 0
        self.resolve = resolve
        self.type_name = type_name
        self.case_sensitive = case_sensitive

    # -- token helpers
    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise WhereError("Unexpected end of expression")
        self.i += 1
        return tok

    def accept(self, *values: str) -> bool:
        tok = self.peek()
        if tok and (tok[1] in values or (tok[0] == "name" and tok[1].upper() in values)):
            self.i += 1
            return True
        return False

    def expect(self, value: str) -> None:
        if not self.accept(value):
            tok = self.peek()
            raise WhereError(f"'{value}' expected" + (f" near '{tok[1]}'" if tok else " at end of expression"))

    # -- grammar
    def parse(self) -> Predicate:
        if not self.tokens:
            return lambda _r: True
        node = self.or_expr()
        if self.peek() is not None:
            raise WhereError(f"Syntax error near '{self.peek()[1]}'")  # type: ignore[index]
        return lambda r: _truthy(node(r))

    def or_expr(self) -> Callable[[Any], Any]:
        left = self.and_expr()
        while self.accept("||", "OR"):
            right = self.and_expr()
            left = (lambda a, b: lambda r: _truthy(a(r)) or _truthy(b(r)))(left, right)
        return left

    def and_expr(self) -> Callable[[Any], Any]:
        left = self.unary()
        while self.accept("&&", "AND"):
            right = self.unary()
            left = (lambda a, b: lambda r: _truthy(a(r)) and _truthy(b(r)))(left, right)
        return left

    def unary(self) -> Callable[[Any], Any]:
        if self.accept("!", "NOT"):
            inner = self.unary()
            return lambda r: not _truthy(inner(r))
        return self.comparison()

    def comparison(self) -> Callable[[Any], Any]:
        left = self.operand()
        tok = self.peek()
        if tok and tok[0] == "op" and tok[1] in ("==", "=", "!=", "<>", "<", ">", "<=", ">="):
            self.i += 1
            right = self.operand()
            op = {"=": "==", "<>": "!="}.get(tok[1], tok[1])
            cs = self.case_sensitive
            return lambda r: _compare(left(r), op, right(r), cs)
        return left

    def operand(self) -> Callable[[Any], Any]:
        tok = self.take()
        kind, value = tok
        if kind == "op" and value == "(":
            inner = self.or_expr()
            self.expect(")")
            return self.methods(inner)
        if kind == "str":
            return self.methods(_const(value))
        if kind == "num":
            return _const(Decimal(value))
        if kind != "name":
            raise WhereError(f"Syntax error near '{value}'")
        upper = value.upper()
        if upper == "NULL":
            return lambda _r: None
        if upper in ("TRUE", "FALSE"):
            return _const(upper == "TRUE")
        if value == "Guid" and self.peek() == ("op", "("):
            self.take()
            kind, text = self.take()
            if kind != "str":
                raise WhereError("Guid(\"…\") expects a quoted value")
            self.expect(")")
            return _const(_Guid(text.lower()))
        if value == "DateTime" and self.peek() == ("op", "("):
            self.take()
            parts: list[int] = []
            while True:
                kind, num = self.take()
                if kind != "num":
                    raise WhereError("DateTime(…) expects numbers")
                parts.append(int(Decimal(num)))
                if self.accept(")"):
                    break
                self.expect(",")
            if len(parts) not in (3, 6):
                raise WhereError("DateTime(…) expects year, month, day[, hour, minute, second]")
            try:
                moment = datetime(*parts, tzinfo=UTC)  # type: ignore[misc]
            except ValueError as exc:
                raise WhereError(str(exc)) from exc
            return _const(moment)
        path = [value]
        while self.peek() == ("op", "."):
            nxt = self.tokens[self.i + 1] if self.i + 1 < len(self.tokens) else None
            after = self.tokens[self.i + 2] if self.i + 2 < len(self.tokens) else None
            if nxt and nxt[0] == "name" and after == ("op", "("):
                break  # a method call: handled by methods()
            self.take()
            kind, name = self.take()
            if kind != "name":
                raise WhereError(f"Identifier expected after '.' near '{name}'")
            path.append(name)
        key = tuple(path)
        resolve, type_name = self.resolve, self.type_name

        def field(r: Any) -> Any:
            try:
                return resolve(r, key)
            except KeyError:
                raise WhereError(f"No property or field '{key[-1]}' exists in type '{type_name}'") from None

        return self.methods(field)

    def methods(self, base: Callable[[Any], Any]) -> Callable[[Any], Any]:
        while self.peek() == ("op", "."):
            self.take()
            kind, name = self.take()
            self.expect("(")
            args: list[Callable[[Any], Any]] = []
            if not self.accept(")"):
                args.append(self.or_expr())
                while self.accept(","):
                    args.append(self.or_expr())
                self.expect(")")
            base = self._method(base, name, args)
        return base

    def _method(self, base: Callable[[Any], Any], name: str, args: list[Callable[[Any], Any]]) -> Callable[[Any], Any]:
        cs = self.case_sensitive
        if name in ("ToLower", "ToUpper", "Trim") and not args:
            fn = {"ToLower": str.lower, "ToUpper": str.upper, "Trim": str.strip}[name]
            return lambda r: None if base(r) is None else fn(str(base(r)))
        if name in ("Contains", "StartsWith", "EndsWith") and len(args) == 1:
            arg = args[0]

            def call(r: Any) -> bool:
                value, needle = base(r), arg(r)
                if value is None or needle is None:
                    return False
                value, needle = str(value), str(needle)
                if not cs:
                    value, needle = value.lower(), needle.lower()
                if name == "Contains":
                    return needle in value
                return value.startswith(needle) if name == "StartsWith" else value.endswith(needle)

            return call
        raise WhereError(f"No applicable method '{name}' exists in type '{self.type_name}'")


def _const(value: Any) -> Callable[[Any], Any]:
    return lambda _r: value


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise WhereError("Expression of type 'Boolean' expected")


def _norm(value: Any, case_sensitive: bool) -> Any:
    if isinstance(value, str) and value == "":
        return None
    if isinstance(value, str) and not case_sensitive:
        return value.lower()
    return value


def _coerce(a: Any, b: Any) -> tuple[Any, Any]:
    """Make a literal comparable with a field value (number vs numeric text, bool vs "true")."""
    if isinstance(a, Decimal) and isinstance(b, str):
        try:
            return a, Decimal(b)
        except InvalidOperation:
            return str(a), b
    if isinstance(b, Decimal) and isinstance(a, str):
        try:
            return Decimal(a), b
        except InvalidOperation:
            return a, str(b)
    if isinstance(a, bool) and isinstance(b, str):
        return a, b.lower() == "true"
    if isinstance(b, bool) and isinstance(a, str):
        return a.lower() == "true", b
    if isinstance(a, datetime) and isinstance(b, str):
        try:
            return a, datetime.fromisoformat(b.replace("Z", "+00:00")).replace(tzinfo=UTC)
        except ValueError:
            return a, b
    return a, b


def _compare(left: Any, op: str, right: Any, case_sensitive: bool) -> bool:
    a, b = _coerce(_norm(left, case_sensitive), _norm(right, case_sensitive))
    if isinstance(a, _Guid) or isinstance(b, _Guid):
        a = a.lower() if isinstance(a, str) else a
        b = b.lower() if isinstance(b, str) else b
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if a is None or b is None:
        return False
    try:
        if op == "<":
            return a < b
        if op == ">":
            return a > b
        if op == "<=":
            return a <= b
        return a >= b
    except TypeError:
        raise WhereError(f"Operator '{op}' incompatible with operand types") from None


def compile_where(text: str, resolve: Resolver, type_name: str, case_sensitive: bool = False) -> Predicate:
    """Parse ``text`` once; the returned predicate may raise WhereError for unknown fields when first evaluated."""
    return _Parser(text, resolve, type_name, case_sensitive).parse()


_ORDER_ITEM = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(ASC|DESC)?\s*$", re.IGNORECASE)


def parse_order(text: str) -> list[tuple[tuple[str, ...], bool]]:
    """``"Name ASC, UpdatedDateUTC DESC"`` → ``[(("Name",), False), (("UpdatedDateUTC",), True)]``."""
    result = []
    for part in text.split(","):
        if not part.strip():
            continue
        m = _ORDER_ITEM.match(part)
        if not m:
            raise WhereError(f"Syntax error in order '{text}'")
        result.append((tuple(m.group(1).split(".")), (m.group(2) or "ASC").upper() == "DESC"))
    return result


def sort_records(records: list, order: list[tuple[tuple[str, ...], bool]], resolve: Resolver, type_name: str,
                 case_sensitive: bool = False) -> list:
    """Stable multi-key sort; nulls first ascending (SQL Server semantics)."""
    plain = getattr(resolve, "plain", None)
    for path, desc in reversed(order):
        attr = plain(path) if plain else None

        def key(r: Any, path: tuple[str, ...] = path, attr: str | None = attr) -> tuple[int, Any]:
            if attr is not None:
                value = getattr(r, attr)
            else:
                try:
                    value = resolve(r, path)
                except KeyError:
                    raise WhereError(f"No property or field '{path[-1]}' exists in type '{type_name}'") from None
            if value is None or value == "":
                return (0, 0)
            if isinstance(value, str) and not case_sensitive:
                return (1, value.lower())
            if isinstance(value, bool):
                return (1, int(value))
            return (1, value)

        records = sorted(records, key=key, reverse=desc)
    return records
