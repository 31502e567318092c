"""The real API specs the contract tests check the emulators against: ``../shared/reference`` beside the repository.

CI always clones it there. When it is missing the contract tests fail (not skip) with a message saying where the
files were looked for: a green run without them would claim a check that never happened.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference"


def reference_file(relative: str) -> Path:
    """``REFERENCE / relative``, or a failed test that says where the file should be."""
    path = REFERENCE / relative
    if not path.is_file():
        pytest.fail(
            f"API reference file missing: {path}\n"
            f"The contract tests validate the emulators against the real API specs in {REFERENCE}, which must sit "
            "beside the repository (../shared/reference). Put the shared folder there and run the tests again.",
            pytrace=False,
        )
    return path


class SpecRequest:
    """openapi-core's request protocol over an httpx request (openapi-core has no httpx adapter)."""

    def __init__(self, request: httpx.Request) -> None:
        self._r = request
        self._url = urlsplit(str(request.url))
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(request.url.params.multi_items())),
            header=Headers(list(request.headers.items())), cookie=ImmutableMultiDict())

    host_url = property(lambda self: f"{self._url.scheme}://{self._url.netloc}")
    path = property(lambda self: self._url.path)
    method = property(lambda self: self._r.method.lower())
    body = property(lambda self: self._r.content or None)
    content_type = property(lambda self: self._r.headers.get("Content-Type", "application/json"))
