"""Zoho's own CRM v8 OpenAPI 3.0 files, made loadable by openapi-core, and a response checker for httpx.

The files live in ``../shared/reference/zoho`` beside the repository (CI clones the repo with ``shared`` beside it);
when they are missing, :func:`prepare` fails the test with a message saying where they were looked for.
They are never modified: each is loaded, adapted in memory and written to a temporary directory.

Adaptations, each as narrow as possible:

1. Cross-file ``$ref``s are absolute GitHub URLs (SOURCE.txt) → rewritten to the local file names. Five referenced
   files were not copied (tags, layouts, related_lists, profiles, custom_views) → stubbed with permissive ``{}``
   schemas at exactly the referenced pointers.
2. record.json declares only a ``200`` response for every operation, while Zoho answers 201 (insert), 207
   (partial success) and 400 (all records failed) with the same ``data[]`` body (notes §3.4, OAS-md examples) →
   the ``200`` response is also used for 201/207/400.
3. OAS 3.0 cannot express ``null`` for ``$ref``'d or non-nullable properties that Zoho does send as ``null``:
   ``info.next_page_token`` / ``previous_page_token`` / ``page_token_expiry`` (OAS-md getRecords example shows
   ``"previous_page_token":null``), an upsert insert's ``duplicate_field`` (DOC7 upsert sample), the empty fields of
   a permanently deleted record (DOC7 deleted-records sample), and the many ``$ref``'d field-metadata properties
   that are null for ordinary fields (``tooltip``, ``crypt``, ``external``, ``associated_module`` …) → those
   properties accept ``null`` as well.
4. ``API_Exception`` and ``File_Body_Wrapper`` declare no required keys, so in the responses'
   ``oneOf: [wrapper, File_Body_Wrapper, API_Exception]`` every body matches several branches and ``oneOf`` always
   fails → ``code`` and ``status`` are required in errors (every Zoho error carries them, notes §3.3/§3.5) and
   ``file`` in a file download, which makes the ``oneOf`` decidable.
5. currencies.json's ``exchange_rate`` pattern ``[1-9][0-9]{1,8}[.][0-9]{9}`` demands two integer digits and so
   rejects the base currency's own ``"1.000000000"`` (the notes' example), and its leading ``[1-9]`` every rate below
   one (``"0.650000000"`` US dollars to the Australian dollar) → ``[0-9][0-9]{0,8}``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from ..reference import reference_file

PREFIX = "https://raw.githubusercontent.com/Zohocorp-Pvt-Ltd/crm-oas/refs/heads/main/v8.0/"
FILES = ["common", "record", "fields", "modules", "org", "users", "currencies"]
SERVER = "https://zohoapis.com"
NULL = {"type": "object", "nullable": True, "enum": [None]}


def _walk(node: Any, fn: Any) -> Any:
    if isinstance(node, dict):
        node = {k: _walk(v, fn) for k, v in node.items()}
        return fn(node)
    if isinstance(node, list):
        return [_walk(v, fn) for v in node]
    return node


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return {"anyOf": [schema, NULL]}
    return {**schema, "nullable": True}


def prepare(target: Path) -> dict[str, Path]:
    """Write the adapted spec files into ``target``; returns ``{name: path}``."""
    docs: dict[str, Any] = {}
    missing: dict[str, set[str]] = {}

    def rewrite(node: dict[str, Any]) -> dict[str, Any]:
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(PREFIX):
            local = ref[len(PREFIX):]
            node = {**node, "$ref": local}
            name = local.split(".json", 1)[0]
            if name not in FILES:
                missing.setdefault(name, set()).add(local.split("#", 1)[1])
        return node

    for name in FILES:
        docs[name] = _walk(json.loads(reference_file(f"zoho/{name}.json").read_text(encoding="utf-8")), rewrite)

    record = docs["record"]
    for ops in record["paths"].values():
        for op in ops.values():
            if isinstance(op, dict) and "200" in op.get("responses", {}):
                for status in ("201", "207", "400"):
                    op["responses"].setdefault(status, copy.deepcopy(op["responses"]["200"]))
    schemas = record["components"]["schemas"]
    schemas["API_Exception"]["required"] = ["code", "status"]
    schemas["File_Body_Wrapper"]["required"] = ["file"]
    for key in ("next_page_token", "previous_page_token", "page_token_expiry"):
        schemas["Info"]["properties"][key] = _or_null(schemas["Info"]["properties"][key])
    schemas["Success_Response"]["properties"]["duplicate_field"] = _or_null(
        schemas["Success_Response"]["properties"]["duplicate_field"])
    for key in ("deleted_by", "display_name", "created_by"):
        schemas["Deleted_Record"]["properties"][key] = _or_null(schemas["Deleted_Record"]["properties"][key])
    rate = docs["currencies"]["components"]["schemas"]["Currency"]["properties"]["exchange_rate"]
    rate["pattern"] = rate["pattern"].replace("[1-9][0-9]{1,8}", "[0-9][0-9]{0,8}")
    field_props = docs["fields"]["components"]["schemas"]["fields"]["properties"]
    for key, prop in list(field_props.items()):
        if "$ref" in prop:
            field_props[key] = _or_null(prop)

    paths: dict[str, Path] = {}
    for name, doc in docs.items():
        paths[name] = target / f"{name}.json"
        paths[name].write_text(json.dumps(doc), encoding="utf-8")
    for name, pointers in missing.items():
        stub: dict[str, Any] = {}
        for pointer in pointers:
            node = stub
            parts = [p for p in pointer.split("/") if p]
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = {}
        (target / f"{name}.json").write_text(json.dumps(stub), encoding="utf-8")
    return paths


class Contract:
    """Validates emulator answers (``httpx.Response``) against one spec file."""

    def __init__(self, path: Path) -> None:
        self.openapi = OpenAPI.from_file_path(str(path))

    def check(self, response: httpx.Response) -> None:
        request = response.request
        path = request.url.path
        at = path.index("/crm/v8/")
        mock_request = MockRequest(
            SERVER, request.method, path[at:], args=dict(request.url.params.items()),
            headers=dict(request.headers.items()), data=request.content or None,
        )
        mock_response = MockResponse(
            response.content, status_code=response.status_code, headers=dict(response.headers.items()),
            content_type=response.headers.get("content-type", "application/json"),
        )
        self.openapi.validate_response(mock_request, mock_response)
