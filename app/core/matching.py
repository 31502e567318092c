"""First-sync matching: is this Xero contact the same customer as that Zoho account?

Keys, strongest first: the cross-reference id, then email, then the normalised name ("Acme Catering Pty. Ltd." and
"ACME CATERING PTY LTD" are one name), then the ABN. A record with exactly one candidate on its strongest key, and no
stronger key contradicting it, links; several candidates, or a name-only match whose emails disagree, waits for a
person in the match-review queue. The business's own domain (its website, or its email's unless that is a mail
provider's) is evidence too, but never links on its own: two records sharing only a domain wait for a person.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

_SUFFIXES = [
    r"pty\.?\s*ltd\.?", r"proprietary\s+limited", r"p/l", r"pty\.?", r"ltd\.?", r"limited", r"inc\.?",
    r"incorporated", r"llc", r"co\.?", r"company", r"corp\.?", r"corporation",
]
_SUFFIX_RE = re.compile(r"(?:\s|^)(?:" + "|".join(_SUFFIXES) + r")\s*$", re.IGNORECASE)


def normalise_name(name: str | None) -> str:
    """Case, spacing, punctuation and company-suffix insensitive form of a business name."""
    if not name:
        return ""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ")
    text = re.sub(r"\s+", " ", text).strip()
    for _ in range(3):  # "Foo Co Pty Ltd" loses both suffixes
        stripped = _SUFFIX_RE.sub("", text).strip(" ,.-")
        if stripped == text or not stripped:
            break
        text = stripped
    text = re.sub(r"[^a-z0-9 ]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def normalise_email(email: str | None) -> str:
    return (email or "").strip().lower()


# Domains of mail providers: an address there says nothing about which business it belongs to.
MAIL_PROVIDERS = {"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com",
                  "yahoo.com.au", "icloud.com", "me.com", "aol.com", "bigpond.com", "bigpond.net.au",
                  "optusnet.com.au", "iinet.net.au", "tpg.com.au", "xtra.co.nz", "proton.me", "protonmail.com"}


def business_domain(website: str | None, email: str | None) -> str:
    """``acmecatering.com.au`` from ``https://www.acmecatering.com.au/contact`` or ``accounts@acmecatering.com.au``."""
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", (website or "").strip().lower()).split("/")[0].split(":")[0]
    host = host.removeprefix("www.")
    if "." in host:
        return host
    domain = normalise_email(email).rpartition("@")[2]
    return domain if "." in domain and domain not in MAIL_PROVIDERS else ""


def normalise_abn(abn: str | None) -> str:
    digits = re.sub(r"\D", "", abn or "")
    return digits if len(digits) == 11 else ""


@dataclass
class MatchKeys:
    id: str
    name: str = ""
    email: str = ""
    abn: str = ""
    xref: str = ""  # the other system's id stored on this record
    domain: str = ""  # the business's own web or mail domain (see business_domain)


def keys_for(record_id: str, name: str | None, email: str | None, abn: str | None, xref: str | None,
             website: str | None = None) -> MatchKeys:
    return MatchKeys(record_id, normalise_name(name), normalise_email(email), normalise_abn(abn), xref or "",
                     business_domain(website, email))


@dataclass
class MatchResult:
    links: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (xero_id, zoho_id, evidence)
    review: list[tuple[str, str, float, list[str]]] = field(default_factory=list)  # (xero_id, zoho_id, score, evidence)
    unmatched_xero: list[str] = field(default_factory=list)
    unmatched_zoho: list[str] = field(default_factory=list)


def _index(records: list[MatchKeys], attr: str) -> dict[str, list[MatchKeys]]:
    index: dict[str, list[MatchKeys]] = {}
    for r in records:
        value = getattr(r, attr)
        if value:
            index.setdefault(value, []).append(r)
    return index


def evidence(x: MatchKeys, z: MatchKeys) -> list[str]:
    found = []
    if x.xref == z.id or z.xref == x.id:
        found.append("cross-reference id")
    if x.email and x.email == z.email:
        found.append("same email")
    if x.name and x.name == z.name:
        found.append("same name")
    elif x.name and z.name and (x.name in z.name or z.name in x.name):
        found.append("similar name")
    if x.abn and x.abn == z.abn:
        found.append("same ABN")
    if x.domain and x.domain == z.domain and not (x.email and x.email == z.email):
        found.append("same website or email domain")
    return found


def _contradicted(x: MatchKeys, z: MatchKeys) -> bool:
    """Both have an email (or ABN) and they differ: a name match alone is not enough."""
    return bool((x.email and z.email and x.email != z.email) or (x.abn and z.abn and x.abn != z.abn))


def _near_names(xero: list[MatchKeys], zoho: list[MatchKeys]) -> dict[str, set[str]]:
    """Xero id -> Zoho ids whose normalised name extends, or is extended by, the Xero name by whole words."""
    zsorted = sorted((z.name, z.id) for z in zoho if z.name)
    znames = [name for name, _ in zsorted]
    zby_name = _index(zoho, "name")
    near: dict[str, set[str]] = {}
    for x in xero:
        if not x.name or len(x.name) < 5:
            continue
        start = bisect.bisect_left(znames, x.name + " ")
        while start < len(znames) and znames[start].startswith(x.name + " "):
            near.setdefault(x.id, set()).add(zsorted[start][1])
            start += 1
        words = x.name.split(" ")
        for cut in range(1, len(words)):
            prefix = " ".join(words[:cut])
            if len(prefix) >= 5:
                for z in zby_name.get(prefix, []):
                    near.setdefault(x.id, set()).add(z.id)
    return near


def match(xero: list[MatchKeys], zoho: list[MatchKeys]) -> MatchResult:
    """Pair up unlinked records. Each record ends in exactly one of links, review or unmatched."""
    result = MatchResult()
    taken_x: set[str] = set()
    taken_z: set[str] = set()
    zoho_by_id = {z.id: z for z in zoho}
    zoho_by_xref = {z.xref: z for z in zoho if z.xref}
    xero_by_id = {x.id: x for x in xero}
    # 1. cross-reference ids are certain
    for x in xero:
        z = zoho_by_id.get(x.xref) if x.xref else None
        if z is None:
            z = zoho_by_xref.get(x.id)
        if z is not None and z.id not in taken_z:
            result.links.append((x.id, z.id, ["cross-reference id"]))
            taken_x.add(x.id)
            taken_z.add(z.id)
    for z in zoho:
        if z.id not in taken_z and z.xref and z.xref in xero_by_id and z.xref not in taken_x:
            result.links.append((z.xref, z.id, ["cross-reference id"]))
            taken_x.add(z.xref)
            taken_z.add(z.id)
    # Near names ("Emu Plains Hardware" vs "Emu Plains Hardware & Garden") make a name-only match doubtful.
    near = _near_names([x for x in xero if x.id not in taken_x], [z for z in zoho if z.id not in taken_z])
    # 2..4: email, name, ABN — unique on both sides, not contradicted
    review: dict[tuple[str, str], list[str]] = {}
    for attr in ("email", "name", "abn"):
        zi = _index([z for z in zoho if z.id not in taken_z], attr)
        xi = _index([x for x in xero if x.id not in taken_x], attr)
        for value, xs in xi.items():
            zs = zi.get(value, [])
            if not zs:
                continue
            if len(xs) == 1 and len(zs) == 1 and not _contradicted(xs[0], zs[0]):
                x, z = xs[0], zs[0]
                if x.id in taken_x or z.id in taken_z:
                    continue
                found = evidence(x, z)
                doubtful = near.get(x.id, set()) - {z.id}
                if attr == "name" and doubtful and not ({"same email", "same ABN"} & set(found)):
                    review.setdefault((x.id, z.id), found)
                    for other in doubtful:
                        review.setdefault((x.id, other), evidence(x, zoho_by_id[other]))
                    continue
                result.links.append((x.id, z.id, found))
                taken_x.add(x.id)
                taken_z.add(z.id)
            else:
                for x in xs:
                    for z in zs:
                        review.setdefault((x.id, z.id), evidence(x, z))
    # 5: a domain shared by exactly one record on each side is a lead, never a link on its own
    zd = _index([z for z in zoho if z.id not in taken_z], "domain")
    for value, xs in _index([x for x in xero if x.id not in taken_x], "domain").items():
        zs = zd.get(value, [])
        x, z = (xs[0], zs[0]) if len(xs) == 1 and len(zs) == 1 else (None, None)
        if x is not None and z is not None and not (x.abn and z.abn and x.abn != z.abn):
            # two people's emails at one business differ: only another ABN rules a shared domain out
            review.setdefault((x.id, z.id), evidence(x, z))
    for xid, zids in near.items():
        if xid in taken_x:
            continue
        for zid in zids:
            if zid not in taken_z:
                review.setdefault((xid, zid), evidence(xero_by_id[xid], zoho_by_id[zid]))
    for (xid, zid), ev in review.items():
        if xid in taken_x or zid in taken_z:
            continue
        score = min(1.0, 0.4 * ("same email" in ev) + 0.35 * ("same name" in ev) + 0.2 * ("similar name" in ev)
                    + 0.3 * ("same ABN" in ev) + 0.25 * ("same website or email domain" in ev))
        result.review.append((xid, zid, round(score, 2), ev))
    in_review_x = {r[0] for r in result.review}
    in_review_z = {r[1] for r in result.review}
    result.unmatched_xero = [x.id for x in xero if x.id not in taken_x and x.id not in in_review_x]
    result.unmatched_zoho = [z.id for z in zoho if z.id not in taken_z and z.id not in in_review_z]
    return result
