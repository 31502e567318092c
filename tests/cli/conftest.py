"""The command line in-process against the demo sandbox: ``main.main(argv)`` with its output captured."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

import main


@dataclass
class Result:
    rc: int
    out: str
    err: str


@pytest.fixture
def cli(data_dir, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")

    def run(*args: str, expect: int | None = 0) -> Result:
        rc = main.main(["--data-dir", str(data_dir), *args])
        out, err = capsys.readouterr()
        result = Result(rc, out, err)
        if expect is not None:
            assert rc == expect, result
        assert "Traceback" not in err, err
        return result

    return run


@pytest.fixture
def synced_cli(cli):
    """The demo after its first sync: two look-alike customers wait for a person (exit 1)."""
    cli("--demo", "sync", expect=1)
    return cli
