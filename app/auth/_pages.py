"""The small HTML pages the loopback listener shows in the user's browser. No external resources, no scripts."""

from __future__ import annotations

import html

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{title} - Ledgerbridge</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; background: #f5f6f8; color: #1f2933;
       display: flex; align-items: center; justify-content: center; min-height: 90vh; margin: 0; }}
main {{ background: #fff; border-radius: 12px; padding: 2rem 2.5rem; max-width: 32rem;
       box-shadow: 0 2px 12px rgba(0,0,0,.08); }}
h1 {{ font-size: 1.4rem; margin: 0 0 .75rem; color: {colour}; }}
p {{ line-height: 1.5; margin: .5rem 0; }}
</style></head>
<body><main><h1>{title}</h1><p>{message}</p><p>{hint}</p></main></body></html>
"""

_CLOSE_HINT = "You can close this tab and return to Ledgerbridge."


def render(title: str, message: str, *, ok: bool, hint: str = _CLOSE_HINT) -> bytes:
    return _TEMPLATE.format(
        title=html.escape(title),
        message=html.escape(message),
        hint=html.escape(hint),
        colour="#1a7f37" if ok else "#b42318",
    ).encode("utf-8")


SUCCESS = render("Signed in", "Ledgerbridge received your sign-in.", ok=True)
DENIED = render("Sign-in not completed", "Ledgerbridge was not given access. Nothing was changed.", ok=False)
INVALID = render(
    "Sign-in not completed",
    "The sign-in response had no authorization code.",
    ok=False,
    hint="Return to Ledgerbridge and start the sign-in again.",
)
STATE_MISMATCH = render(
    "Sign-in response not recognised",
    "This response doesn't belong to the sign-in Ledgerbridge is waiting for (it may come from an older "
    "sign-in tab), so it was ignored.",
    ok=False,
    hint="Close this tab, return to Ledgerbridge and start the sign-in again if it is still waiting.",
)
ALREADY_USED = render("Sign-in already finished", "This sign-in attempt has already ended.", ok=False)
CLOSED = render(
    "Ledgerbridge is not waiting",
    "Ledgerbridge is no longer waiting for a sign-in.",
    ok=False,
    hint="Return to Ledgerbridge and start the sign-in again.",
)
BAD_REQUEST = render("Bad request", "This request was not understood.", ok=False, hint="")
NOT_FOUND = render("Not found", "There is nothing here.", ok=False, hint="")
