"""A small bar chart of records synced and failed per day, drawn with QPainter (QtCharts is GPL-only).

Each bar stacks the day's failed records on top of its synced ones. Colours come from the palette, so the chart
follows light and dark mode; failed is the only red. Hovering a bar (or moving along the bars with the arrow keys)
shows that day's figures; the accessible description sums up the whole period for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QHelpEvent, QKeyEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget


class DayFigures(Protocol):
    day: date
    synced: int
    failed: int


@dataclass(frozen=True)
class ChartDay:
    day: date
    synced: int
    failed: int


def day_label(day: date) -> str:
    return f"{day.day} {day.strftime('%b')}"


NICE_STEPS = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)


def nice_ceiling(value: int) -> int:
    """The smallest round number (1, 2, 3, … 8, 10, 12, 15, 20, 25, 30, …) that is at least ``value``: the top of
    the axis, close above the busiest day."""
    if value <= 1:
        return 1
    magnitude = 10 ** int(math.floor(math.log10(value)))
    for step in NICE_STEPS:
        top = step * magnitude
        if top == int(top) and value <= top:
            return int(top)
    return 10 * magnitude


def bar_text(d: DayFigures) -> str:
    """What one bar says: '3 Dec: 128 synced, 2 failed'."""
    text = f"{day_label(d.day)}: {d.synced:,} synced"
    return text + (f", {d.failed:,} failed" if d.failed else "")


def period_summary(days: Sequence[DayFigures]) -> str:
    """One sentence for the whole chart: totals and the busiest day."""
    if not days:
        return "No days to show."
    span = f"{len(days)} day" + ("" if len(days) == 1 else "s")
    synced = sum(d.synced for d in days)
    failed = sum(d.failed for d in days)
    if not synced and not failed:
        return f"Last {span}: nothing synced."
    text = (f"Last {span}: {synced:,} record{'' if synced == 1 else 's'} synced, "
            f"{failed:,} failed.")
    busiest = max(days, key=lambda d: (d.synced + d.failed, d.day))
    return text + f" Busiest day {day_label(busiest.day)} with {busiest.synced + busiest.failed:,}."


def failed_colour(palette: QPalette) -> QColor:
    """A red that reads on this palette's background (lighter on dark backgrounds)."""
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    return QColor("#f07070") if dark else QColor("#c0392b")


def synced_colour(palette: QPalette) -> QColor:
    return palette.color(QPalette.ColorRole.Highlight)


class DayChart(QWidget):
    MARGIN = 6
    BAR_FILL = 0.7  # the share of each day's slot the bar takes

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._days: list[ChartDay] = []
        self._current = -1  # the bar chosen with the keyboard
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumSize(240, 150)
        self.setAccessibleName("Records synced and failed per day")
        self._update_description()

    # ----- data ------------------------------------------------------------------------------------------------
    def set_days(self, days: Sequence[DayFigures]) -> None:
        self._days = [ChartDay(d.day, int(d.synced), int(d.failed)) for d in days]
        self._current = min(self._current, len(self._days) - 1)
        self._update_description()
        self.update()

    def days(self) -> list[ChartDay]:
        return list(self._days)

    def totals(self) -> tuple[int, int]:
        return sum(d.synced for d in self._days), sum(d.failed for d in self._days)

    def summary(self) -> str:
        return period_summary(self._days)

    def _update_description(self) -> None:
        self.setAccessibleDescription(self.summary())

    # ----- geometry --------------------------------------------------------------------------------------------
    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(520, 190)

    def _axis_top(self) -> int:
        return nice_ceiling(max((d.synced + d.failed for d in self._days), default=0))

    def _plot_rect(self) -> QRect:
        fm = QFontMetrics(self.font())
        left = fm.horizontalAdvance(f"{self._axis_top():,}") + 2 * self.MARGIN
        top = fm.height() + 2 * self.MARGIN  # room for the legend
        bottom = fm.height() + 2 * self.MARGIN  # room for the day labels
        return QRect(left, top, max(1, self.width() - left - self.MARGIN), max(1, self.height() - top - bottom))

    def _slot_width(self) -> float:
        return self._plot_rect().width() / max(1, len(self._days))

    def bar_rect(self, index: int) -> QRectF:
        """The whole bar (synced and failed) of day ``index``."""
        plot = self._plot_rect()
        slot = self._slot_width()
        width = max(1.0, slot * self.BAR_FILL)
        d = self._days[index]
        height = plot.height() * (d.synced + d.failed) / self._axis_top()
        x = plot.left() + index * slot + (slot - width) / 2
        return QRectF(x, plot.bottom() + 1 - height, width, height)

    def bar_at(self, pos: QPoint) -> int:
        """The day under ``pos`` (anywhere in the day's column of the plot), or -1."""
        plot = self._plot_rect()
        if not self._days or not (plot.left() <= pos.x() <= plot.right()) or pos.y() > plot.bottom() + 1:
            return -1
        index = int((pos.x() - plot.left()) / self._slot_width())
        return index if 0 <= index < len(self._days) else -1

    def _label_step(self, fm: QFontMetrics) -> int:
        widest = fm.horizontalAdvance("30 Sep") + 2 * self.MARGIN
        return max(1, math.ceil(widest / max(1.0, self._slot_width())))

    # ----- painting --------------------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        grid = palette.color(QPalette.ColorRole.Mid)
        grid.setAlpha(90)
        fm = QFontMetrics(self.font())
        plot = self._plot_rect()
        top = self._axis_top()

        self._paint_legend(painter, fm, palette, text)
        empty = not any(d.synced + d.failed for d in self._days)
        for value in (0, top // 2 if top % 2 == 0 else None, top):
            if value is None or (empty and value):
                continue  # an empty period has only its baseline: no scale of nothing
            y = plot.bottom() - round(plot.height() * value / top)
            painter.setPen(QPen(grid if value else muted, 1))
            painter.drawLine(plot.left(), y, plot.right(), y)
            painter.setPen(muted)
            painter.drawText(QRect(0, y - fm.height() // 2, plot.left() - self.MARGIN, fm.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{value:,}")

        synced_brush, failed_brush = synced_colour(palette), failed_colour(palette)
        painter.setPen(Qt.PenStyle.NoPen)
        for i, d in enumerate(self._days):
            if not d.synced + d.failed:
                continue
            bar = self.bar_rect(i)
            failed_h = bar.height() * d.failed / (d.synced + d.failed)
            painter.fillRect(QRectF(bar.left(), bar.top() + failed_h, bar.width(), bar.height() - failed_h),
                             synced_brush)
            if d.failed:
                painter.fillRect(QRectF(bar.left(), bar.top(), bar.width(), max(1.0, failed_h)), failed_brush)

        if self._days and 0 <= self._current < len(self._days) and self.hasFocus():
            slot = self._slot_width()
            column = QRectF(plot.left() + self._current * slot, plot.top(), slot, plot.height())
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 1, Qt.PenStyle.DotLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(column.adjusted(0, 0, -1, 0))

        painter.setPen(muted)
        step = self._label_step(fm)
        slot = self._slot_width()
        last = len(self._days) - 1
        for i, d in enumerate(self._days):
            if (last - i) % step:
                continue
            centre = plot.left() + (i + 0.5) * slot
            label = day_label(d.day)
            width = fm.horizontalAdvance(label) + 2
            x = int(min(max(centre - width / 2, plot.left()), self.width() - width))
            painter.drawText(QRect(x, plot.bottom() + self.MARGIN, width, fm.height()),
                             Qt.AlignmentFlag.AlignCenter, label)

        if empty:
            painter.setPen(muted)
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "Nothing synced in this period")
        painter.end()

    def _paint_legend(self, painter: QPainter, fm: QFontMetrics, palette: QPalette, text: QColor) -> None:
        box = fm.height() - 4
        x = self.width() - self.MARGIN
        for label, colour in (("Failed", failed_colour(palette)), ("Synced", synced_colour(palette))):
            width = fm.horizontalAdvance(label)
            x -= width
            painter.setPen(text)
            painter.drawText(QRect(x, self.MARGIN, width + 2, fm.height()), Qt.AlignmentFlag.AlignVCenter, label)
            x -= box + 4
            painter.fillRect(QRect(x, self.MARGIN + (fm.height() - box) // 2, box, box), colour)
            x -= 3 * self.MARGIN

    # ----- tooltips and keyboard -------------------------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            index = self.bar_at(event.pos())
            if index < 0:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), bar_text(self._days[index]), self)
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        moves = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1}
        if event.key() in moves and self._days:
            start = len(self._days) if self._current < 0 else self._current
            self.select_day(max(0, min(len(self._days) - 1, start + moves[event.key()])))
            return
        if event.key() in (Qt.Key.Key_Home, Qt.Key.Key_End) and self._days:
            self.select_day(0 if event.key() == Qt.Key.Key_Home else len(self._days) - 1)
            return
        super().keyPressEvent(event)

    def select_day(self, index: int) -> None:
        """Choose a bar (keyboard users): its figures show as a tooltip and in the accessible description."""
        self._current = index
        text = bar_text(self._days[index])
        self.setAccessibleDescription(f"{text}. {self.summary()}")
        bar = self.bar_rect(index)
        QToolTip.showText(self.mapToGlobal(QPoint(int(bar.center().x()), int(bar.top()))), text, self)
        self.update()

    def selected_text(self) -> str:
        return bar_text(self._days[self._current]) if 0 <= self._current < len(self._days) else ""

    def focusOutEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._current = -1
        self._update_description()
        self.update()
        super().focusOutEvent(event)
