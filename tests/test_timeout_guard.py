"""A test that runs into pytest-timeout fails alone and the run goes on (see tests/timeout_guard.py)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="pytest-timeout's signal method needs SIGALRM")

ROOT = Path(__file__).resolve().parents[1]

# The shape of CPython gh-107901: the SIGALRM lands on the loop's backward jump, which has no line number.
STUCK = '''
import pytest

@pytest.mark.timeout(1)
def test_stuck_in_a_loop():
    for i in range(10**12):
        if not i % 1000000:
            pass

def test_after_it():
    assert True
'''


def test_a_timed_out_test_fails_alone_and_the_next_one_runs(tmp_path):
    (tmp_path / "test_stuck.py").write_text(STUCK)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "tests.timeout_guard", "-c", "/dev/null",
         "--rootdir", str(tmp_path), "-o", "timeout_method=signal", str(tmp_path / "test_stuck.py")],
        cwd=tmp_path, env={"PYTHONPATH": str(ROOT), "PATH": ""}, capture_output=True, text=True, timeout=120,
    )
    out = run.stdout + run.stderr
    assert "INTERNALERROR" not in out, out
    assert run.returncode == 1 and "1 failed, 1 passed" in out, out
    assert "Timeout (>1.0s) from pytest-timeout" in out and "test_stuck.py:8: Failed" in out, out
