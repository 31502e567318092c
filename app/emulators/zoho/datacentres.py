"""Zoho data centres: which host is which DC, and the path-prefix scheme used when served on 127.0.0.1.

In-process (``httpx.MockTransport``) the emulator answers at the real hostnames (``accounts.zoho.eu``,
``www.zohoapis.com.au``, ...) and the DC comes from the Host. Served on ``http://127.0.0.1:PORT`` every DC lives under
a path prefix instead::

    {base}/{dc}/accounts/oauth/v2/auth | token | token/revoke      accounts server of DC ``dc``
    {base}/{dc}/accounts/oauth/serverinfo
    {base}/{dc}/api/crm/v8/...                                     API domain of DC ``dc``

so ``accounts-server`` in the authorize redirect is ``{base}/{dc}/accounts`` and the token response's ``api_domain``
is ``{base}/{dc}/api``: a client that follows what Zoho tells it needs no special case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

# dc -> (accounts host, API host). CA is zohocloud.ca (not zoho.ca); UK's API host comes from a switch.
DATA_CENTRES: dict[str, tuple[str, str]] = {
    "us": ("accounts.zoho.com", "www.zohoapis.com"),
    "eu": ("accounts.zoho.eu", "www.zohoapis.eu"),
    "in": ("accounts.zoho.in", "www.zohoapis.in"),
    "au": ("accounts.zoho.com.au", "www.zohoapis.com.au"),
    "jp": ("accounts.zoho.jp", "www.zohoapis.jp"),
    "ca": ("accounts.zohocloud.ca", "www.zohoapis.ca"),
    "cn": ("accounts.zoho.com.cn", "www.zohoapis.com.cn"),
    "sa": ("accounts.zoho.sa", "www.zohoapis.sa"),
    "uk": ("accounts.zoho.uk", "www.zohoapis.uk"),
}


@dataclass(frozen=True)
class Target:
    """Where a request landed: the DC, the server kind, the path below the server root, and the served origin."""

    dc: str
    kind: str  # "accounts" | "api"
    path: str
    origin: str | None  # "http://127.0.0.1:PORT" when served with path prefixes; None at real hostnames


def hosts(uk_api_domain: str) -> dict[str, tuple[str, str]]:
    table = dict(DATA_CENTRES)
    table["uk"] = (DATA_CENTRES["uk"][0], httpx.URL(uk_api_domain).host)
    return table


def parse(request: httpx.Request, uk_api_domain: str) -> Target | None:
    """The DC and server kind a request is addressed to, or ``None`` when it fits no scheme."""
    host = request.url.host.lower()
    path = request.url.path
    for dc, (accounts_host, api_host) in hosts(uk_api_domain).items():
        if host == accounts_host:
            return Target(dc, "accounts", path, None)
        if host == api_host:
            return Target(dc, "api", path, None)
    parts = path.split("/", 3)  # "", dc, kind, rest
    if len(parts) >= 3 and parts[1] in DATA_CENTRES and parts[2] in ("accounts", "api"):
        rest = "/" + parts[3] if len(parts) == 4 else "/"
        port = request.url.port
        origin = f"{request.url.scheme}://{request.url.host}" + (f":{port}" if port else "")
        return Target(parts[1], parts[2], rest, origin)
    return None


def accounts_server(dc: str, origin: str | None) -> str:
    if origin:
        return f"{origin.rstrip('/')}/{dc}/accounts"
    return f"https://{DATA_CENTRES[dc][0]}"


def api_domain(dc: str, origin: str | None, uk_api_domain: str) -> str:
    if origin:
        return f"{origin.rstrip('/')}/{dc}/api"
    if dc == "uk":
        return uk_api_domain.rstrip("/")
    return f"https://{DATA_CENTRES[dc][1]}"


def urls(base: str | None, dc: str, client: dict[str, Any], uk_api_domain: str) -> dict[str, str]:
    """The endpoints a client needs for DC ``dc``; ``base=None`` gives the real hostnames (in-process use)."""
    accounts = accounts_server(dc, base)
    return {
        "accounts_url": accounts,
        "authorize_url": f"{accounts}/oauth/v2/auth",
        "token_url": f"{accounts}/oauth/v2/token",
        "revoke_url": f"{accounts}/oauth/v2/token/revoke",
        "api_domain": api_domain(dc, base, uk_api_domain),
        "client_id": client["client_id"],
        "client_secret": client["client_secret"],
        "redirect_uri": client["redirect_uri"],
        "dc": dc,
    }
