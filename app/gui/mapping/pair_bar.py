"""The Field mapping page's top rows: which pair, which Zoho CRM module the contacts go to, the pair's direction and
who wins when both sides changed. It shows a mapping and says what the user picked; the page changes the draft."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QComboBox, QHBoxLayout, QLabel, QRadioButton, QVBoxLayout, QWidget

from app.core.mapping import BOTH, X2Z, Z2X, PairMapping
from app.services.mapping_editor_model import DIRECTION_LABELS, POLICY_LABELS, ZOHO_MODULES
from app.services.words import pair_label

PAIRS = ("contacts", "items", "invoices", "deals")
INVOICES_BOTH_WAYS_NOTE = ("Invoices created in Zoho CRM arrive in Xero as drafts; paid or voided invoices are never "
                           "changed in Xero.")


class PairBar(QWidget):
    pair_chosen = Signal(str)
    module_chosen = Signal(str)
    direction_chosen = Signal(str)
    policy_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pair_box = QComboBox()
        self.pair_box.setAccessibleName("Pair")
        for pair in PAIRS:
            self.pair_box.addItem(pair_label(pair), pair)
        self.module_box = QComboBox()
        self.module_box.setAccessibleName("Zoho CRM module")
        for module in ZOHO_MODULES["contacts"]:
            self.module_box.addItem(module, module)
        self.module_label = QLabel("Zoho CRM module")
        self.direction_group = QButtonGroup(self)
        self.direction_buttons: dict[str, QRadioButton] = {}
        direction_row = QHBoxLayout()
        direction_row.addWidget(QLabel("Direction"))
        for key in (BOTH, X2Z, Z2X):
            button = QRadioButton(DIRECTION_LABELS[key])
            self.direction_buttons[key] = button
            self.direction_group.addButton(button)
            direction_row.addWidget(button)
        self.policy_box = QComboBox()
        self.policy_box.setAccessibleName("When both changed")
        for key, label in POLICY_LABELS.items():
            self.policy_box.addItem(label, key)
        self.direction_note = QLabel(INVOICES_BOTH_WAYS_NOTE)
        self.direction_note.setWordWrap(True)
        self.direction_note.hide()

        top = QHBoxLayout()
        top.addWidget(QLabel("Pair"))
        top.addWidget(self.pair_box)
        top.addWidget(self.module_label)
        top.addWidget(self.module_box)
        top.addStretch(1)
        second = QHBoxLayout()
        second.addLayout(direction_row)
        second.addSpacing(24)
        second.addWidget(QLabel("When both changed"))
        second.addWidget(self.policy_box)
        second.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(second)
        layout.addWidget(self.direction_note)

        self.pair_box.activated.connect(lambda: self.pair_chosen.emit(self.pair_box.currentData()))
        self.module_box.activated.connect(lambda: self.module_chosen.emit(self.module_box.currentData()))
        self.direction_group.buttonClicked.connect(
            lambda button: self.direction_chosen.emit(
                next(k for k, b in self.direction_buttons.items() if b is button)))
        self.policy_box.activated.connect(lambda: self.policy_chosen.emit(self.policy_box.currentData()))

    def show_pair(self, pair: str) -> None:
        self.pair_box.setCurrentIndex(self.pair_box.findData(pair))

    def show_mapping(self, m: PairMapping) -> None:
        contacts = m.pair == "contacts"
        self.module_box.setVisible(contacts)
        self.module_label.setVisible(contacts)
        if contacts:
            self.module_box.setCurrentIndex(max(0, self.module_box.findData(m.zoho_module)))
        self.direction_buttons.get(m.direction, self.direction_buttons[BOTH]).setChecked(True)
        self.policy_box.setCurrentIndex(max(0, self.policy_box.findData(m.conflict_policy)))
        self.show_direction_note(m)

    def show_direction_note(self, m: PairMapping | None) -> None:
        self.direction_note.setVisible(m is not None and m.pair == "invoices" and m.direction == BOTH)

    def set_editable(self, on: bool) -> None:
        for w in (self.module_box, self.policy_box, *self.direction_buttons.values()):
            w.setEnabled(on)
