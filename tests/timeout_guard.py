"""A test that runs into pytest-timeout fails on its own; the run goes on with the next test.

pytest-timeout has two methods. ``thread`` dumps every thread's stack and ends the whole pytest process with
``os._exit(1)``: no later test runs and no summary is printed. ``signal`` (the default where SIGALRM exists, so
on Linux and macOS) raises ``Failed`` inside the test from the SIGALRM handler: only that test fails, which is what
we want. But on Python 3.11 and 3.12 an exception raised asynchronously can land on an instruction without a line
number (CPython gh-107901: a loop's backward jump), so its traceback entry has ``tb_lineno`` None, and pytest's
report (``TracebackEntry.lineno`` is ``tb_lineno - 1``) crashes with INTERNALERROR; the session ends as with
``thread``.

So: keep the ``signal`` method and, before pytest builds a report, give every traceback entry without a line
number the line of the nearest instruction before it that has one (the loop's own line, in the case above).
"""

from __future__ import annotations

from types import CodeType, TracebackType

import pytest
from _pytest.runner import CallInfo


def _line_at(code: CodeType, lasti: int) -> int:
    """The line of the instruction at byte offset ``lasti``, or of the nearest one before it that has a line."""
    lines = [start for start, _, _, _ in code.co_positions()]  # one entry per 2-byte code unit
    for index in range(min(lasti // 2, len(lines) - 1), -1, -1):
        if lines[index] is not None:
            return lines[index]
    return code.co_firstlineno


def _with_lines(tb: TracebackType | None) -> TracebackType | None:
    """``tb`` with every entry carrying a line number (entries rebuilt only where one was missing)."""
    if tb is None:
        return None
    rest = _with_lines(tb.tb_next)
    if tb.tb_lineno is not None and rest is tb.tb_next:
        return tb
    lineno = tb.tb_lineno if tb.tb_lineno is not None else _line_at(tb.tb_frame.f_code, tb.tb_lasti)
    return TracebackType(rest, tb.tb_frame, tb.tb_lasti, lineno)


def _repair(exc: BaseException | None, seen: set[int]) -> None:
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        fixed = _with_lines(exc.__traceback__)
        if fixed is not exc.__traceback__:
            exc.__traceback__ = fixed
        _repair(exc.__cause__, seen)
        exc = exc.__context__


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: CallInfo[None]):
    if call.excinfo is not None:
        value = call.excinfo.value
        before = value.__traceback__
        _repair(value, set())
        if value.__traceback__ is not before:
            call.excinfo = pytest.ExceptionInfo.from_exception(value)
    return (yield)
