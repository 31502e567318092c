"""The two field lists with the links drawn between them: Xero's fields on the left, Zoho CRM's on the right, each
with its type, a * when that system requires it and a mark when it is read-only. Drag from a field to a field on the
other side to ask for a link; click a line to select that link. Linked fields come first, in link order, so lines
run mostly straight. A view only: the page owns the draft and decides."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.core.mapping import FieldLink
from app.core.records import FieldInfo
from app.services.mapping_editor_model import type_words

ROW_H = 26
HEADER_H = 34
GUTTER = 100
PAD = 8
MIN_COLUMN = 170
MISSING_RED = "#c62828"  # a link to a field that is gone: the one colour that must stand out
XERO, ZOHO = "xero", "zoho"


@dataclass
class _Row:
    side: str
    field: FieldInfo
    linked: bool
    missing: bool = False  # a linked field the system no longer has (renamed or deleted there)


class FieldCanvas(QWidget):
    link_requested = Signal(str, str)  # xero field, zoho field (dragged from one to the other)
    link_clicked = Signal(int)  # index of the link whose line was clicked
    field_clicked = Signal(str, str)  # side, field name (a click without a drag, or Enter)
    cursor_moved = Signal(object)  # the keyboard's row, as a QRect (to scroll it into view)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.setAccessibleName("Field links")
        self.setAccessibleDescription("Xero fields on the left, Zoho CRM fields on the right; drag from one to "
                                      "the other to link them. Keys: arrows move between fields, Enter opens the "
                                      "field's link (or offers it in Add), Space links the two marked fields.")
        self._rows: dict[str, list[_Row]] = {XERO: [], ZOHO: []}
        self._links: list[FieldLink] = []
        self._pair_direction = "both"
        self._selected: int | None = None
        self._drag: tuple[str, str] | None = None
        self._drag_at: QPoint | None = None
        self._titles = ("Xero", "Zoho CRM")
        self._filter = ""
        self._placeholder = ""
        self._cursor: tuple[str, int] = (XERO, 0)  # the keyboard's field
        self._marked: tuple[str, str] | None = None  # a field picked with Space, waiting for its partner
        self._all: tuple[list[FieldInfo], list[FieldInfo]] = ([], [])

    # ----- content -------------------------------------------------------------------------------------------
    def set_content(self, xero: list[FieldInfo], zoho: list[FieldInfo], links: list[FieldLink],
                    pair_direction: str, titles: tuple[str, str]) -> None:
        self._all = (xero, zoho)
        self._links = list(links)
        self._pair_direction = pair_direction
        self._titles = titles
        if self._selected is not None and self._selected >= len(self._links):
            self._selected = None
        self._layout_rows()

    def set_placeholder(self, text: str) -> None:
        """What the empty lists say while the fields are read (or why they could not be)."""
        self._placeholder = text
        self.set_content([], [], [], self._pair_direction, ("Xero", "Zoho CRM"))

    def set_filter(self, text: str) -> None:
        self._filter = text.strip().lower()
        self._layout_rows()

    def select_link(self, index: int | None) -> None:
        self._selected = index
        self.update()

    def _layout_rows(self) -> None:
        """Rows for the fields as they are now; the keyboard stays on the field it was on."""
        was = self._current()
        xero, zoho = self._all
        order_x = [p for link in self._links for p in link.xero.split("+") if p]
        order_z = [link.zoho for link in self._links if link.zoho]
        for side, fields, order in ((XERO, xero, order_x), (ZOHO, zoho, order_z)):
            by_name = {f.name: f for f in fields}
            system = "Xero" if side == XERO else "Zoho CRM"
            linked = [_Row(side, by_name[n], True) if n in by_name else
                      _Row(side, FieldInfo(n, f"{n}: not in {system} any more", "text"), True, missing=True)
                      for n in dict.fromkeys(order)]
            rest = [_Row(side, f, False) for f in fields if f.name not in set(order)
                    and self._shown(f)]
            self._rows[side] = linked + rest
        if was is not None:
            names = [r.field.name for r in self._rows[was.side]]
            self._cursor = (was.side, names.index(was.field.name) if was.field.name in names else 0)
        self.updateGeometry()
        self.resize(self.width(), self.sizeHint().height())
        self.update()

    def _shown(self, f: FieldInfo) -> bool:
        return not self._filter or self._filter in f.label.lower() or self._filter in f.name.lower()

    # ----- geometry ------------------------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        rows = max(len(self._rows[XERO]), len(self._rows[ZOHO]), 1)
        return QSize(760, HEADER_H + rows * ROW_H + PAD)

    def minimumSizeHint(self) -> QSize:
        return QSize(2 * MIN_COLUMN + GUTTER, self.sizeHint().height())

    def _column_width(self) -> float:
        return max(float(MIN_COLUMN), (self.width() - GUTTER) / 2)

    def _column_x(self, side: str) -> float:
        return 0.0 if side == XERO else self._column_width() + GUTTER

    def row_rect(self, side: str, name: str) -> QRectF | None:
        """Where a field's row is drawn (None when it is filtered out)."""
        for i, row in enumerate(self._rows[side]):
            if row.field.name == name:
                return QRectF(self._column_x(side), HEADER_H + i * ROW_H, self._column_width(), ROW_H)
        return None

    def row_center(self, side: str, name: str) -> QPoint:
        rect = self.row_rect(side, name)
        if rect is None:
            raise KeyError(name)
        return rect.center().toPoint()

    def link_point(self, index: int) -> QPoint:
        """A point on a link's line (its middle), e.g. to click it."""
        path = self._link_path(self._links[index])
        return path.pointAtPercent(0.5).toPoint() if path is not None else QPoint()

    def _row_at(self, pos: QPoint) -> _Row | None:
        if pos.y() < HEADER_H:
            return None
        i = int((pos.y() - HEADER_H) // ROW_H)
        for side in (XERO, ZOHO):
            x = self._column_x(side)
            if x <= pos.x() < x + self._column_width() and i < len(self._rows[side]):
                return self._rows[side][i]
        return None

    def _anchor(self, side: str, name: str) -> QPointF | None:
        rect = self.row_rect(side, name)
        if rect is None:
            return None
        return QPointF(rect.right() if side == XERO else rect.left(), rect.center().y())

    def _link_path(self, link: FieldLink) -> QPainterPath | None:
        start = self._anchor(XERO, link.xero.split("+")[0])
        end = self._anchor(ZOHO, link.zoho)
        if start is None or end is None:
            return None
        path = QPainterPath(start)
        mid = (start.x() + end.x()) / 2
        path.cubicTo(QPointF(mid, start.y()), QPointF(mid, end.y()), end)
        return path

    # ----- painting ------------------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: ANN001 - Qt's event
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        if not (self._rows[XERO] or self._rows[ZOHO]):
            p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            p.drawText(QRectF(self.rect()).adjusted(PAD, PAD, -PAD, -PAD),
                       Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._placeholder)
            p.end()
            return
        for side, title in ((XERO, self._titles[0]), (ZOHO, self._titles[1])):
            x = self._column_x(side)
            head = QRectF(x, 0, self._column_width(), HEADER_H - 4)
            font = QFont(self.font())
            font.setBold(True)
            p.setFont(font)
            p.setPen(pal.color(QPalette.ColorRole.WindowText))
            p.drawText(head.adjusted(PAD, 0, -PAD, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                       title)
            p.setFont(self.font())
            p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            count = len(self._all[0] if side == XERO else self._all[1])
            p.drawText(head.adjusted(PAD, 0, -PAD, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                       f"{count} field{'s' if count != 1 else ''}")
            for i, row in enumerate(self._rows[side]):
                self._paint_row(p, row, QRectF(x, HEADER_H + i * ROW_H, self._column_width(), ROW_H), i)
        current = self._current()
        if self.hasFocus() and current is not None:
            rect = self.row_rect(current.side, current.field.name)
            if rect is not None:
                p.setPen(QPen(pal.color(QPalette.ColorRole.Highlight), 1.5, Qt.PenStyle.DotLine))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(rect.adjusted(1, 1, -1, -1))
        if self._marked is not None:
            rect = self.row_rect(*self._marked)
            if rect is not None:
                p.setPen(QPen(pal.color(QPalette.ColorRole.Highlight), 2))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(rect.adjusted(1, 1, -1, -1))
        for index, link in enumerate(self._links):
            path = self._link_path(link)
            if path is not None:
                self._paint_link(p, index, link, path)
        if self._drag and self._drag_at is not None:
            start = self._anchor(*self._drag)
            if start is not None:
                pen = QPen(pal.color(QPalette.ColorRole.Highlight), 2, Qt.PenStyle.DashLine)
                p.setPen(pen)
                p.drawLine(start, QPointF(self._drag_at))
        p.end()

    def _paint_row(self, p: QPainter, row: _Row, rect: QRectF, i: int) -> None:
        pal = self.palette()
        p.fillRect(rect, pal.color(QPalette.ColorRole.AlternateBase if i % 2 else QPalette.ColorRole.Base))
        font = QFont(self.font())
        font.setBold(row.linked)
        p.setFont(font)
        text = pal.color(QPalette.ColorRole.Text)
        if row.missing:
            text = QColor(MISSING_RED)
        p.setPen(text)
        f = row.field
        label = f.label + (" *" if f.required else "")
        marks = "renamed or deleted?" if row.missing else " · ".join([type_words(f.type)] + (["custom"] if f.custom else []) +
                           (["read-only"] if f.read_only else []))
        inner = rect.adjusted(PAD, 0, -PAD, 0)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.85))
        p.setFont(small)
        # the label comes first: the marks get what it leaves, and never less than 30% (the tooltip has them all)
        p.setFont(font)
        room = max(inner.width() - p.fontMetrics().horizontalAdvance(label) - PAD, inner.width() * 0.3)
        p.setFont(small)
        marks_shown = p.fontMetrics().elidedText(marks, Qt.TextElideMode.ElideRight, int(room))
        marks_width = p.fontMetrics().horizontalAdvance(marks_shown) + PAD if marks_shown else 0
        p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
        p.drawText(inner, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, marks_shown)
        p.setFont(font)
        p.setPen(text)
        label_rect = inner.adjusted(0, 0, -marks_width, 0)
        p.drawText(label_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                   p.fontMetrics().elidedText(label, Qt.TextElideMode.ElideRight, int(label_rect.width())))

    def _paint_link(self, p: QPainter, index: int, link: FieldLink, path: QPainterPath) -> None:
        pal = self.palette()
        to_zoho = link.flows(self._pair_direction, True)
        to_xero = link.flows(self._pair_direction, False)
        selected = index == self._selected
        color = pal.color(QPalette.ColorRole.Highlight) if selected else pal.color(QPalette.ColorRole.Link)
        if not (to_zoho or to_xero):
            color = pal.color(QPalette.ColorRole.PlaceholderText)
        pen = QPen(color, 3 if selected else 1.6)
        if not (to_zoho or to_xero):
            pen.setStyle(Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(path)
        p.setBrush(color)
        if to_zoho:
            self._arrow(p, path.pointAtPercent(1.0), 1)
        if to_xero:
            self._arrow(p, path.pointAtPercent(0.0), -1)
        kind = link.transform.get("kind", "copy")
        if kind not in ("copy", "trim"):
            # a second link from the same field puts its mark further along, so the two do not sit on each other
            earlier = sum(1 for other in self._links[:index] if other.xero == link.xero)
            mid = path.pointAtPercent(min(0.5 + 0.2 * earlier, 0.85))
            p.setBrush(pal.color(QPalette.ColorRole.Base))
            p.drawEllipse(mid, 9, 9)
            p.setPen(color)
            p.drawText(QRectF(mid.x() - 9, mid.y() - 9, 18, 18), Qt.AlignmentFlag.AlignCenter, "ƒ")

    @staticmethod
    def _arrow(p: QPainter, tip: QPointF, sign: int) -> None:
        path = QPainterPath(tip)
        path.lineTo(tip.x() - 8 * sign, tip.y() - 4)
        path.lineTo(tip.x() - 8 * sign, tip.y() + 4)
        path.closeSubpath()
        p.drawPath(path)

    # ----- keyboard ------------------------------------------------------------------------------------------
    def keyPressEvent(self, event) -> None:  # noqa: ANN001 - Qt's event
        side, i = self._cursor
        key = event.key()
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            i += -1 if key == Qt.Key.Key_Up else 1
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            side = XERO if key == Qt.Key.Key_Left else ZOHO
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._current() is not None:
            self.field_clicked.emit(side, self._current().field.name)
            return
        elif key == Qt.Key.Key_Space and self._current() is not None:
            self._mark(self._current())
            return
        elif key == Qt.Key.Key_Escape:
            self._marked = None
            self.update()
            return
        else:
            super().keyPressEvent(event)
            return
        rows = self._rows[side]
        self._cursor = (side, max(0, min(i, len(rows) - 1)))
        rect = self.row_rect(side, rows[self._cursor[1]].field.name) if rows else None
        if rect is not None:
            self.cursor_moved.emit(rect.toRect())
        self.update()

    def _current(self) -> _Row | None:
        side, i = self._cursor
        rows = self._rows[side]
        return rows[i] if 0 <= i < len(rows) else None

    def _mark(self, row: _Row) -> None:
        if self._marked is None or self._marked[0] == row.side:
            self._marked = (row.side, row.field.name)
        else:
            other = self._marked[1]
            self._marked = None
            xero, zoho = (row.field.name, other) if row.side == XERO else (other, row.field.name)
            self.link_requested.emit(xero, zoho)
        self.update()

    # ----- mouse ---------------------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.position().toPoint()
        row = self._row_at(pos)
        if row is not None:
            self._cursor = (row.side, self._rows[row.side].index(row))
            self._drag = (row.side, row.field.name)
            self._drag_at = pos
            return
        stroke = QPainterPathStroker()
        stroke.setWidth(10)
        for index, link in enumerate(self._links):
            path = self._link_path(link)  # from the rows as they are now, not as last painted
            if path is not None and stroke.createStroke(path).contains(QPointF(pos)):
                self.select_link(index)
                self.link_clicked.emit(index)
                return

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag is not None:
            self._drag_at = event.position().toPoint()
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag is None:
            return
        side, name = self._drag
        self._drag, self._drag_at = None, None
        self.update()
        row = self._row_at(event.position().toPoint())
        if row is None:
            return
        if row.side == side and row.field.name == name:
            self.field_clicked.emit(side, name)
        elif row.side != side:
            xero, zoho = (name, row.field.name) if side == XERO else (row.field.name, name)
            self.link_requested.emit(xero, zoho)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            row = self._row_at(event.pos())
            if row is not None:
                QToolTip.showText(event.globalPos(), _tooltip(row), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)


def _tooltip(row: _Row) -> str:
    f = row.field
    system = "Xero" if row.side == XERO else "Zoho CRM"
    lines = [f"{f.label} — {system} field {f.name}", f"Type: {type_words(f.type)}"]
    if f.required:
        lines.append(f"{system} requires it")
    if f.read_only:
        lines.append("Read-only: nothing can be written into it")
    if row.missing:
        lines = [f"{system} has no field {f.name} any more: it was renamed or deleted there.",
                 "Link the field's new name instead, or remove this link."]
    if f.choices:
        shown = ", ".join(f.choices[:12]) + (" …" if len(f.choices) > 12 else "")
        lines.append(f"Values: {shown}")
    return "\n".join(lines)

