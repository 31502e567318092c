import logging

from app.logging_setup import REDACTED, redact, setup_logging

SECRETS = [
    ("Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlMTIz", "eyJhbGci"),
    ("Authorization: Zoho-oauthtoken 1000.2deaf1b2c3d4e5f60718.293a4b5c6d7e8f901a2b", "1000.2deaf"),
    ("GET http://127.0.0.1:8765/callback?code=abc123XYZ&state=s7at3", "abc123XYZ"),
    ("grant_type=refresh_token&refresh_token=3f1a9b8c7d&client_id=CID", "3f1a9b8c7d"),
    ("code_verifier=verif-ier_value~1234567890", "verif-ier_value"),
    ('{"access_token": "tok-123", "refresh_token": "ref-456", "expires_in": 1800}', "ref-456"),
    ("client_secret=s3cr3t-value", "s3cr3t-value"),
    ("{'refresh_token': 'py-repr-secret'}", "py-repr-secret"),
]


def test_redact_removes_each_secret_and_keeps_the_rest():
    for text, secret in SECRETS:
        cleaned = redact(text)
        assert secret not in cleaned, text
        assert REDACTED in cleaned
    assert redact("expires_in=1800 organisation=Bluegum") == "expires_in=1800 organisation=Bluegum"


def test_log_file_never_holds_a_secret(tmp_path):
    log_file = setup_logging(tmp_path / "logs")
    logger = logging.getLogger("test.redaction")
    for text, _ in SECRETS:
        logger.info("request %s", text)
    try:
        raise RuntimeError("failed with refresh_token=boom-secret-1")
    except RuntimeError:
        logger.exception("refresh failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = log_file.read_text()
    for _, secret in SECRETS:
        assert secret not in written
    assert "boom-secret-1" not in written
    assert "refresh failed" in written
