"""Shared machinery of the fault suite: taps on the emulators' handlers (request log, secrets seen on the wire, a
SIGKILL tripwire), ``main.py`` as a subprocess, normalised snapshots of both sandboxes, duplicate checks and the
secrets scan of a data dir.

A handler wrapper is installed as an instance attribute (``emulator.handle = wrapped``) before serving or before
the in-process world routes to it: both :class:`app.emulators.sandbox.Sandbox` (``ServedEmulator(self.xero.handle)``)
and ``tests.world`` (``xero.handle(request)`` at call time) pick the wrapper up.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx

ROOT = Path(__file__).resolve().parents[2]
CONTROL = "/_sandbox/"
FALLBACK = "secrets-fallback.json"
Handler = Callable[[httpx.Request], httpx.Response]
Hook = Callable[[str, httpx.Request, Callable[[], httpx.Response]], httpx.Response]


# ----- taps --------------------------------------------------------------------------------------------------
class SecretTap:
    """Every credential that crossed the wire: codes, verifiers, client secrets, refresh/access/id tokens."""

    FORM_KEYS = ("code", "code_verifier", "refresh_token", "client_secret", "token", "client_assertion")
    BODY_KEYS = ("access_token", "refresh_token", "id_token")

    def __init__(self) -> None:
        self.values: set[str] = set()
        self._lock = threading.Lock()

    def _add(self, value: Any) -> None:
        if isinstance(value, str) and len(value) >= 8:
            with self._lock:
                self.values.add(value)

    def observe(self, request: httpx.Request, response: httpx.Response) -> None:
        auth = request.headers.get("Authorization", "")
        if " " in auth:
            self._add(auth.split(" ", 1)[1])
        params = list(request.url.params.multi_items())
        if request.method == "POST" and b"=" in (request.content or b"") and not request.content.startswith(b"{"):
            params += parse_qsl(request.content.decode("utf-8", "replace"))
        for key, value in params:
            if key in self.FORM_KEYS:
                self._add(value)
        location = response.headers.get("location", "")
        if "code=" in location:
            query = location.split("?", 1)[1] if "?" in location else ""
            for key, value in parse_qsl(query):
                if key == "code":
                    self._add(value)
        if "json" in response.headers.get("content-type", ""):
            try:
                body = json.loads(response.content)
            except ValueError:
                return
            if isinstance(body, dict):
                for key in self.BODY_KEYS:
                    self._add(body.get(key))


@dataclass
class Tripwire:
    """Counts API requests (not ``/_sandbox/``) over both emulators. When armed, request number ``at`` is
    processed by the emulator, then the process is SIGKILLed and reaped by the kernel before the response goes
    back: the write happened, the client never learns it."""

    count: int = 0
    at: int | None = None
    pid: int | None = None
    log: list[tuple[int, str, str, str, int]] = field(default_factory=list)
    fired: threading.Event = field(default_factory=threading.Event)
    ready: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self, at: int | None = None) -> None:
        with self.lock:
            self.count, self.at, self.pid = 0, at, None
            self.log = []
            self.fired.clear()
            self.ready.clear()

    def set_pid(self, pid: int) -> None:
        self.pid = pid
        self.ready.set()

    def disarm(self) -> None:
        self.at = None
        self.ready.set()

    def hit(self) -> tuple[int, str, str, str, int] | None:
        """The request the kill happened on."""
        return self.log[-1] if self.fired.is_set() else None

    def after(self, side: str, request: httpx.Request, response: httpx.Response) -> None:
        if self.at is not None:
            self.ready.wait(30)  # the pid is known before the first request is counted
        with self.lock:
            self.count += 1
            n = self.count
            self.log.append((n, side, request.method, request.url.path, response.status_code))
            fire = self.at is not None and n == self.at and self.pid is not None and not self.fired.is_set()
        if fire:
            assert self.pid is not None
            self.fired.set()  # before the kill: the parent may see the exit before this thread runs again
            kill_and_wait(self.pid)


def kill_and_wait(pid: int) -> None:
    """SIGKILL ``pid`` and wait until it has exited, without reaping it (its Popen does that): on a pidfd where
    Linux has them, else on ``waitid(WNOWAIT)``."""
    if hasattr(os, "pidfd_open"):
        fd = os.pidfd_open(pid)
        try:
            os.kill(pid, signal.SIGKILL)
            readable, _, _ = select.select([fd], [], [], 30)
            assert readable, f"process {pid} did not die"
        finally:
            os.close(fd)
        return
    os.kill(pid, signal.SIGKILL)
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)


def install(emulator: Any, side: str, *, tap: SecretTap | None = None, tripwire: Tripwire | None = None,
            hooks: list[Hook] | None = None) -> list[Hook]:
    """Wrap ``emulator.handle``. ``hooks`` (returned, mutable) may replace or corrupt API responses: each gets
    (side, request, call_next) and returns the response."""
    original: Handler = emulator.handle
    chain: list[Hook] = hooks if hooks is not None else []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith(CONTROL):
            return original(request)

        def run(i: int) -> httpx.Response:
            if i == len(chain):
                return original(request)
            return chain[i](side, request, lambda: run(i + 1))

        response = run(0)
        if tap is not None:
            tap.observe(request, response)
        if tripwire is not None:
            tripwire.after(side, request, response)
        return response

    emulator.handle = handle
    return chain


def emulator_secrets(xero: Any, zoho: Any) -> set[str]:
    """What the emulators remember having issued (codes, refresh and access tokens, client secret)."""
    values: set[str] = set()
    ident = xero.identity.state
    values |= set(ident.codes) | set(ident.refresh)
    values.add(ident.secret)
    for grant in ident.access.values():
        values |= {v for v in vars(grant).values() if isinstance(v, str) and len(v) >= 20}
    for app in xero.identity.apps.values():
        if getattr(app, "client_secret", None):
            values.add(app.client_secret)
    st = zoho.state
    values |= set(st.codes) | set(st.refresh_tokens) | set(st.access_tokens)
    values.add(zoho.client_secret)
    return {v for v in values if isinstance(v, str) and len(v) >= 8}


def scan_for_secrets(dirs: Iterable[Path], secrets: set[str], *, allow_fallback: bool = True) -> list[str]:
    """Files under ``dirs`` (database, -wal, logs, exports, anything) holding any of ``secrets``."""
    needles = [s.encode() for s in secrets]
    leaks = []
    checked = 0
    for d in dirs:
        for path in sorted(Path(d).rglob("*")):
            if not path.is_file() or (allow_fallback and path.name == FALLBACK):
                continue
            data = path.read_bytes()
            checked += 1
            for needle in needles:
                if needle in data:
                    leaks.append(f"{path}: {needle[:6].decode()}…")
    assert checked, "nothing to scan"
    return leaks


# ----- main.py as a subprocess ---------------------------------------------------------------------------------
@dataclass
class CliResult:
    rc: int
    out: str
    err: str
    killed: bool = False
    timed_out: float | None = None  # seconds waited before the run was stopped, when it hung

    def __str__(self) -> str:
        hung = f" (still running after {self.timed_out:.0f} s: stopped)" if self.timed_out else ""
        return f"rc={self.rc}{hung}\n--- stdout\n{self.out[-3000:]}\n--- stderr\n{self.err[-3000:]}"


def cli_env() -> dict[str, str]:
    """Subprocesses keep their refresh tokens in the 0600 fallback file: the tests' memory keyring is per process."""
    return dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", PYTHONUNBUFFERED="1")


_RUN_FINISHED = re.compile(r"^Sync run \d+: Finished —", re.MULTILINE)


def sync_finished(result: CliResult) -> bool:
    """``sync`` ran to its end without problems ("Sync run N: Finished — …"), exiting 0, or 1 when something waits
    for a person (the demo data's look-alike customers to confirm)."""
    return result.rc in (0, 1) and _RUN_FINISHED.search(result.out) is not None


# A run takes about a second here; the bound is 60 times that, and four runs still fit in pytest's 300 s per test,
# so a hung run fails its test with its own output rather than running into pytest-timeout.
CLI_TIMEOUT = 60


def run_cli(data_dir: Path, endpoints: Path, *args: str, out_dir: Path, tripwire: Tripwire | None = None,
            kill_at: int | None = None, timeout: float = CLI_TIMEOUT) -> CliResult:
    """``main.py --data-dir D --endpoints F ARGS`` (the interpreter itself, so SIGKILL hits the app, not a
    launcher). With ``kill_at`` the tripwire kills it at that request; outputs go to files in ``out_dir``. A run
    still going after ``timeout`` seconds is killed and comes back with ``timed_out`` set."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{len(list(out_dir.glob('*.out'))):03d}-{args[0]}"
    out_path, err_path = out_dir / f"{stem}.out", out_dir / f"{stem}.err"
    if tripwire is not None:
        tripwire.reset(kill_at)
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = subprocess.Popen([sys.executable, "main.py", "--data-dir", str(data_dir), "--endpoints",
                                 str(endpoints), *args], cwd=ROOT, env=cli_env(), stdout=out, stderr=err)
        timed_out = None
        try:
            if tripwire is not None:
                tripwire.set_pid(proc.pid)
            try:
                rc = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = timeout
                proc.kill()
                rc = proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if tripwire is not None:
                tripwire.disarm()
    killed = tripwire is not None and tripwire.fired.is_set()
    return CliResult(rc, out_path.read_text(), err_path.read_text(), killed, timed_out)


# ----- snapshots -----------------------------------------------------------------------------------------------
ZOHO_MODULES = ("Accounts", "Contacts", "Products", "Invoices", "Deals")
_ZOHO_DROP = {"id", "Owner", "Created_By", "Modified_By", "Tag", "Record_Status__s", "Locked__s"}


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _xero_org(xero: Any) -> Any:
    from app.emulators.demo_story import ORG_NAME

    orgs = list(xero.orgs.values())
    return next((o for o in orgs if o.Name == ORG_NAME), orgs[0])


def _as_dict(obj: Any) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in obj.__slots__} if hasattr(obj, "__slots__") else dict(vars(obj))


def snapshot(xero: Any, zoho: Any) -> dict[str, Counter[str]]:
    """Both sandboxes as multisets of normalised records per kind: ids, timestamps and owners left out, every
    cross-reference and lookup replaced by what it points at (so two runs that created records in a different
    order, with different ids, compare equal when they hold the same data)."""
    with xero.lock, zoho.lock:
        org = _xero_org(xero)
        contact_name = {c.ContactID: c.Name for c in org.contacts.values()}
        invoice_no = {i.InvoiceID: i.InvoiceNumber or i.Reference for i in org.invoices.values()}
        item_code = {i.ItemID: i.Code for i in org.items.values()}
        zoho_name = {rid: rec.get("Account_Name") or rec.get("Deal_Name") or rec.get("Product_Name")
                     or rec.get("Subject") or rec.get("Email") for recs in zoho.state.records.values()
                     for rid, rec in recs.items()}
        xref = {"Xero_Contact_ID": contact_name, "Xero_Invoice_ID": invoice_no, "Xero_Item_ID": item_code}
        out: dict[str, Counter[str]] = {}
        for module in ZOHO_MODULES:
            rows = Counter()
            for rec in zoho.find_records(module):
                rows[_canon(_zoho_row(rec, xref, zoho_name))] += 1
            out[f"zoho:{module}"] = rows

        def contact(d: dict[str, Any]) -> None:
            if d.get("ContactNumber") in zoho_name:
                d["ContactNumber"] = f"zoho:{zoho_name[d['ContactNumber']]}"
            d["MergedToContactID"] = contact_name.get(d["MergedToContactID"], d["MergedToContactID"])
            d["Phones"] = {k: v for k, v in (d["Phones"] or {}).items() if any(v.values())}
            d["Addresses"] = {k: v for k, v in (d["Addresses"] or {}).items() if any(v.values())}

        def invoice(d: dict[str, Any]) -> None:
            d["ContactID"] = contact_name.get(d["ContactID"], d["ContactID"])
            d["LineItems"] = [{k: v for k, v in _as_dict(li).items() if k != "LineItemID"}
                              for li in d["LineItems"] or []]

        def payment(d: dict[str, Any]) -> None:
            d["InvoiceID"] = invoice_no.get(d["InvoiceID"], d["InvoiceID"])

        out["xero:contacts"] = _xero_rows(org.contacts.values(), "ContactID", contact)
        out["xero:invoices"] = _xero_rows(org.invoices.values(), "InvoiceID", invoice)
        out["xero:items"] = _xero_rows(org.items.values(), "ItemID")
        out["xero:payments"] = _xero_rows(org.payments.values(), "PaymentID", payment)
        return out


def _xero_rows(records: Iterable[Any], id_field: str,
               normalise: Callable[[dict[str, Any]], None] | None = None) -> Counter[str]:
    """Xero records as a multiset of canonical rows: own id and update stamp left out, references resolved."""
    rows: Counter[str] = Counter()
    for record in records:
        d = _as_dict(record)
        d.pop(id_field), d.pop("UpdatedDateUTC")
        if normalise:
            normalise(d)
        rows[_canon(d)] += 1
    return rows


def _zoho_row(rec: dict[str, Any], xref: dict[str, dict[str, str]], names: dict[str, Any]) -> dict[str, Any]:
    def lookup(value: Any) -> Any:  # the emulator keeps a lookup's name as written: use what it points at now
        return names.get(str(value.get("id")), value.get("name")) if isinstance(value, dict) and "id" in value \
            else value

    out = {}
    for key, value in rec.items():
        if key in _ZOHO_DROP or key.startswith("$") or key.endswith("_Time"):
            continue
        if isinstance(value, dict) and "id" in value:
            value = lookup(value)
        elif key in xref and value:
            value = xref[key].get(value, f"unknown:{value}")
        elif key == "Invoiced_Items":
            value = [{k: lookup(v) for k, v in row.items() if k != "id" and not k.startswith("$")}
                     for row in value or []]
        out[key] = value
    return out


def _canon(d: dict[str, Any]) -> str:
    return json.dumps(_jsonable(d), sort_keys=True)


_IDENTITY = ("Account_Name", "Subject", "Deal_Name", "Product_Name", "Email", "Full_Name", "InvoiceNumber", "Code",
             "Name", "Reference")


def snapshot_diff(got: dict[str, Counter[str]], want: dict[str, Counter[str]], limit: int = 6) -> str:
    """Readable difference: per kind, the counts, then field by field for records found on both sides under the
    same name, and the records only one side has."""
    lines = []
    for kind in sorted(set(got) | set(want)):
        g, w = got.get(kind, Counter()), want.get(kind, Counter())
        if g == w:
            continue
        lines.append(f"{kind}: {sum(g.values())} records vs {sum(w.values())} in the clean run")
        only_g = [json.loads(r) for r in (g - w).elements()]
        only_w = [json.loads(r) for r in (w - g).elements()]

        def ident(rec: dict[str, Any]) -> Any:
            return next((rec[k] for k in _IDENTITY if rec.get(k)), None)

        shown = 0
        for rec in only_g:
            twin = next((o for o in only_w if ident(o) == ident(rec)), None)
            if twin is None or shown >= limit:
                continue
            only_w.remove(twin)
            changed = {k: (rec.get(k), twin.get(k)) for k in sorted(set(rec) | set(twin)) if rec.get(k) != twin.get(k)}
            lines.append(f"  {ident(rec)!r}: " + "; ".join(f"{k}: {a!r} (clean: {b!r})" for k, (a, b) in
                                                          changed.items())[:600])
            rec["__shown"] = True
            shown += 1
        for rec in [r for r in only_g if not r.get("__shown")][:limit]:
            lines.append(f"  only here : {json.dumps(rec)[:300]}")
        for rec in only_w[:limit]:
            lines.append(f"  only clean: {json.dumps(rec)[:300]}")
    return "\n".join(lines)


BACKOFF = 600  # failed records wait 5 minutes before a later cycle retries them


def assert_converges(w: Any, want: dict[str, Counter[str]]) -> None:
    """Faults gone, a later cycle (after the failed records' first backoff) completes to the clean state: nothing
    left failing, nothing duplicated, both sandboxes as a run without faults left them."""
    from app.services import review

    w.xero.faults.update({"clear": True})
    w.zoho.faults.update({"clear": True})
    w.clock.advance(BACKOFF)
    report = w.sync_service().sync()
    assert report.outcome == "ok", report.message
    assert review.failed_records(w.sync_service()) == []
    assert duplicates(w.xero, w.zoho) == {}
    got = snapshot(w.xero, w.zoho)
    assert got == want, snapshot_diff(got, want)


def counts(snap: dict[str, Counter[str]]) -> dict[str, int]:
    return {kind: sum(rows.values()) for kind, rows in snap.items()}


def duplicates(xero: Any, zoho: Any) -> dict[str, list[Any]]:
    """Keys held by more than one record: Zoho accounts by name and Xero id, contacts by email, products by name,
    code and Xero id, invoices and deals by Xero invoice id; Xero contacts by name and invoices raised from deals
    by their deal reference."""
    found: dict[str, list[Any]] = {}

    def check(label: str, keys: Iterable[Any]) -> None:
        c = Counter(k for k in keys if k not in (None, ""))
        dups = sorted(k for k, n in c.items() if n > 1)
        if dups:
            found[label] = dups

    def recs(module: str) -> list[dict[str, Any]]:
        return zoho.find_records(module)

    check("zoho Accounts by name", (r["Account_Name"].strip().lower() for r in recs("Accounts")))
    check("zoho Accounts by Xero id", (r.get("Xero_Contact_ID") for r in recs("Accounts")))
    check("zoho Contacts by email", ((r.get("Email") or "").lower() for r in recs("Contacts")))
    check("zoho Products by name", (r.get("Product_Name") for r in recs("Products")))
    check("zoho Products by code", (r.get("Product_Code") for r in recs("Products")))
    check("zoho Products by Xero id", (r.get("Xero_Item_ID") for r in recs("Products")))
    check("zoho Invoices by Xero id", (r.get("Xero_Invoice_ID") for r in recs("Invoices")))
    check("zoho Invoices by subject", (r.get("Subject") for r in recs("Invoices")))
    check("zoho Deals by Xero invoice", (r.get("Xero_Invoice_ID") for r in recs("Deals")))
    with xero.lock:
        org = _xero_org(xero)
        contacts = list(org.contacts.values())
        invoices = list(org.invoices.values())
    check("xero contacts by name", (c.Name.strip().lower() for c in contacts))
    check("xero contacts by contact number", (c.ContactNumber for c in contacts))
    check("xero invoices by deal reference", (i.Reference for i in invoices if "(Zoho deal " in (i.Reference or "")
                                              and i.Status not in ("DELETED", "VOIDED")))
    return found


def cursors(data_dir: Path) -> list[tuple[str, str, str, int]]:
    """(stream, watermark, pending watermark, page) of every cursor, read straight from the database."""
    con = sqlite3.connect(f"file:{data_dir / 'ledgerbridge.db'}?mode=ro", uri=True)
    try:
        return con.execute("SELECT stream, watermark, pending_watermark, page FROM cursor ORDER BY stream").fetchall()
    finally:
        con.close()


def writes(log: Iterable[tuple[int, str, str, str, int]]) -> list[str]:
    """API write requests in a tripwire log (token refreshes are not writes)."""
    return [f"{side} {method} {path}" for _, side, method, path, _ in log
            if method != "GET" and "token" not in path and "/oauth/" not in path]


# ----- hooks for the in-process world ------------------------------------------------------------------------
def is_oauth(request: httpx.Request) -> bool:
    path = request.url.path
    return "/oauth/" in path or path.startswith(("/connect/", "/identity/", "/connections"))


def recorder(seen: Counter, log: list[tuple[str, str, str, int]] | None = None) -> Hook:
    """Counts (side, status) of what the client receives (install it outermost)."""

    def hook(side: str, request: httpx.Request, call_next: Callable[[], httpx.Response]) -> httpx.Response:
        response = call_next()
        seen[(side, response.status_code)] += 1
        if log is not None:
            log.append((side, request.method, request.url.path, response.status_code))
        return response

    return hook


def api_writes(log: Iterable[tuple[str, str, str, int]]) -> list[str]:
    return [f"{side} {method} {path}" for side, method, path, _ in log
            if method != "GET" and "token" not in path and "/oauth/" not in path]
