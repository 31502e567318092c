"""The safety brake: stop a run that would archive or delete more than max(5, 10%) of the linked records."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.runctx import Brake, BrakeTripped


@pytest.mark.parametrize(("linked", "limit"), [(0, 5), (1, 5), (49, 5), (50, 5), (59, 5), (60, 6), (100, 10),
                                               (199, 19), (1000, 100), (20_000, 2000)])
def test_limit_is_the_larger_of_five_and_ten_percent(linked, limit):
    assert Brake().limit(linked) == limit


def test_up_to_the_limit_passes_one_more_trips():
    brake = Brake()
    brake.add("contacts", 5, linked=30)
    with pytest.raises(BrakeTripped) as tripped:
        brake.add("contacts", 1, linked=30)
    err = tripped.value
    assert (err.pair, err.count, err.linked, err.limit) == ("contacts", 6, 30, 5)
    assert str(err) == "contacts: 6 of 30 linked records would be archived or deleted (limit 5)"


def test_ten_percent_of_a_large_book():
    brake = Brake()
    brake.add("contacts", 100, linked=1000)
    with pytest.raises(BrakeTripped):
        brake.add("contacts", 1, linked=1000)


def test_counts_accumulate_per_pair():
    brake = Brake()
    for _ in range(5):
        brake.add("contacts", 1, linked=10)
    brake.add("invoices", 5, linked=10)  # another pair has its own count
    assert brake.counts == {"contacts": 5, "invoices": 5}
    with pytest.raises(BrakeTripped) as tripped:
        brake.add("invoices", 1, linked=10)
    assert tripped.value.pair == "invoices" and tripped.value.count == 6


def test_a_released_brake_never_trips():
    brake = Brake(released=True)
    brake.add("contacts", 10_000, linked=10)
    brake.add("contacts", 10_000, linked=10)
    assert brake.counts["contacts"] == 20_000


def test_settings_change_the_limit():
    assert Brake(min_records=0, fraction=0.5).limit(10) == 5
    assert Brake(min_records=20).limit(100) == 20


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.integers(0, 50_000), st.lists(st.integers(0, 50), min_size=1, max_size=30))
def test_trips_exactly_when_the_running_count_passes_the_limit(linked, batches):
    brake = Brake()
    limit = max(5, linked // 10)
    total = 0
    for n in batches:
        total += n
        if total > limit:
            with pytest.raises(BrakeTripped):
                brake.add("contacts", n, linked)
            return
        brake.add("contacts", n, linked)
    assert brake.counts["contacts"] == total <= limit
