"""Checks a request the app sent against the provider's own OpenAPI file: Xero's ``xero_accounting.yaml`` and
Zoho's CRM v8 JSON files (made loadable by :mod:`tests.emulators.zoho.oas`), both in ../shared/reference.

Only the APIs those files describe are checked: Xero's accounting API (``/api.xro/2.0``) and Zoho's CRM API
(``/crm/v8``). Sign-in, Xero's ``/connections`` and the sandbox control API are other specs or none.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import httpx
import openapi_core
import yaml
from openapi_core.templating.paths.exceptions import PathNotFound
from openapi_core.testing import MockRequest

from tests.emulators.reference import SpecRequest, reference_file
from tests.emulators.zoho.oas import prepare

XERO_PREFIX = "/api.xro/2.0/"
ZOHO_PREFIX = "/crm/v8/"
ZOHO_FILES = ("record", "fields", "org", "users", "currencies")


class RequestSpecs:
    def __init__(self, workdir: Path) -> None:
        with reference_file("xero_accounting.yaml").open("rb") as fh:
            data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        self.xero = openapi_core.OpenAPI.from_dict(data, config=openapi_core.Config(spec_validator_cls=None))
        paths = prepare(workdir)
        self.zoho = [openapi_core.OpenAPI.from_file_path(str(paths[name])) for name in ZOHO_FILES]

    def covers(self, request: httpx.Request) -> bool:
        path = request.url.path
        return (request.url.host == "api.xero.com" and path.startswith(XERO_PREFIX)) or ZOHO_PREFIX in path

    def check(self, request: httpx.Request) -> None:
        """Raises openapi-core's validation error when the spec refuses the request."""
        if request.url.host == "api.xero.com":
            self.xero.validate_request(SpecRequest(request))
            return
        path = request.url.path
        mock = MockRequest("https://zohoapis.com", request.method, path[path.index(ZOHO_PREFIX):],
                           args=dict(request.url.params.items()), headers=dict(request.headers.items()),
                           data=request.content or None)
        for spec in self.zoho:
            try:
                spec.validate_request(mock)
                return
            except PathNotFound:
                continue
        raise AssertionError(f"no Zoho spec file describes {request.method} {path}")


def problems(specs: RequestSpecs, requests: list[httpx.Request]) -> list[dict[str, Any]]:
    """Every request the specs refuse, with the reason and the body sent."""
    out = []
    for request in requests:
        try:
            with warnings.catch_warnings():  # openapi-core cannot check OAuth 2 security: the tokens are not at issue
                warnings.filterwarnings("ignore", "Unsupported scheme type", UserWarning)
                specs.check(request)
        except Exception as exc:  # openapi-core raises one of several validation error types
            reasons = [str(e) for e in getattr(exc, "schema_errors", None) or getattr(exc, "errors", None) or []]
            out.append({"request": f"{request.method} {request.url}", "error": f"{type(exc).__name__}: {exc}",
                        "reasons": reasons[:5], "body": (request.content or b"")[:600].decode(errors="replace")})
    return out
