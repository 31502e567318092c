"""Conflicts & matches: records edited on both sides, and records that look like the same one.

A conflict shows its fields side by side (Xero | last synced | Zoho), the values changed since the last sync
highlighted; the user keeps Xero's or Zoho's value per field, or one side for all. A likely match shows why we think
so (same email, similar name, same ABN, same phone) and what each side holds, with Link, Keep separate and Create
new. Linking one candidate sets aside the others that share its records: the card says so beforehand, and the page
lists them afterwards with a button to send each on its own. Decisions run on the worker (``controller.submit``);
the page reads again when the controller says the task finished.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QBrush, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.gui.errors import ErrorPanel
from app.gui.widgets.banner import attention_colour, mix
from app.gui.widgets.labels import clear_layout, heading, muted
from app.services import push, review
from app.services.history_words import Names
from app.services.review_words import ConflictField, MatchCard, conflict_fields, match_cards
from app.services.views import ConflictItem, MatchItem, Views
from app.services.words import local_time, pair_label, plural

TASKS = ("conflicts.resolve", "matches.link", "matches.separate", "matches.new", "matches.send")
COLUMNS = ("Field", "Xero", "Last synced", "Zoho CRM", "Keep")
SIDES = {"xero": "Xero", "zoho": "Zoho CRM"}


class ConflictsPage(QWidget):
    """Signals:
        open_page(str)   a page the user asked for (the window navigates)
    """

    open_page = Signal(str)

    def __init__(self, views: Views, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.views = views
        self.controller = controller
        self.conflicts: list[ConflictItem] = []
        self.fields: list[ConflictField] = []
        self.choices: dict[str, QButtonGroup] = {}
        self.cards: list[MatchCardWidget] = []
        self.set_aside: list[MatchItem] = []  # candidates a link made moot, shown until dealt with
        self._busy = ""
        self._pending_moot: list[MatchItem] = []
        self._sending: int | None = None
        self._names: Names | None = None

        title = QLabel("Conflicts & matches")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note.hide()
        self.problem = ErrorPanel(self)
        self.problem.hide()

        # ----- conflicts: a list of records, the chosen one's fields side by side
        self.conflicts_title = heading("Edited in both Xero and Zoho CRM")
        self.conflict_list = QListWidget()
        self.conflict_list.setAccessibleName("Records with conflicts")
        self.conflict_list.currentRowChanged.connect(self._show_conflict)
        self.conflict_list.setMaximumHeight(220)
        self.record_title = QLabel()
        self.record_title.setFont(heading(" ").font())
        self.record_hint = muted()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Fields changed on both sides")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column in (1, 2, 3) else
                                        QHeaderView.ResizeMode.ResizeToContents)
        self.keep_xero = QPushButton("Keep Xero for all")
        self.keep_zoho = QPushButton("Keep Zoho for all")
        self.apply = QPushButton("Save my choices")
        self.apply.setToolTip("Write the value you kept for each field to the other side")
        self.keep_xero.clicked.connect(lambda: self.keep_all("xero"))
        self.keep_zoho.clicked.connect(lambda: self.keep_all("zoho"))
        self.apply.clicked.connect(self.apply_choices)
        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_xero)
        buttons.addWidget(self.keep_zoho)
        buttons.addStretch(1)
        buttons.addWidget(self.apply)
        detail = QVBoxLayout()
        detail.addWidget(self.record_title)
        detail.addWidget(self.record_hint)
        detail.addWidget(self.table)
        detail.addLayout(buttons)
        detail.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.conflict_list, 1)
        row.addLayout(detail, 3)
        self.conflicts_box = QWidget()
        box = QVBoxLayout(self.conflicts_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.conflicts_title)
        box.addLayout(row, 1)

        # ----- likely matches: one card per candidate pair
        self.matches_title = heading("Possible matches")
        self.matches_hint = muted("Nothing is written for these records until you decide.")
        self.cards_layout = QVBoxLayout()
        self.cards_layout.setContentsMargins(0, 0, 0, 0)
        self.aside_box = QFrame()
        self.aside_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.aside_layout = QGridLayout(self.aside_box)
        self.aside_box.hide()
        self.matches_box = QWidget()
        mbox = QVBoxLayout(self.matches_box)
        mbox.setContentsMargins(0, 0, 0, 0)
        mbox.addWidget(self.matches_title)
        mbox.addWidget(self.matches_hint)
        mbox.addLayout(self.cards_layout)

        # ----- nothing to do
        self.empty = QLabel("Nothing to settle. When a record is edited on both sides, or two records look like the "
                            "same one, it appears here for you to decide.")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.conflicts_box)
        body.addWidget(self.aside_box)
        body.addWidget(self.matches_box)
        body.addWidget(self.empty)
        body.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.summary)
        layout.addWidget(self.problem)
        layout.addWidget(self.note)
        layout.addWidget(scroll, 1)

        controller.task_finished.connect(self._task_finished)
        self.refresh()

    # ----- reading ----------------------------------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        """Read again (the window calls this when the page is shown and after every run)."""
        names = Names(self.views.profile)
        current = self.current_conflict()
        self.conflicts = self.views.conflicts()
        self.conflict_list.blockSignals(True)
        self.conflict_list.clear()
        for c in self.conflicts:
            item = QListWidgetItem(f"{c.record_name}\n{pair_label(c.pair)} · {plural(len(c.fields), 'field')}")
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{c.record_name}, {plural(len(c.fields), 'field')}")
            self.conflict_list.addItem(item)
        self.conflict_list.blockSignals(False)
        keep = next((i for i, c in enumerate(self.conflicts) if current and c.id == current.id), 0)
        self._names = names
        self.conflict_list.setCurrentRow(keep if self.conflicts else -1)
        self._show_conflict(keep if self.conflicts else -1)
        self.conflicts_box.setVisible(bool(self.conflicts))
        self.conflicts_title.setText(f"Edited in both Xero and Zoho CRM ({len(self.conflicts):,})")

        matches = self.views.matches()
        self._build_cards(match_cards(self.views.profile, matches))
        self.matches_box.setVisible(bool(matches))
        self.matches_title.setText(f"Possible matches ({len(matches):,})")
        self._build_aside()

        parts = []
        if self.conflicts:
            parts.append(f"{plural(len(self.conflicts), 'record')} edited on both sides: choose what to keep.")
        if matches:
            parts.append(f"{plural(len(matches), 'possible match', 'possible matches')} to confirm.")
        self.summary.setText(" ".join(parts))
        self.summary.setVisible(bool(parts))
        self.empty.setVisible(not parts and not self.set_aside)
        self._enable()

    def current_conflict(self) -> ConflictItem | None:
        row = self.conflict_list.currentRow()
        return self.conflicts[row] if 0 <= row < len(self.conflicts) else None

    def _show_conflict(self, row: int) -> None:
        self.table.setRowCount(0)
        self.choices = {}
        conflict = self.conflicts[row] if 0 <= row < len(self.conflicts) else None
        if conflict is None:
            self.record_title.clear()
            self.record_hint.clear()
            self._enable()
            return
        self.record_title.setText(conflict.record_name)
        self.record_hint.setText(
            f"{pair_label(conflict.pair)}. Changed in both systems since the last sync "
            f"(seen {local_time(conflict.created_at, self.views.now())}). Highlighted values are the changes; "
            "choose which to keep for each field.")
        self.fields = conflict_fields(self.views.profile, conflict, self._names)
        highlight = QBrush(mix(self.palette().color(QPalette.ColorRole.Base), attention_colour(self.palette()),
                               0.22))
        saved = conflict.resolution or {}
        self.table.setRowCount(len(self.fields))
        for r, f in enumerate(self.fields):
            cells = (f.label, f.xero, f.base, f.zoho)
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                changed = (column == 1 and f.xero_changed) or (column == 3 and f.zoho_changed)
                if changed:
                    cell.setBackground(highlight)
                    cell.setData(Qt.ItemDataRole.AccessibleDescriptionRole, "changed since the last sync")
                if column == 0:
                    bold = QFont(cell.font())
                    bold.setBold(True)
                    cell.setFont(bold)
                self.table.setItem(r, column, cell)
            self.table.setCellWidget(r, 4, self._keep_widget(f, saved.get(f.field)))
        self.table.resizeRowsToContents()
        self._fit_table()
        self._enable()

    def _fit_table(self) -> None:
        """As tall as its rows (a conflict has a few fields): no empty grid below them."""
        rows = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        height = self.table.horizontalHeader().height() + rows + 2 * self.table.frameWidth() + 2
        self.table.setFixedHeight(max(height, 4 * self.table.verticalHeader().defaultSectionSize()))

    def _keep_widget(self, f: ConflictField, saved: str | None) -> QWidget:
        widget = QWidget()
        layout = QHBoxLayout(widget)
        layout.setContentsMargins(6, 0, 6, 0)
        group = QButtonGroup(widget)
        for side in ("xero", "zoho"):
            button = QRadioButton(SIDES[side].split()[0])
            button.setObjectName(side)
            button.setAccessibleName(f"Keep {SIDES[side]}'s {f.label}")
            button.setChecked(saved == side)
            group.addButton(button)
            layout.addWidget(button)
        group.buttonToggled.connect(lambda *_: self._enable())
        self.choices[f.field] = group
        return widget

    def choose(self, field: str, side: str) -> None:
        """Pick the side to keep for one field (as clicking its radio button does)."""
        for button in self.choices[field].buttons():
            if button.objectName() == side:
                button.setChecked(True)

    def chosen(self) -> dict[str, str]:
        out = {}
        for field, group in self.choices.items():
            checked = group.checkedButton()
            if checked is not None:
                out[field] = checked.objectName()
        return out

    def _enable(self) -> None:
        idle = not self._busy
        has = self.current_conflict() is not None
        self.keep_xero.setEnabled(idle and has)
        self.keep_zoho.setEnabled(idle and has)
        complete = has and len(self.chosen()) == len(self.choices) and bool(self.choices)
        self.apply.setEnabled(idle and complete)
        for card in self.cards:
            card.set_enabled(idle)

    # ----- matches --------------------------------------------------------------------------------------------
    def _build_cards(self, cards: list[MatchCard]) -> None:
        clear_layout(self.cards_layout)
        self.cards = []
        for card in cards:
            widget = MatchCardWidget(card)
            widget.link.clicked.connect(lambda _=False, c=card: self.link(c))
            widget.separate.clicked.connect(lambda _=False, c=card: self.keep_separate(c))
            widget.create.clicked.connect(lambda _=False, c=card: self.create_new(c))
            self.cards_layout.addWidget(widget)
            self.cards.append(widget)

    def _build_aside(self) -> None:
        clear_layout(self.aside_layout)
        still = {m.id for m in self.views.matches("rejected")}
        self.set_aside = [m for m in self.set_aside if m.id in still and not self._linked(m)]
        if not self.set_aside:
            self.aside_box.hide()
            return
        self.aside_layout.addWidget(heading("Set aside by a link you confirmed"), 0, 0, 1, 3)
        for row, m in enumerate(self.set_aside, start=1):
            side, name, rid = self._unlinked_side(m)
            target = "zoho" if side == "xero" else "xero"
            self.aside_layout.addWidget(QLabel(f"'{name}' in {SIDES[side]} is not linked to anything."), row, 0)
            send = QPushButton(push.send_label(target))
            send.setToolTip(f"Create it in {SIDES[target]} now, as a record of its own")
            send.clicked.connect(lambda _=False, m=m, t=target, rid=rid: self.send_aside(m, t, rid))
            leave = QPushButton("Leave it")
            leave.clicked.connect(lambda _=False, m=m: self._drop_aside(m))
            self.aside_layout.addWidget(send, row, 1)
            self.aside_layout.addWidget(leave, row, 2)
        self.aside_layout.setColumnStretch(0, 1)
        self.aside_box.show()

    def _unlinked_side(self, m: MatchItem) -> tuple[str, str, str]:
        """The record of a set-aside candidate that the confirmed link did not take."""
        from app.store.models import Link

        taken = Link.select().where(Link.profile == self.views.profile, Link.pair == m.pair,
                                    Link.xero_id == m.xero_id, Link.zoho_id.is_null(False)).exists()
        return ("zoho", m.zoho_name, m.zoho_id) if taken else ("xero", m.xero_name, m.xero_id)

    def _linked(self, m: MatchItem) -> bool:
        from app.store.models import Link

        side, _, rid = self._unlinked_side(m)
        column = Link.zoho_id if side == "zoho" else Link.xero_id
        return Link.select().where(Link.profile == self.views.profile, Link.pair == m.pair, column == rid,
                                   Link.xero_id.is_null(False), Link.zoho_id.is_null(False)).exists()

    def _drop_aside(self, m: MatchItem) -> None:
        self.set_aside = [s for s in self.set_aside if s.id != m.id]
        self.refresh()

    # ----- deciding (on the worker) ---------------------------------------------------------------------------
    @Slot()
    def keep_all(self, side: str) -> None:
        conflict = self.current_conflict()
        if conflict is not None:
            self._submit("conflicts.resolve", f"Keeping {SIDES[side]}'s values for {conflict.record_name}…",
                         lambda service, cid=conflict.id: review.resolve_conflict(service, cid, [side]))

    @Slot()
    def apply_choices(self) -> None:
        conflict = self.current_conflict()
        choices = self.chosen()
        if conflict is None or len(choices) != len(self.choices):
            return
        spec = [f"{field}={side}" for field, side in choices.items()]
        self._submit("conflicts.resolve", f"Saving your choices for {conflict.record_name}…",
                     lambda service, cid=conflict.id: review.resolve_conflict(service, cid, spec))

    def link(self, card: MatchCard) -> None:
        self._pending_moot = list(card.others)
        item = card.item
        self._submit("matches.link", f"Linking {item.xero_name} and {item.zoho_name}…",
                     lambda service: review.confirm_matches(service, [item.id]))

    def keep_separate(self, card: MatchCard) -> None:
        item = card.item
        self._submit("matches.separate", f"Keeping {item.xero_name} and {item.zoho_name} separate…",
                     lambda service: review.reject_matches(service, [item.id]))

    def create_new(self, card: MatchCard) -> None:
        """None of the suggestions for this Xero record: set them all aside, so it gets a record of its own."""
        ids = [card.item.id] + [o.id for o in card.others if o.xero_id == card.item.xero_id]
        self._submit("matches.new", f"Creating a new record for {card.item.xero_name}…",
                     lambda service: review.reject_matches(service, ids))

    def send_aside(self, m: MatchItem, target: str, record_id: str) -> None:
        self._sending = m.id
        self._submit("matches.send", f"Sending '{m.zoho_name if target == 'xero' else m.xero_name}' to "
                     f"{SIDES[target]}…", lambda service: push.push_record(service, m.pair, target, record_id))

    def _submit(self, name: str, doing: str, fn: Any) -> None:
        self._busy = name
        self.problem.hide()
        self.note.setText(doing)
        self.note.show()
        self._enable()
        self.controller.submit(name, fn)

    @Slot(str, object)
    def _task_finished(self, name: str, result: Any) -> None:
        if name not in TASKS or not self._busy:
            if not self._busy and self.isVisible():  # another page's task may have settled something here
                self.refresh()
            return
        self._busy = ""
        moot, self._pending_moot = self._pending_moot, []
        if isinstance(result, dict) and "error" in result:
            self.note.hide()
            self.refresh()
            self.problem.show_dict(result["error"])
            return
        if name == "matches.link":
            self.set_aside += [m for m in moot if m.id not in {s.id for s in self.set_aside}]
        elif name == "matches.send" and isinstance(result, dict) and result.get("ok"):
            self.set_aside = [s for s in self.set_aside if s.id != self._sending]
        self.refresh()
        self.note.setText(_done_words(name, result, moot))
        self.note.show()



def _done_words(name: str, result: Any, moot: list[MatchItem]) -> str:
    reports = result if isinstance(result, list) else [result] if isinstance(result, dict) else []
    failed = [r for r in reports if isinstance(r, dict) and r.get("outcome") not in (None, "ok")]
    if name == "conflicts.resolve":
        if failed:
            return ("Your choice is saved, but it could not be written yet: " + (failed[0].get("message") or "") +
                    " It is applied at the next sync.")
        return "Done: the values you kept are now on both sides."
    if name == "matches.link":
        text = "Linked: from now on they sync as one record."
        if moot:
            text += " " + plural(len(moot), "other suggestion") + " for these records " + \
                ("was" if len(moot) == 1 else "were") + " set aside (listed above)."
        return text
    if name == "matches.separate":
        return "Kept separate: each record syncs on its own."
    if name == "matches.new":
        return "Done: the record gets one of its own on the other side."
    if isinstance(result, dict) and "message" in result:
        return str(result["message"])
    return "Done."


def evidence_sentence(evidence: tuple[str, ...]) -> str:
    """"Why we think so: same name, same phone." """
    if not evidence:
        return "Why we think so: similar details."
    return "Why we think so: " + ", ".join(e[:1].lower() + e[1:] for e in evidence) + "."


class MatchCardWidget(QFrame):
    """One likely pair: the question, both names, the evidence, what each side holds, and the three decisions."""

    def __init__(self, card: MatchCard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.card = card
        item = card.item
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(f"{card.question}: {item.xero_name} and {item.zoho_name}")
        grid = QGridLayout(self)
        question = QLabel(card.question)
        bold = QFont(question.font())
        bold.setBold(True)
        question.setFont(bold)
        grid.addWidget(question, 0, 0, 1, 3)
        grid.addWidget(muted("In Xero"), 1, 1)
        grid.addWidget(muted("In Zoho CRM"), 1, 2)
        names = (QLabel(item.xero_name), QLabel(item.zoho_name))
        for column, label in enumerate(names, start=1):
            label.setFont(bold)
            label.setWordWrap(True)
            grid.addWidget(label, 2, column)
        grid.addWidget(muted("Name"), 2, 0)
        for row, (label, xv, zv) in enumerate(card.facts, start=3):
            grid.addWidget(muted(label), row, 0)
            grid.addWidget(QLabel(xv), row, 1)
            grid.addWidget(QLabel(zv), row, 2)
        row = 3 + len(card.facts)
        self.evidence = QLabel(evidence_sentence(card.evidence))
        self.evidence.setWordWrap(True)
        grid.addWidget(self.evidence, row, 0, 1, 3)
        self.moot = QLabel(card.moot_words)
        self.moot.setWordWrap(True)
        self.moot.setVisible(bool(card.moot_words))
        grid.addWidget(self.moot, row + 1, 0, 1, 3)
        self.link = QPushButton("Link")
        self.link.setToolTip("They are the same: link them and sync them as one record")
        self.separate = QPushButton("Keep separate")
        self.separate.setToolTip("They are different: leave both as they are, unlinked to each other")
        self.create = QPushButton("Create new")
        self.create.setToolTip(f"None of the suggestions: give '{item.xero_name}' a new record of its own in "
                               "Zoho CRM")
        for button, what in ((self.link, "Link"), (self.separate, "Keep separate"), (self.create, "Create new")):
            button.setAccessibleName(f"{what}: {item.xero_name} and {item.zoho_name}")
        buttons = QHBoxLayout()
        buttons.addWidget(self.link)
        buttons.addWidget(self.separate)
        buttons.addWidget(self.create)
        buttons.addStretch(1)
        grid.addLayout(buttons, row + 2, 0, 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)

    def set_enabled(self, enabled: bool) -> None:
        for button in (self.link, self.separate, self.create):
            button.setEnabled(enabled)
