"""One link's settings: its own direction and winner, its transform, and the transform's settings. A value map is a
two-column table whose cells offer the real values of each side (the field's allowed values and those in the live
records). Every change goes into the page's draft at once; a change the draft refuses is reported with its reason."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.mapping import BOTH, X2Z, Z2X
from app.services.mapping_editor_coverage import live_values
from app.services.mapping_editor_model import (
    DIRECTION_LABELS,
    POLICY_LABELS,
    TRANSFORM_LABELS,
    LinkRefused,
    PairDraft,
)

NO_DEFAULT = "(none: report the record)"
CASES = {"upper": "CAPITALS", "lower": "lower case", "title": "Title Case"}
PHONE_STYLES = {"spaces": "With spaces: 02 9555 0101", "digits": "Digits only: 0295550101"}
LOOKUP_PAIRS = {"contacts": "customer", "items": "product", "invoices": "invoice"}


class LinkEditor(QWidget):
    changed = Signal()  # the draft was changed
    refused = Signal(str)  # a change the draft would not take, and why
    remove_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft: PairDraft | None = None
        self.index: int | None = None
        self.counts: dict[str, Any] = {}
        self._loading = False
        self._editing = False
        self.title = QLabel("Select a link (click its line) to change how it works.")
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.direction = QComboBox()
        for key in (BOTH, X2Z, Z2X):
            self.direction.addItem(DIRECTION_LABELS[key], key)
        self.winner = QComboBox()
        self.winner.addItem("As the pair says", "")
        for key, label in POLICY_LABELS.items():
            self.winner.addItem(label, key)
        self.transform = QComboBox()
        self.transform.setAccessibleName("Transform")
        for kind in TRANSFORM_LABELS:
            self.transform.addItem(TRANSFORM_LABELS[kind], kind)
        form = QFormLayout()
        form.addRow("Direction", self.direction)
        form.addRow("When both changed", self.winner)
        form.addRow("Transform", self.transform)
        self.params = QStackedWidget()
        self._build_params()
        self.remove = QPushButton("Remove this link")
        self.form_box = QWidget()
        self.form_box.setLayout(form)
        form.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.form_box)
        layout.addWidget(self.params, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.remove)
        layout.addLayout(row)
        self.direction.activated.connect(self._direction_changed)
        self.winner.activated.connect(self._winner_changed)
        self.transform.activated.connect(self._kind_changed)
        self.remove.clicked.connect(lambda: self.index is not None and self.remove_requested.emit(self.index))
        self.set_link(None, None, {})

    # ----- the pages of settings, one per transform ----------------------------------------------------------
    def _build_params(self) -> None:
        self.pages: dict[str, QWidget] = {}
        self.pages["none"] = QLabel("")
        # value map
        vm = QWidget()
        self.map_table = QTableWidget(0, 2)
        self.map_table.setHorizontalHeaderLabels(["Xero value", "Zoho CRM value"])
        self.map_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.map_table.verticalHeader().hide()
        self.map_table.setAccessibleName("Value map")
        self.add_row = QPushButton("Add a row")
        self.remove_row = QPushButton("Remove the row")
        self.default_forward = QComboBox()
        self.default_forward.setAccessibleName("Otherwise, in Zoho CRM")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_row)
        buttons.addWidget(self.remove_row)
        buttons.addStretch(1)
        defaults = QFormLayout()
        defaults.addRow("Any other Xero value", self.default_forward)
        box = QVBoxLayout(vm)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.map_table, 1)
        box.addLayout(buttons)
        box.addLayout(defaults)
        self.pages["value_map"] = vm
        self.add_row.clicked.connect(self._add_map_row)
        self.remove_row.clicked.connect(self._remove_map_row)
        self.default_forward.activated.connect(self._map_changed)
        # case, default, round, join, link
        self.case = QComboBox()
        for key, label in CASES.items():
            self.case.addItem(label, key)
        self.case.activated.connect(lambda: self._set({"case": self.case.currentData()}))
        self.pages["case"] = _form("Write it in", self.case)
        self.default_value = QLineEdit()
        self.default_value.setPlaceholderText("the value to use when the field is empty")
        self.default_value.editingFinished.connect(lambda: self._set({"value": self.default_value.text()}))
        self.pages["default"] = _form("When empty, use", self.default_value)
        self.places = QSpinBox()
        self.places.setRange(0, 4)
        self.places.valueChanged.connect(lambda n: not self._loading and self._set({"places": n}))
        self.pages["round"] = _form("Decimal places", self.places)
        self.join_with = QComboBox()
        self.join_with.activated.connect(self._join_changed)
        self.pages["join"] = _form("Together with", self.join_with)
        self.lookup_pair = QComboBox()
        for pair, label in LOOKUP_PAIRS.items():
            self.lookup_pair.addItem(f"The linked {label}", pair)
        self.lookup_pair.activated.connect(lambda: self._set({"pair": self.lookup_pair.currentData(),
                                                              "label": LOOKUP_PAIRS[self.lookup_pair.currentData()]}))
        self.pages["link"] = _form("Fill it with", self.lookup_pair)
        self.phone_style = QComboBox()
        for key, label in PHONE_STYLES.items():
            self.phone_style.addItem(label, key)
        self.phone_style.activated.connect(lambda: self._set({"style": self.phone_style.currentData()}))
        self.pages["phone"] = _form("Write it", self.phone_style)
        self.pages["date"] = QLabel("Dates travel as a day (YYYY-MM-DD); a time of day is dropped.")
        self.pages["copy"] = QLabel("The value is copied as it is.")
        self.pages["trim"] = QLabel("Spaces at the ends and doubled spaces are removed.")
        self.pages["line_items"] = self._build_tax_map()
        for page in self.pages.values():
            if isinstance(page, QLabel):
                page.setWordWrap(True)
                page.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            self.params.addWidget(page)

    def _build_tax_map(self) -> QWidget:
        page = QWidget()
        intro = QLabel("Each Xero line becomes a Zoho CRM invoice row with its product, quantity, price and tax. "
                       "Which Zoho CRM tax each Xero tax rate becomes (no name: no tax):")
        intro.setWordWrap(True)
        self.tax_table = QTableWidget(0, 3)
        self.tax_table.setHorizontalHeaderLabels(["Xero tax rate", "Zoho CRM tax", "%"])
        self.tax_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.tax_table.verticalHeader().hide()
        self.tax_table.setAccessibleName("Tax map")
        self.add_tax = QPushButton("Add a row")
        self.remove_tax = QPushButton("Remove the row")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_tax)
        buttons.addWidget(self.remove_tax)
        buttons.addStretch(1)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(intro)
        box.addWidget(self.tax_table, 1)
        box.addLayout(buttons)
        self.add_tax.clicked.connect(self._add_tax_row)
        self.remove_tax.clicked.connect(self._remove_tax_row)
        return page

    # ----- showing a link ------------------------------------------------------------------------------------
    def set_link(self, draft: PairDraft | None, index: int | None, counts: dict[str, Any]) -> None:
        same_link = self._editing and draft is self.draft and index == self.index
        self.draft, self.index, self.counts = draft, index, counts
        has = draft is not None and index is not None and 0 <= index < len(draft.links)
        for w in (self.form_box, self.remove):
            w.setVisible(has)
        if not has:
            self.title.setText("Select a link (click its line) to change how it works.")
            self.params.setCurrentWidget(self.pages["none"])
            return
        assert draft is not None and index is not None
        self._loading = True
        try:
            link = draft.links[index]
            xf, zf = draft.schema.xero_field(link.xero), draft.schema.zoho_field(link.zoho)
            title = f"{xf.label if xf else link.xero}  ⇄  {zf.label if zf else link.zoho}"
            if link.optional:
                title += f"\nOptional: left out of syncs while Zoho CRM has no field named {link.zoho}."
            self.title.setText(title)
            self.direction.setCurrentIndex(self.direction.findData(link.direction))
            self.winner.setCurrentIndex(max(0, self.winner.findData(link.winner)))
            kind = link.transform.get("kind", "copy")
            self.transform.setCurrentIndex(self.transform.findData(kind))
            self.transform.setEnabled(kind != "line_items")
            if not same_link:  # the value-map table being typed in is not rebuilt under the user's fingers
                self._show_params(kind, link.transform)
        finally:
            self._loading = False

    def _show_params(self, kind: str, t: dict[str, Any]) -> None:
        self.params.setCurrentWidget(self.pages.get(kind, self.pages["none"]))
        if kind == "value_map":
            self._fill_map(t)
        elif kind == "case":
            self.case.setCurrentIndex(max(0, self.case.findData(t.get("case", "upper"))))
        elif kind == "phone":
            self.phone_style.setCurrentIndex(max(0, self.phone_style.findData(t.get("style", "spaces"))))
        elif kind == "default":
            self.default_value.setText(str(t.get("value") or ""))
        elif kind == "round":
            self.places.setValue(int(t.get("places", 2)))
        elif kind == "join":
            assert self.draft is not None
            self.join_with.clear()
            for f in self.draft.schema.xero:
                if f.type == "text":
                    self.join_with.addItem(f.label, f.name)
            parts = self.link_field("xero").split("+")
            if len(parts) > 1:
                self.join_with.setCurrentIndex(max(0, self.join_with.findData(parts[1])))
        elif kind == "link":
            self.lookup_pair.setCurrentIndex(max(0, self.lookup_pair.findData(t.get("pair", "contacts"))))
        elif kind == "line_items":
            self.tax_table.setRowCount(0)
            for rate, tax in (t.get("tax_map") or {}).items():
                self._append_tax_row(str(rate), str(tax["name"]) if tax else "",
                                     _text(tax["percentage"]) if tax else "")

    def link_field(self, side: str) -> str:
        assert self.draft is not None and self.index is not None
        link = self.draft.links[self.index]
        return link.xero if side == "xero" else link.zoho

    # ----- value map -----------------------------------------------------------------------------------------
    def choices(self, side: str) -> list[str]:
        """The real values of one side of the selected link: the field's allowed ones, then those in use."""
        assert self.draft is not None
        name = self.link_field(side)
        f = self.draft.schema.xero_field(name) if side == "xero" else self.draft.schema.zoho_field(name)
        values = list(f.choices) if f else []
        if f is not None and f.type == "bool":
            values += ["true", "false"]
        values += [v for v in live_values(self.counts, side, name) if v not in values]
        return values

    def _fill_map(self, t: dict[str, Any]) -> None:
        self.map_table.setRowCount(0)
        for xv, zv in (t.get("map") or {}).items():
            self._append_row(str(xv), _text(zv))
        self.default_forward.clear()
        self.default_forward.addItem(NO_DEFAULT, None)
        for v in self.choices("zoho"):
            self.default_forward.addItem(v, v)
        if "default_forward" in t:
            found = self.default_forward.findData(_text(t["default_forward"]))
            if found < 0:
                self.default_forward.addItem(_text(t["default_forward"]), _text(t["default_forward"]))
                found = self.default_forward.count() - 1
            self.default_forward.setCurrentIndex(found)

    def _append_row(self, xv: str, zv: str) -> None:
        row = self.map_table.rowCount()
        self.map_table.insertRow(row)
        for col, side, value in ((0, "xero", xv), (1, "zoho", zv)):
            combo = QComboBox()
            combo.setEditable(True)
            combo.addItems(self.choices(side))
            combo.setCurrentText(value)
            combo.setAccessibleName(f"{'Xero' if side == 'xero' else 'Zoho CRM'} value, row {row + 1}")
            combo.currentTextChanged.connect(self._map_changed)
            self.map_table.setCellWidget(row, col, combo)

    def map_cell(self, row: int, col: int) -> QComboBox:
        widget = self.map_table.cellWidget(row, col)
        assert isinstance(widget, QComboBox)
        return widget

    def _add_map_row(self) -> None:
        mapped = {self.map_cell(r, 0).currentText() for r in range(self.map_table.rowCount())}
        first = next((v for v in self.choices("xero") if v not in mapped), "")
        self._append_row(first, "")
        self._map_changed()

    def _remove_map_row(self) -> None:
        row = self.map_table.currentRow()
        if row < 0:
            row = self.map_table.rowCount() - 1
        if row >= 0:
            self.map_table.removeRow(row)
            self._map_changed()

    def _map_changed(self) -> None:
        if self._loading or self.draft is None or self.index is None:
            return
        zf = self.draft.schema.zoho_field(self.link_field("zoho"))
        as_bool = zf is not None and zf.type == "bool"
        rows = [(self.map_cell(r, 0).currentText(), _value(self.map_cell(r, 1).currentText(), as_bool))
                for r in range(self.map_table.rowCount())]
        self.draft.set_value_map(self.index, rows)
        link = self.draft.links[self.index]
        default = self.default_forward.currentData()
        if default is None:
            link.transform.pop("default_forward", None)
        else:
            link.transform["default_forward"] = _value(str(default), as_bool)
        self._editing = True
        try:
            self.changed.emit()
        finally:
            self._editing = False

    # ----- tax map of invoice lines ---------------------------------------------------------------------------
    def _tax_rates(self) -> list[str]:
        assert self.draft is not None and self.index is not None
        known = list(self.draft.links[self.index].transform.get("tax_map") or {})
        return known + [v for v in live_values(self.counts, "lines", "TaxType") if v not in known]

    def _append_tax_row(self, rate: str, name: str, percentage: str) -> None:
        row = self.tax_table.rowCount()
        self.tax_table.insertRow(row)
        rates = QComboBox()
        rates.setEditable(True)
        rates.addItems(self._tax_rates())
        rates.setCurrentText(rate)
        names = QComboBox()
        names.setEditable(True)
        names.addItems(sorted({str(v["name"]) for v in (self.draft.links[self.index].transform.get("tax_map") or {})
                               .values() if v} | {""}))
        names.setCurrentText(name)
        share = QLineEdit(percentage)
        for col, widget in enumerate((rates, names, share)):
            self.tax_table.setCellWidget(row, col, widget)
        rates.currentTextChanged.connect(self._tax_changed)
        names.currentTextChanged.connect(self._tax_changed)
        share.editingFinished.connect(self._tax_changed)

    def _add_tax_row(self) -> None:
        mapped = {self.tax_table.cellWidget(r, 0).currentText() for r in range(self.tax_table.rowCount())}
        self._append_tax_row(next((v for v in self._tax_rates() if v not in mapped), ""), "", "")
        self._tax_changed()

    def _remove_tax_row(self) -> None:
        row = self.tax_table.currentRow() if self.tax_table.currentRow() >= 0 else self.tax_table.rowCount() - 1
        if row >= 0:
            self.tax_table.removeRow(row)
            self._tax_changed()

    def _tax_changed(self) -> None:
        if self._loading or self.draft is None or self.index is None:
            return
        taxes: dict[str, Any] = {}
        for r in range(self.tax_table.rowCount()):
            rate = self.tax_table.cellWidget(r, 0).currentText().strip()
            name = self.tax_table.cellWidget(r, 1).currentText().strip()
            share = self.tax_table.cellWidget(r, 2).text().strip().rstrip("%")
            if not rate:
                continue
            try:
                taxes[rate] = {"name": name, "percentage": float(share or 0)} if name else None
            except ValueError:
                self.refused.emit(f"{share} is not a percentage")
                return
        link = self.draft.links[self.index]
        link.transform = {**link.transform, "tax_map": taxes}
        self._editing = True
        try:
            self.changed.emit()
        finally:
            self._editing = False

    # ----- the rest ------------------------------------------------------------------------------------------
    def _direction_changed(self) -> None:
        self._apply(lambda d, i: d.set_link_direction(i, self.direction.currentData()))

    def _winner_changed(self) -> None:
        self._apply(lambda d, i: d.set_link_winner(i, self.winner.currentData()))

    def _kind_changed(self) -> None:
        kind = self.transform.currentData()
        base: dict[str, Any] = {"kind": kind}
        if kind == "value_map":
            base["map"] = {}
        elif kind == "round":
            base["places"] = 2
        elif kind == "case":
            base["case"] = "upper"
        elif kind == "phone":
            base["style"] = "spaces"
        elif kind == "link":
            base.update(pair="contacts", label="customer")
        self._apply(lambda d, i: d.set_transform(i, base))

    def _join_changed(self) -> None:
        self._apply(lambda d, i: d.join_with(i, self.join_with.currentData()))

    def _set(self, params: dict[str, Any]) -> None:
        if self._loading or self.draft is None or self.index is None:
            return
        t = dict(self.draft.links[self.index].transform)
        t.update(params)
        self._apply(lambda d, i: d.set_transform(i, t))

    def _apply(self, change) -> None:  # noqa: ANN001 - a callable taking the draft and the link's index
        if self._loading or self.draft is None or self.index is None:
            return
        try:
            change(self.draft, self.index)
        except LinkRefused as exc:
            self.refused.emit(str(exc))
        self.set_link(self.draft, self.index, self.counts)
        self.changed.emit()


def _form(label: str, widget: QWidget) -> QWidget:
    page = QWidget()
    form = QFormLayout(page)
    form.setContentsMargins(0, 0, 0, 0)
    form.addRow(label, widget)
    return page


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _value(text: str, as_bool: bool) -> Any:
    if as_bool and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text
