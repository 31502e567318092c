"""The per-day chart: the figures it shows, its axis, tooltips per bar, keyboard and screen-reader summary."""

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QColor, QHelpEvent, QImage, QPalette
from PySide6.QtWidgets import QApplication, QToolTip

from app.gui.widgets.day_chart import (
    ChartDay,
    DayChart,
    bar_text,
    failed_colour,
    nice_ceiling,
    period_summary,
)

pytestmark = pytest.mark.gui

START = date(2026, 11, 3)
# The offscreen platform cannot raise the tooltip window; showing it is still what a user would see.
offscreen_tooltip = pytest.mark.qt_log_ignore("This plugin does not support raise")


def week(*figures):
    return [ChartDay(START + timedelta(days=i), s, f) for i, (s, f) in enumerate(figures)]


@pytest.fixture
def chart(qtbot):
    widget = DayChart()
    qtbot.addWidget(widget)
    widget.resize(560, 200)
    widget.set_days(week((0, 0), (12, 0), (128, 2), (0, 0), (40, 1), (3, 0), (0, 0)))
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.mark.parametrize("value, top", [(0, 1), (1, 1), (3, 3), (7, 8), (10, 10), (11, 12), (130, 150),
                                             (110, 120), (1204, 1500), (2600, 3000), (9001, 10000)])
def test_axis_top_is_a_round_number_above_the_busiest_day(value, top):
    assert nice_ceiling(value) == top


def test_chart_totals_and_summary(chart):
    assert chart.totals() == (183, 3)
    assert chart.summary() == "Last 7 days: 183 records synced, 3 failed. Busiest day 5 Nov with 130."
    assert chart.accessibleDescription() == chart.summary()
    assert chart.accessibleName() == "Records synced and failed per day"


def test_summary_words_for_quiet_and_single_periods():
    assert period_summary(week((0, 0), (0, 0))) == "Last 2 days: nothing synced."
    assert period_summary(week((1, 0))).startswith("Last 1 day: 1 record synced, 0 failed.")


def test_bar_text_says_failed_only_when_some_failed():
    assert bar_text(ChartDay(date(2026, 12, 3), 1204, 0)) == "3 Dec: 1,204 synced"
    assert bar_text(ChartDay(date(2026, 12, 3), 128, 2)) == "3 Dec: 128 synced, 2 failed"


def test_taller_bars_for_busier_days(chart):
    heights = [chart.bar_rect(i).height() for i in range(7)]
    assert heights[0] == 0 and heights[3] == 0
    assert heights[2] > heights[4] > heights[1] > heights[5] > 0


@offscreen_tooltip
def test_tooltip_over_a_bar_names_the_day_and_figures(chart, qtbot):
    centre = chart.bar_rect(2).center().toPoint()
    assert chart.bar_at(centre) == 2
    event = QHelpEvent(QEvent.Type.ToolTip, centre, chart.mapToGlobal(centre))
    QApplication.sendEvent(chart, event)
    qtbot.waitUntil(lambda: QToolTip.text() == "5 Nov: 128 synced, 2 failed")
    assert chart.bar_at(QPoint(1, 1)) == -1  # the axis labels are no bar


@offscreen_tooltip
def test_arrow_keys_walk_the_bars(chart, qtbot):
    chart.setFocus()
    qtbot.waitUntil(chart.hasFocus)
    qtbot.keyClick(chart, Qt.Key.Key_Left)
    assert chart.selected_text() == "9 Nov: 0 synced"
    qtbot.keyClick(chart, Qt.Key.Key_Home)
    qtbot.keyClick(chart, Qt.Key.Key_Right)
    qtbot.keyClick(chart, Qt.Key.Key_Right)
    assert chart.selected_text() == "5 Nov: 128 synced, 2 failed"
    assert chart.accessibleDescription().startswith("5 Nov: 128 synced, 2 failed. Last 7 days")


def _painted(chart) -> QImage:
    return chart.grab().toImage()


def test_failed_part_of_a_bar_is_red_and_synced_part_uses_the_palette(chart):
    image = _painted(chart)
    ratio = image.width() / chart.width()
    bar = chart.bar_rect(2)
    x = int(bar.center().x() * ratio)
    top = QColor(image.pixel(x, int((bar.top() + 1) * ratio)))
    bottom = QColor(image.pixel(x, int((bar.bottom() - 2) * ratio)))
    assert top == failed_colour(chart.palette())
    assert bottom == chart.palette().color(QPalette.ColorRole.Highlight)


def test_dark_palette_gets_a_lighter_red():
    dark, light = QPalette(), QPalette()
    dark.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    light.setColor(QPalette.ColorRole.Window, QColor("#f4f4f4"))
    assert failed_colour(dark).lightness() > failed_colour(light).lightness()


def test_empty_period_paints_without_bars(qtbot):
    widget = DayChart()
    qtbot.addWidget(widget)
    widget.resize(400, 180)
    widget.set_days(week(*[(0, 0)] * 30))
    assert widget.totals() == (0, 0)
    assert not _painted(widget).isNull()
    widget.set_days([])
    assert widget.summary() == "No days to show."
    assert not _painted(widget).isNull()
