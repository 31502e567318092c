"""Local emulators of the Xero and Zoho CRM APIs (the "sandbox").

Each emulator is one object with ``handle(httpx.Request) -> httpx.Response`` over in-memory state. Tests use it
in-process through ``httpx.MockTransport``; demo mode and the browser login serve the very same handler on
127.0.0.1 (see :mod:`app.emulators.server`). This package imports no other ``app`` package on purpose: it stands in
for the outside world and must not share code paths with the client it is testing.
"""
