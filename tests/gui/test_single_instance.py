"""One app per data folder (its window shows every profile of the folder): a second launch (a real second process)
makes the first come forward and exits; a crashed first instance leaves nothing that blocks the next launch; other
folders run side by side."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.gui.single_instance import Claim, SingleInstance, bring_to_front, server_name

ROOT = Path(__file__).resolve().parents[2]
WAIT_MS = 60_000

# A launch in its own process: claims the folder, prints the outcome; as the first instance it then serves (or,
# with "hang", holds the folder without ever answering) until killed.
LAUNCH = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from PySide6.QtCore import QCoreApplication
    from app.gui.single_instance import SingleInstance
    app = QCoreApplication([])
    data_dir, mode = sys.argv[1], sys.argv[2]
    instance = SingleInstance(Path(data_dir))
    outcome = instance.claim(answer_timeout_ms=int(sys.argv[3]) if len(sys.argv) > 3 else 5000)
    print(outcome.value, flush=True)
    if outcome.value == "first":
        time.sleep(3600) if mode == "hang" else app.exec()
""")


def launch(data_dir: Path, mode: str = "serve", *extra: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", LAUNCH, str(data_dir), mode, *extra], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def outcome_of(proc: subprocess.Popen) -> str:
    """The launch's first line (blocking: only for launches that need nothing from this process's event loop)."""
    line = proc.stdout.readline().strip()
    assert line, proc.stderr.read() if proc.poll() is not None else "no answer"
    return line


def exited(qtbot, proc: subprocess.Popen) -> tuple[int, str]:
    """Wait for a launch to end while this process's event loop runs (the first instance answers from it)."""
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=WAIT_MS)
    out, err = proc.communicate()
    return proc.returncode, out + err


@pytest.fixture
def first(qapp, data_dir):
    instance = SingleInstance(data_dir)
    assert instance.claim() is Claim.FIRST
    yield instance
    instance.release()


def test_a_second_launch_brings_the_first_forward_and_exits(qtbot, first, data_dir):
    with qtbot.waitSignal(first.show_requested, timeout=WAIT_MS):
        second = launch(data_dir)
        code, out = exited(qtbot, second)
    assert code == 0 and out.strip() == "shown-other", out
    with qtbot.waitSignal(first.show_requested, timeout=WAIT_MS):  # and again: the first keeps listening
        code, out = exited(qtbot, launch(data_dir))
    assert out.strip() == "shown-other", out


def test_other_folders_run_side_by_side(qapp, first, data_dir, tmp_path):
    """Another data folder, and the demo's (``demo/`` inside the data folder), are apps of their own."""
    for folder in (tmp_path / "other-folder", data_dir / "demo"):
        proc = launch(folder)
        assert outcome_of(proc) == "first"
        proc.kill()
        proc.wait()
    assert server_name(data_dir) != server_name(data_dir / "demo")


def test_after_a_crash_the_next_launch_is_the_first(qtbot, qapp, data_dir):
    crashed = launch(data_dir)
    assert outcome_of(crashed) == "first"
    crashed.send_signal(signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
    crashed.wait()
    assert (data_dir / "app.lock").exists()  # the crash left its lock file behind
    if os.name != "nt":  # and its socket file, under the same server name
        from PySide6.QtCore import QDir

        assert Path(QDir.tempPath(), server_name(data_dir)).exists()

    instance = SingleInstance(data_dir)
    assert instance.claim() is Claim.FIRST
    try:
        with qtbot.waitSignal(instance.show_requested, timeout=WAIT_MS):
            code, out = exited(qtbot, launch(data_dir))
        assert out.strip() == "shown-other", out
    finally:
        instance.release()


def test_a_first_instance_that_never_answers_is_reported(qapp, data_dir):
    hung = launch(data_dir, "hang")
    try:
        assert outcome_of(hung) == "first"
        assert SingleInstance(data_dir).claim(answer_timeout_ms=1000) is Claim.NOT_ANSWERING
    finally:
        hung.kill()
        hung.wait()


def test_after_release_the_next_launch_is_the_first(qapp, data_dir):
    instance = SingleInstance(data_dir)
    assert instance.claim() is Claim.FIRST
    instance.release()
    proc = launch(data_dir)
    assert outcome_of(proc) == "first"
    proc.kill()
    proc.wait()


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen has no window stack
def test_bring_to_front_restores_a_minimised_window(qtbot):
    from PySide6.QtWidgets import QWidget

    window = QWidget()
    qtbot.addWidget(window)
    window.showMinimized()
    bring_to_front(window)
    assert window.isVisible() and not window.isMinimized()
