"""Logging to a rotating file in the log folder, with every secret redacted before it is written.

The redaction runs as a filter on the handlers (not on loggers), so records from libraries such as httpx — which log
full URLs — are cleaned too.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

REDACTED = "[redacted]"

# Each pattern keeps group 1 (the label) and replaces the secret after it.
_PATTERNS: list[re.Pattern[str]] = [
    re.compile(r"(\bBearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE),
    re.compile(r"(\bZoho-oauthtoken\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE),
    re.compile(r"(\bBasic\s+)[A-Za-z0-9+/=]{8,}", re.IGNORECASE),
    # key=value in URLs, form bodies and reprs
    re.compile(
        r"((?:^|[?&\s,;(])(?:code|code_verifier|verifier|refresh_token|access_token|id_token|client_secret|"
        r"token|secret|password|session_state|state)=)[^&\s,;)\"']+",
        re.IGNORECASE,
    ),
    # "key": "value" in JSON and 'key': 'value' in dict reprs
    re.compile(
        r"""(["'](?:code|code_verifier|verifier|refresh_token|access_token|id_token|client_secret|token|secret|"""
        r"""password|state)["']\s*:\s*["'])[^"']+""",
        re.IGNORECASE,
    ),
]
# Bare token shapes that may appear without a label.
_BARE = [
    re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"),  # JWT (Xero access/id tokens)
    re.compile(r"\b1000\.[0-9a-f]{16,}\.[0-9a-f]{16,}\b"),  # Zoho tokens
]


def redact(text: str) -> str:
    """``text`` with bearer tokens, OAuth codes, verifiers, secrets and refresh tokens replaced."""
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    for pattern in _BARE:
        text = pattern.sub(REDACTED, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and traceback text) with :func:`redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"


def setup_logging(log_dir: Path, *, console: bool = False, level: int = logging.INFO) -> Path:
    """Route the root logger to ``log_dir/ledgerbridge.log`` (5 × 2 MB) and optionally stderr. Idempotent."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / "ledgerbridge.log"
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_ledgerbridge", False):
            root.removeHandler(handler)
            handler.close()
    file_handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handlers: list[logging.Handler] = [file_handler]
    if console:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler.addFilter(RedactingFilter())
        handler._ledgerbridge = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpcore", "peewee"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return log_file
