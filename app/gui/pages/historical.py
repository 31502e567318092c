"""Historical sync: send what changed over a past period (after a new field is mapped, say), from a queue.

The user picks the period (last 7, 30 or 90 days, or from a date, up to another if they like), the direction and
the pairs, sees how many
records that is and about how long it takes, then queues it. The queue lives in the database: a job stopped by
quitting carries on where it stopped when started again. Counting, queueing and running happen on the worker
(``controller.submit``); the page reads the queue again when a task finishes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.gui.errors import ErrorPanel
from app.gui.widgets.labels import heading, muted
from app.services import historical
from app.services.mappings import current_mappings
from app.services.views import Views
from app.services.words import local_time, pair_label, plural

TASKS = ("historical.count", "historical.add", "historical.start", "historical.remove", "historical.clear")
COLUMNS = ("Period", "Direction", "Pairs", "Size", "Status", "Finished")


def pair_words(pair: str, direction: str) -> str:
    """The pair's name with its arrow: "Contacts ⇄ Accounts", "Invoices → Invoices" for a one-way pair."""
    arrow = {"xero_to_zoho": "→", "zoho_to_xero": "←"}.get(direction)
    label = pair_label(pair)
    return label.replace("⇄", arrow) if arrow else label


class HistoricalPage(QWidget):
    """Signals:
        open_page(str)   a page the user asked for (the window navigates)
    """

    open_page = Signal(str)
    _job_progress = Signal(str)  # emitted from the worker thread while a job runs (queued to this thread)

    def __init__(self, views: Views, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.views = views
        self.controller = controller
        self.jobs: list[historical.JobItem] = []
        self._counts: dict[tuple[Any, ...], historical.Estimate] = {}  # by the inputs they were counted for
        self._counting: tuple[Any, ...] | None = None
        self._busy = ""

        title = QLabel("Historical sync")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        intro = muted("Send everything that changed over a past period again — after you map a new field, for "
                      "example. You see how many records it covers and about how long it takes before it starts. "
                      "There is no limit on the number of records, and the queue is kept when you quit.")

        # ----- a new job
        form_box = QGroupBox("New historical sync")
        form = QFormLayout(form_box)
        period = QHBoxLayout()
        self.period = QButtonGroup(self)
        for days in historical.PRESET_DAYS:
            button = QRadioButton(f"Last {days} days")
            button.setProperty("days", days)
            self.period.addButton(button)
            period.addWidget(button)
        self.custom = QRadioButton("From")
        self.custom.setProperty("days", 0)
        self.period.addButton(self.custom)
        period.addWidget(self.custom)
        self.since = QDateEdit()
        self.since.setAccessibleName("From this date")
        period.addWidget(self.since)
        self.ends = QCheckBox("to")
        self.ends.setToolTip("End the period on a date (otherwise it runs up to today)")
        period.addWidget(self.ends)
        self.until = QDateEdit()
        self.until.setAccessibleName("To this date")
        period.addWidget(self.until)
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
        period.addStretch(1)
        self.until_note = muted("")
        self.until_note.setWordWrap(True)
        self.until_note.hide()
        self.period.buttons()[1].setChecked(True)
        self.direction = QComboBox()
        for key, label in historical.DIRECTIONS.items():
            self.direction.addItem(label, key)
        self.direction.setAccessibleName("Direction")
        self.pairs_row = QHBoxLayout()
        self.pair_boxes: dict[str, QCheckBox] = {}
        self.count_button = QPushButton("Count records")
        self.count_button.setToolTip("Read what changed in that period on each side (nothing is written)")
        self.estimate = QLabel()
        self.estimate.setWordWrap(True)
        self.add_button = QPushButton("Add to queue")
        self.add_start_button = QPushButton("Add and start now")
        actions = QHBoxLayout()
        actions.addWidget(self.count_button)
        actions.addWidget(self.estimate, 1)
        actions.addWidget(self.add_button)
        actions.addWidget(self.add_start_button)
        form.addRow("Period:", period)
        form.addRow("", self.until_note)
        direction_row = QHBoxLayout()
        direction_row.addWidget(self.direction)
        direction_row.addStretch(1)
        form.addRow("Direction:", direction_row)
        form.addRow("Pairs:", self.pairs_row)
        form.addRow(actions)

        # ----- the queue
        self.queue_title = heading("Queue")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Historical sync queue")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column == 2 else
                                        QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._enable)
        self.empty = muted("Nothing queued yet.")
        self.start_button = QPushButton("Start now")
        self.start_button.setToolTip("Run the selected job now, then the rest of the queue")
        self.remove_button = QPushButton("Remove")
        self.refresh_button = QPushButton("Refresh")
        self.clear_button = QPushButton("Clear completed")
        buttons = QHBoxLayout()
        for button in (self.start_button, self.remove_button, self.refresh_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        self.running = QLabel()
        self.running.setWordWrap(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running historical sync; Start now carries on where it stopped")
        self.cancel_button.clicked.connect(self.cancel)
        running_row = QHBoxLayout()
        running_row.addWidget(self.running, 1)
        running_row.addWidget(self.cancel_button)
        self.running_box = QWidget()
        self.running_box.setLayout(running_row)
        running_row.setContentsMargins(0, 0, 0, 0)
        self.running_box.hide()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.hide()
        self.problem = ErrorPanel(self)
        self.problem.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(form_box)
        layout.addWidget(self.problem)
        layout.addWidget(self.note)
        layout.addWidget(self.queue_title)
        layout.addWidget(self.running_box)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1, Qt.AlignmentFlag.AlignTop)  # no queue: the space stays below it
        layout.addLayout(buttons)

        self.period.buttonToggled.connect(self._inputs_changed)
        self.since.dateChanged.connect(self._inputs_changed)
        self.ends.toggled.connect(self._inputs_changed)
        self.until.dateChanged.connect(self._inputs_changed)
        self.direction.currentIndexChanged.connect(self._direction_changed)
        self.count_button.clicked.connect(self.count)
        self.add_button.clicked.connect(lambda: self.add(start=False))
        self.add_start_button.clicked.connect(lambda: self.add(start=True))
        self.start_button.clicked.connect(self.start)
        self.remove_button.clicked.connect(self.remove)
        self.refresh_button.clicked.connect(self.refresh)
        self.clear_button.clicked.connect(self.clear_completed)
        self._job_progress.connect(self._show_progress)
        controller.task_finished.connect(self._task_finished)

        today = self.views.now().astimezone().date()
        self.since.setMaximumDate(QDate(today.year, today.month, today.day))
        self.until.setMaximumDate(QDate(today.year, today.month, today.day))
        start = today - timedelta(days=180)
        self.since.setDate(QDate(start.year, start.month, start.day))
        self.until.setDate(QDate(today.year, today.month, today.day))
        self._direction_changed()
        self.refresh()

    # ----- the form ---------------------------------------------------------------------------------------------
    def _direction_changed(self, *_args: Any) -> None:
        while self.pairs_row.count():
            item = self.pairs_row.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        ticked = {p for p, box in self.pair_boxes.items() if box.isChecked()}
        mappings = current_mappings(self.views.profile)
        usable = historical.usable_pairs(mappings, self.chosen_direction())
        self.pair_boxes = {}
        for pair in usable:
            box = QCheckBox(pair_words(pair, mappings[pair].direction))
            box.setChecked(not ticked or pair in ticked)
            box.toggled.connect(self._inputs_changed)
            self.pair_boxes[pair] = box
            self.pairs_row.addWidget(box)
        self.pairs_row.addStretch(1)
        self._inputs_changed()

    def chosen_direction(self) -> str:
        return str(self.direction.currentData())

    def chosen_pairs(self) -> list[str]:
        return [p for p, box in self.pair_boxes.items() if box.isChecked()]

    def chosen_period(self) -> tuple[Any, int | None]:
        """(start as an aware UTC datetime, days or None for a date)."""
        days = int(self.period.checkedButton().property("days") or 0)
        if days:
            return historical.since_days(days, self.views.now()), days
        return historical.since_date(self.since.date().toPython()), None

    def chosen_until(self) -> Any:
        """The end of a custom period (the next midnight after its last day, in UTC), or None: up to now."""
        if not (self.custom.isChecked() and self.ends.isChecked()):
            return None
        return historical.until_date(self.until.date().toPython())

    def set_custom(self, first: Any, last: Any = None) -> None:
        """Choose "From ``first``" (a date), "to ``last``" when given."""
        self.custom.setChecked(True)
        self.since.setDate(QDate(first.year, first.month, first.day))
        self.ends.setChecked(last is not None)
        if last is not None:
            self.until.setDate(QDate(last.year, last.month, last.day))

    def set_period(self, days: int) -> None:
        for button in self.period.buttons():
            if int(button.property("days") or 0) == days:
                button.setChecked(True)

    def _inputs(self) -> tuple[Any, ...]:
        since, days = self.chosen_period()
        return since, days, self.chosen_direction(), tuple(self.chosen_pairs()), self.chosen_until()

    @property
    def counted(self) -> historical.Estimate | None:
        """The count for the period, direction and pairs chosen now (None until counted)."""
        return self._counts.get(self._inputs())

    def _inputs_changed(self, *_args: Any) -> None:
        custom = self.custom.isChecked()
        self.since.setEnabled(custom)
        self.ends.setEnabled(custom)
        self.until.setEnabled(custom and self.ends.isChecked())
        self.until.setMinimumDate(self.since.date())
        if self.chosen_until() is not None:
            last = self.until.date().toPython()
            self.until_note.setText(f"Only records changed from {self.since.date().toString('d MMM yyyy')} to "
                                    f"{last.day} {last:%b %Y} are sent. Records changed after that are left for "
                                    "the regular sync, which sends them as usual.")
        self.until_note.setVisible(self.chosen_until() is not None)
        counted = self.counted
        self.estimate.setText(f"{counted.words} ({plural(counted.xero_calls, 'Xero call')}, "
                              f"{plural(counted.zoho_calls, 'Zoho CRM call')})." if counted else
                              "Count the records to see how long it takes.")
        self._enable()

    def _enable(self) -> None:
        idle = not self._busy
        has_pairs = bool(self.chosen_pairs())
        counted = self.counted is not None
        self.count_button.setEnabled(idle and has_pairs)
        self.add_button.setEnabled(idle and has_pairs and counted)
        self.add_start_button.setEnabled(idle and has_pairs and counted)
        job = self.selected_job()
        runnable = [j for j in self.jobs if j.can_start]
        self.start_button.setEnabled(idle and (job.can_start if job else bool(runnable)))
        self.remove_button.setEnabled(idle and job is not None and job.status != "running")
        self.clear_button.setEnabled(idle and any(j.completed for j in self.jobs))

    # ----- the queue --------------------------------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        """Read the queue again (the window calls this when the page is shown and after every run)."""
        chosen = self.selected_job()
        now = self.views.now()
        self.jobs = historical.jobs(self.views.profile)
        self.table.setRowCount(len(self.jobs))
        for row, job in enumerate(self.jobs):
            status = job.status_label
            if job.can_start and job.status != "queued":
                status += " — Start now carries on"
            cells = (job.range_label, job.direction_label, job.pairs_label, job.size_label, status,
                     local_time(job.finished_at, now) if job.finished_at else "")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                tip = job.message if column == 4 and job.message else job.pair_labels if column == 2 else text
                item.setToolTip(tip)
                item.setData(Qt.ItemDataRole.UserRole, job.id)
                self.table.setItem(row, column, item)
        if chosen is not None:
            for row, job in enumerate(self.jobs):
                if job.id == chosen.id:
                    self.table.selectRow(row)
        self.table.setVisible(bool(self.jobs))
        self.empty.setVisible(not self.jobs)
        waiting = sum(1 for j in self.jobs if j.can_start)
        self.queue_title.setText(f"Queue ({plural(waiting, 'job')} waiting)" if waiting else "Queue")
        self._enable()

    def selected_job(self) -> historical.JobItem | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        job_id = self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        return next((j for j in self.jobs if j.id == job_id), None)

    def select_job(self, job_id: int) -> None:
        for row, job in enumerate(self.jobs):
            if job.id == job_id:
                self.table.selectRow(row)

    # ----- acting (on the worker) -------------------------------------------------------------------------------
    @Slot()
    def count(self) -> None:
        since, _days, direction, pairs, until = inputs = self._inputs()
        self._counting = inputs
        self._submit("historical.count", "Counting the records in that period…",
                     lambda service: historical.estimate(service, list(pairs), direction, since, until))

    def add(self, start: bool) -> None:
        since, days, direction, pairs, until = self._inputs()
        counted = self.counted
        progress = self._job_progress.emit

        def work(service: Any) -> Any:
            job = historical.add(service, direction=direction, since=since, until=until, pairs=list(pairs),
                                 days=days, counted=counted)
            return historical.start(service, job.id, progress=lambda e: progress(e.message)) if start else job

        self._submit("historical.start" if start else "historical.add",
                     "Starting the historical sync…" if start else "Adding to the queue…", work)

    @Slot()
    def start(self) -> None:
        job = self.selected_job()
        job_id = job.id if job else None
        progress = self._job_progress.emit
        self._submit("historical.start", "Starting the historical sync…",
                     lambda service: historical.start(service, job_id, progress=lambda e: progress(e.message)))

    @Slot()
    def remove(self) -> None:
        job = self.selected_job()
        if job is not None:
            self._submit("historical.remove", "Removing…",
                         lambda service: historical.remove(service.profile, job.id))

    @Slot()
    def clear_completed(self) -> None:
        self._submit("historical.clear", "Clearing completed jobs…",
                     lambda service: historical.clear_completed(service.profile))

    @Slot()
    def cancel(self) -> None:
        """Stop the running job (a flag the worker checks within a second; nothing is written here)."""
        historical.cancel()
        self.cancel_button.setEnabled(False)
        self.running.setText("Stopping…")

    def _submit(self, name: str, doing: str, fn: Any) -> None:
        self._busy = name
        if name == "historical.start":
            self.running.setText("Running…")
            self.cancel_button.setEnabled(True)
            self.running_box.show()
        self.problem.hide()
        self.note.setText(doing)
        self.note.show()
        self._enable()
        self.controller.submit(name, fn)

    @Slot(str)
    def _show_progress(self, message: str) -> None:
        if self._busy == "historical.start" and self.cancel_button.isEnabled():
            self.running.setText(f"Running: {message}")

    @Slot(str, object)
    def _task_finished(self, name: str, result: Any) -> None:
        if name not in TASKS or not self._busy:
            return
        self._busy = ""
        self.running_box.hide()
        if isinstance(result, dict) and "error" in result:
            self.note.hide()
            self.refresh()
            self.problem.show_dict(result["error"])
            return
        text = ""
        if name == "historical.count":
            self._counts[self._counting] = historical.Estimate(result["by_pair"], result["xero_calls"],
                                                               result["zoho_calls"], result["seconds"])
            self._inputs_changed()
            text = "Counted. Add it to the queue to run it."
        elif name == "historical.add":
            text = f"Added to the queue: {result['range_label']}. Select it and click Start now, or start the queue."
        elif name == "historical.start":
            text = " ".join(f"{j['range_label']}: {historical.STATUS_LABELS.get(j['status'], j['status'])} — "
                            f"{j['message']}" for j in result) or "Nothing was waiting in the queue."
        elif name == "historical.remove":
            text = f"Removed {result['range_label']} from the queue."
        elif name == "historical.clear":
            text = f"Removed {plural(result, 'completed job')}." if result else "No completed jobs to clear."
        self.refresh()
        if name == "historical.add":
            self.select_job(result["id"])
        self.note.setText(text)
        self.note.show()
        self._enable()
