"""Where each service lives. Real Xero and Zoho endpoints are the default; the sandbox prints its own as JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from app.errors import ConfigError


@dataclass(frozen=True)
class XeroEndpoints:
    authorize_url: str = "https://login.xero.com/identity/connect/authorize"
    token_url: str = "https://identity.xero.com/connect/token"
    revocation_url: str = "https://identity.xero.com/connect/revocation"
    connections_url: str = "https://api.xero.com/connections"
    api_base: str = "https://api.xero.com/api.xro/2.0"
    client_id: str = ""
    redirect_uri: str = ""


# Zoho data centres: accounts server and API domain (see reference notes §1.1). UK's API domain is unverified.
ZOHO_DATA_CENTRES: dict[str, tuple[str, str]] = {
    "us": ("https://accounts.zoho.com", "https://www.zohoapis.com"),
    "eu": ("https://accounts.zoho.eu", "https://www.zohoapis.eu"),
    "in": ("https://accounts.zoho.in", "https://www.zohoapis.in"),
    "au": ("https://accounts.zoho.com.au", "https://www.zohoapis.com.au"),
    "jp": ("https://accounts.zoho.jp", "https://www.zohoapis.jp"),
    "ca": ("https://accounts.zohocloud.ca", "https://www.zohoapis.ca"),
    "sa": ("https://accounts.zoho.sa", "https://www.zohoapis.sa"),
    "uk": ("https://accounts.zoho.uk", "https://www.zohoapis.uk"),
    "cn": ("https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn"),
}


@dataclass(frozen=True)
class ZohoEndpoints:
    accounts_url: str = "https://accounts.zoho.com"
    authorize_url: str = "https://accounts.zoho.com/oauth/v2/auth"
    token_url: str = "https://accounts.zoho.com/oauth/v2/token"
    api_domain: str = "https://www.zohoapis.com"
    client_id: str = ""
    client_secret: str = ""
    redirect_uri: str = ""

    def for_dc(self, dc: str) -> ZohoEndpoints:
        """The real endpoints of another data centre (sandbox endpoints are left as they are)."""
        if dc not in ZOHO_DATA_CENTRES:
            raise ConfigError(f"Unknown Zoho data centre {dc!r}. Use one of: {', '.join(ZOHO_DATA_CENTRES)}.")
        if self.accounts_url not in {a for a, _ in ZOHO_DATA_CENTRES.values()}:
            return self
        accounts, api = ZOHO_DATA_CENTRES[dc]
        return replace(self, accounts_url=accounts, authorize_url=f"{accounts}/oauth/v2/auth",
                       token_url=f"{accounts}/oauth/v2/token", api_domain=api)


@dataclass(frozen=True)
class Endpoints:
    xero: XeroEndpoints = XeroEndpoints()
    zoho: ZohoEndpoints = ZohoEndpoints()
    sandbox_admin: dict[str, str] | None = None

    @property
    def is_sandbox(self) -> bool:
        return self.sandbox_admin is not None


def endpoints_from_json(data: dict) -> Endpoints:
    """Build from the sandbox's JSON line (``main.py sandbox`` prints it)."""
    try:
        xero = XeroEndpoints(**{k: data["xero"][k] for k in XeroEndpoints.__dataclass_fields__ if k in data["xero"]})
        zoho = ZohoEndpoints(**{k: data["zoho"][k] for k in ZohoEndpoints.__dataclass_fields__ if k in data["zoho"]})
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"The endpoints file is missing {exc}; use the JSON line `main.py sandbox` prints.") from exc
    return Endpoints(xero=xero, zoho=zoho, sandbox_admin=data.get("admin"))


def load_endpoints(path: str | Path | None) -> Endpoints:
    if not path:
        return Endpoints()
    try:
        text = Path(path).read_text(encoding="utf-8").strip().splitlines()[0]
        return endpoints_from_json(json.loads(text))
    except (OSError, IndexError, ValueError) as exc:
        raise ConfigError(f"Could not read the endpoints file {path}: {exc}") from exc
