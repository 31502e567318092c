"""Settings: every setting of ``services.settings_schema`` as a form in sections, checked as you type.

The page only reads on the GUI thread. Save hands the changes to the controller's worker, which writes them after
any sync that is running (that sync finishes with the settings it started with; the next one uses the new ones),
so a busy run never loses a change. A new schedule goes to the controller at once.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.gui.widgets.banner import mix
from app.gui.widgets.day_chart import failed_colour
from app.services.settings_schema import (
    PAIRS_SECTION,
    SECTION_NOTES,
    SECTIONS,
    Setting,
    apply_changes,
    load_values,
    problems,
    schedule_cost,
    schema,
)
from app.services.views import Views

SAVE_TASK = "save-settings"


def _small(text: str = "", muted: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 0.92)
    label.setFont(font)
    if muted:  # softer than the labels, still easy to read (the disabled colour is too faint for help text)
        palette = label.palette()
        role = label.foregroundRole()
        palette.setColor(role, mix(palette.color(role), palette.color(QPalette.ColorRole.Window), 0.3))
        label.setPalette(palette)
    return label


class SettingEditor(QWidget):
    """One setting: its editor, its help and, when the value cannot be saved, the reason."""

    changed = Signal()

    def __init__(self, setting: Setting, show_help: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setting = setting
        self.editor = self._make_editor(setting)
        self.editor.setAccessibleName(setting.label)
        self.editor.setAccessibleDescription(setting.help)
        self.editor.setToolTip(setting.help)
        self.help = _small(setting.help)
        self.help.setVisible(show_help)
        self.note = _small(muted=False)  # e.g. what a schedule costs
        self.note.hide()
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        palette = self.reason.palette()
        palette.setColor(self.reason.foregroundRole(), failed_colour(palette))
        self.reason.setPalette(palette)
        self.reason.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.editor, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.help)
        layout.addWidget(self.note)
        layout.addWidget(self.reason)

    def _make_editor(self, s: Setting) -> QWidget:
        if s.kind == "bool":
            box = QCheckBox(s.label)
            if s.pair and s.key.endswith(".enabled"):  # the pair's on/off heads its group of settings
                font = QFont(box.font())
                font.setBold(True)
                box.setFont(font)
            box.toggled.connect(self.changed)
            return box
        if s.kind in ("int", "percent"):
            spin = QSpinBox()
            spin.setRange(s.minimum or 0, s.maximum or 100)
            spin.setGroupSeparatorShown(True)
            if s.kind == "percent":
                spin.setSuffix(" %")
            elif s.unit:
                spin.setSuffix(f" {s.unit}")
            if s.special:
                spin.setSpecialValueText(s.special)
            spin.setMinimumWidth(140)
            spin.valueChanged.connect(self.changed)
            return spin
        if s.kind == "choice":
            combo = QComboBox()
            for value, words in s.choices:
                combo.addItem(words, value)
            combo.currentIndexChanged.connect(self.changed)
            return combo
        line = QLineEdit()
        line.setMinimumWidth(240)
        line.textChanged.connect(self.changed)
        return line

    @property
    def value(self) -> Any:
        e, kind = self.editor, self.setting.kind
        if isinstance(e, QCheckBox):
            return e.isChecked()
        if isinstance(e, QSpinBox):
            return round(e.value() / 100, 4) if kind == "percent" else e.value()
        if isinstance(e, QComboBox):
            return e.currentData()
        assert isinstance(e, QLineEdit)
        return e.text().strip()

    def set_value(self, value: Any) -> None:
        e = self.editor
        if isinstance(e, QCheckBox):
            e.setChecked(bool(value))
        elif isinstance(e, QSpinBox):
            e.setValue(round(float(value) * 100) if self.setting.kind == "percent" else int(value))
        elif isinstance(e, QComboBox):
            e.setCurrentIndex(max(0, e.findData(value)))
        else:
            assert isinstance(e, QLineEdit)
            e.setText(str(value))

    def show_reason(self, reason: str) -> None:
        self.reason.setText(reason)
        self.reason.setVisible(bool(reason))


class SettingsPage(QWidget):
    open_page = Signal(str)

    def __init__(self, views: Views, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._profile = views.profile
        self._controller = controller
        self._schema = schema()
        self._saved: dict[str, Any] = load_values(self._profile, self._schema)
        self._saving: dict[str, Any] | None = None
        self.editors: dict[str, SettingEditor] = {}

        heading = QLabel("Settings")
        heading.setFont(QFont(heading.font().family(), round(heading.font().pointSizeF() * 1.5), QFont.Weight.Bold))
        intro = _small("Changes apply from the next sync. A sync that is running finishes with the settings it "
                       "started with.")
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(24, 16, 24, 16)
        column.addWidget(heading)
        column.addWidget(intro)
        for section in SECTIONS:
            column.addWidget(self._section(section))
        self.cost = self.editors["sync.interval_minutes"].note  # what the schedule costs, under it
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip("Put back the saved settings")
        self.revert_button.clicked.connect(self.revert)
        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        bar = QHBoxLayout()
        bar.setContentsMargins(24, 6, 24, 10)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.revert_button)
        bar.addWidget(self.save_button)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll, 1)
        outer.addLayout(bar)

        controller.task_finished.connect(self._on_task_finished)
        self._show(self._saved)

    def _section(self, title: str) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        if title in SECTION_NOTES:
            form.addRow(_small(SECTION_NOTES[title]))
        for setting in self._schema.in_section(title):
            per_pair = title == PAIRS_SECTION and bool(setting.pair)
            editor = SettingEditor(setting, show_help=not per_pair)
            editor.changed.connect(self._check)
            self.editors[setting.key] = editor
            if setting.kind == "bool" and not (per_pair and not setting.key.endswith(".enabled")):
                form.addRow(editor)  # a pair's other on/offs sit under it, labelled like its choices
            else:
                form.addRow(f"    {setting.short_label}" if per_pair else setting.label, editor)
        return box

    # ----- values ------------------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        return {key: editor.value for key, editor in self.editors.items()}

    def changes(self) -> dict[str, Any]:
        return {key: value for key, value in self.values().items() if value != self._saved.get(key)}

    def _show(self, values: dict[str, Any]) -> None:
        for key, editor in self.editors.items():
            editor.blockSignals(True)
            editor.editor.blockSignals(True)
            editor.set_value(values[key])
            editor.editor.blockSignals(False)
            editor.blockSignals(False)
        self._check()

    @Slot()
    def _check(self) -> None:
        """Validate as the user types: reasons beside the fields, the schedule's cost, Save only when it can."""
        values = self.values()
        refused = problems(values, self._schema)
        for key, editor in self.editors.items():
            editor.show_reason(refused.get(key, ""))
        self.cost.setText(schedule_cost(values["sync.interval_minutes"], values["xero.plan"]).words)
        self.cost.setVisible("sync.interval_minutes" not in refused)
        for key, editor in self.editors.items():  # a pair turned off: its other settings wait
            pair = editor.setting.pair
            if pair and not key.endswith(".enabled") and f"pairs.{pair}.enabled" in self.editors:
                editor.setEnabled(bool(values[f"pairs.{pair}.enabled"]))
        pending = bool(self.changes())
        self.save_button.setEnabled(pending and not refused and self._saving is None)
        self.revert_button.setEnabled(pending and self._saving is None)
        if self._saving is None:
            if refused:
                self.status.setText(f"Fix the {'setting' if len(refused) == 1 else 'settings'} marked in red to "
                                    "save.")
            elif pending:
                self.status.setText("You have unsaved changes.")
            elif self.status.text() == "You have unsaved changes." or self.status.text().startswith("Fix the"):
                self.status.setText("")

    # ----- saving ------------------------------------------------------------------------------------------
    @Slot()
    def save(self) -> None:
        changes = self.changes()
        if not changes or problems(self.values(), self._schema) or self._saving is not None:
            return
        self._saving = changes
        self.status.setText("Saving… (after the sync that is running)" if self._controller.busy else "Saving…")
        self.save_button.setEnabled(False)
        self.revert_button.setEnabled(False)
        profile_changes = dict(changes)
        self._controller.submit(SAVE_TASK, lambda service: apply_changes(service.ctx, profile_changes))
        if "sync.interval_minutes" in changes:
            self._controller.set_interval(int(changes["sync.interval_minutes"]))

    @Slot(str, object)
    def _on_task_finished(self, name: str, result: Any) -> None:
        if name != SAVE_TASK or self._saving is None:
            return
        self._saving = None
        if isinstance(result, dict) and result.get("error"):
            error = result["error"]
            self.status.setText(f"{error.get('title') or 'Not saved'}: {error.get('message', '')}")
        else:
            self._saved = load_values(self._profile, self._schema)
            self.status.setText("Saved. Changes apply from the next sync.")
        self._check()

    @Slot()
    def revert(self) -> None:
        self.status.setText("")
        self._show(self._saved)

    @Slot()
    def refresh(self) -> None:
        """Read the saved settings again (another window or the command line may have changed them), keeping any
        edits not yet saved."""
        if self._saving is not None:
            return
        edits = self.changes()
        self._saved = load_values(self._profile, self._schema)
        self._show({**self._saved, **edits})
