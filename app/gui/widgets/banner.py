"""The one banner a page shows when the user must act: an icon, a sentence and a button to the place to act.

Its tint is mixed from the palette (so it suits light and dark mode): amber for "look at this", red only when
records failed.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStyle, QWidget

from app.gui.widgets.day_chart import failed_colour


def mix(a: QColor, b: QColor, share_of_b: float) -> QColor:
    keep = 1.0 - share_of_b
    return QColor(round(a.red() * keep + b.red() * share_of_b), round(a.green() * keep + b.green() * share_of_b),
                  round(a.blue() * keep + b.blue() * share_of_b))


def attention_colour(palette: QPalette) -> QColor:
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    return QColor("#e0b040") if dark else QColor("#c98a00")


class Banner(QWidget):
    action = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attentionBanner")
        self.tone = "attention"
        self.icon = QLabel(self)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton(self)
        self.button.clicked.connect(self.action)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.setSpacing(10)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.setAccessibleName("Needs your attention")
        self.hide()

    def show_message(self, text: str, button_text: str, tone: str = "attention") -> None:
        self.tone = tone
        self.text.setText(text)
        self.button.setText(button_text)
        self.button.setAccessibleName(button_text)
        self.setAccessibleDescription(text)
        icon = QStyle.StandardPixmap.SP_MessageBoxCritical if tone == "failed" else \
            QStyle.StandardPixmap.SP_MessageBoxWarning
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self.icon.setPixmap(self.style().standardIcon(icon).pixmap(size, size))
        self.update()
        self.show()

    def clear(self) -> None:
        self.text.clear()
        self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        """Drawn from the current palette each time, so a switch to dark mode needs nothing more."""
        palette = self.palette()
        accent = failed_colour(palette) if self.tone == "failed" else attention_colour(palette)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(accent, 1))
        painter.setBrush(mix(palette.color(QPalette.ColorRole.Base), accent, 0.14))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        painter.end()
