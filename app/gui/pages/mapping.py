"""Field mapping: per pair, Xero's fields and Zoho CRM's side by side with the links drawn between them; links made
by dragging or picking, refused at once with the reason when the types do not fit; direction and winner per pair and
per link; transforms with a value-map table of real values; auto-map that explains itself; the live values nothing
maps; checks that keep Save off while a sync would fail; preview on a real record; versions with a diff and restore.

The page edits a draft (``services.mapping_editor_model.PairDraft``) on the GUI thread: checks, suggestions and
coverage are worked out there without network. Reading fields and records, previews and every save run on the
worker through ``controller.submit``; each pair keeps its own unsaved draft while the user looks at another.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.mapping import BOTH, PairMapping
from app.gui.errors import ErrorPanel
from app.gui.mapping.apply_offer import ApplyOffer
from app.gui.mapping.canvas import FieldCanvas
from app.gui.mapping.link_editor import LinkEditor
from app.gui.mapping.pair_bar import PairBar
from app.gui.mapping.panels import AddLinkPanel, AutoMapPanel, CoveragePanel, PreviewPanel, VersionsPanel
from app.services import mapping_editor_versions as versions
from app.services.mapping_editor import MappingEditor
from app.services.mapping_editor_coverage import coverage_gaps
from app.services.mapping_editor_model import (
    DIRECTION_LABELS,
    Check,
    LinkRefused,
    PairDraft,
    PairSchema,
)
from app.services.mappings import export_json, invoices_both_ways
from app.services.views import Views
from app.services.words import plural

TASK = "mapping."
TAB_LINK, TAB_ADD, TAB_AUTO, TAB_COVERAGE, TAB_PREVIEW, TAB_VERSIONS = range(6)


def _plain(mapping: PairMapping) -> PairMapping:
    """A copy for the worker, so the draft the user edits is never read from two threads."""
    return PairMapping.from_json(copy.deepcopy(mapping.to_json()))


def _write_export(service: Any, path: str) -> dict[str, str]:
    Path(path).write_text(export_json(service.profile), encoding="utf-8")
    return {"path": path}


class MappingPage(QWidget):
    open_page = Signal(str)

    def __init__(self, views: Views, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.views = views
        self.controller = controller
        self.pair = "contacts"
        self.drafts: dict[str, PairDraft] = {}
        self.counts: dict[str, dict[str, Any]] = {}
        self.selected: int | None = None
        self.gaps: list[dict[str, Any]] = []
        self._build()
        controller.task_finished.connect(self._task_finished)
        self._load(self.pair)  # the window builds a page when it is first shown and expects it to read itself

    # ===== layout ============================================================================================
    def _build(self) -> None:
        self.bar = PairBar()
        self.apply_offer = ApplyOffer(self.controller, self._link_words)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("Notice")
        self.notice.hide()
        self.error = ErrorPanel(self)
        self.error.hide()
        self._failed_task = ""
        self.error.action_clicked.connect(self._try_again)

        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter fields (linked ones always show)")
        self.filter.setClearButtonEnabled(True)
        self.canvas = FieldCanvas()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.canvas)
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addWidget(self.filter)
        left_box.addWidget(scroll, 1)

        self.link_editor = LinkEditor()
        self.add_panel = AddLinkPanel()
        self.auto_panel = AutoMapPanel()
        self.coverage_panel = CoveragePanel()
        self.preview_panel = PreviewPanel()
        self.versions_panel = VersionsPanel()
        self.tabs = QTabWidget()
        for widget, title in ((self.link_editor, "Link"), (self.add_panel, "Add"),
                              (self.auto_panel, "Auto-map"), (self.coverage_panel, "Coverage"),
                              (self.preview_panel, "Preview"), (self.versions_panel, "Versions")):
            self.tabs.addTab(widget, title)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([560, 460])
        self.tabs.setMinimumWidth(430)

        self.checks = QListWidget()
        self.checks.setAccessibleName("Problems with the mapping")
        self.checks.setWordWrap(True)
        self.checks.setMaximumHeight(110)
        self.checks.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.import_button = QPushButton("Import…")
        self.export_button = QPushButton("Export…")
        self.save = QPushButton("Save")
        self.save.setDefault(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.import_button)
        bottom.addWidget(self.export_button)
        bottom.addWidget(self.save)

        layout = QVBoxLayout(self)
        layout.addWidget(self.bar)
        layout.addWidget(self.error)
        layout.addWidget(self.notice)
        layout.addWidget(self.apply_offer)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.checks)
        layout.addLayout(bottom)

        self.bar.pair_chosen.connect(self.show_pair)
        self.bar.module_chosen.connect(self._module_changed)
        self.bar.direction_chosen.connect(self._direction_chosen)
        self.bar.policy_chosen.connect(self._policy_changed)
        self.filter.textChanged.connect(self.canvas.set_filter)
        self.canvas.link_requested.connect(self.make_link)
        self.canvas.link_clicked.connect(self.select_link)
        self.canvas.field_clicked.connect(self._field_clicked)
        self.canvas.cursor_moved.connect(lambda rect: scroll.ensureVisible(rect.center().x(), rect.center().y(),
                                                                          0, rect.height()))
        self.add_panel.link_requested.connect(self.make_link)
        self.auto_panel.accepted.connect(self._accept_suggestions)
        self.coverage_panel.reload.connect(self._load_values)
        self.coverage_panel.open_link.connect(self._open_link)
        self.preview_panel.preview_requested.connect(self._preview)
        self.preview_panel.dry_run_requested.connect(self._dry_run)
        self.versions_panel.compare_requested.connect(self._compare)
        self.versions_panel.restore_requested.connect(self._restore)
        self.versions_panel.reset_requested.connect(self._reset)
        self.link_editor.changed.connect(self._changed)
        self.link_editor.refused.connect(lambda reason: self._say(f"Not changed: {reason}."))
        self.link_editor.remove_requested.connect(self.remove_link)
        self.checks.itemClicked.connect(self._check_clicked)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.save.clicked.connect(self.save_mapping)
        self.import_button.clicked.connect(self._import)
        self.export_button.clicked.connect(self._export)
        self._set_enabled(False)

    @property
    def draft(self) -> PairDraft | None:
        return self.drafts.get(self.pair)

    # ===== loading ===========================================================================================
    @Slot()
    def refresh(self) -> None:
        """Shown, or a sync ended: read the pair if it is not in hand (an unsaved draft is never replaced)."""
        if self.draft is None:
            self.show_pair(self.pair)

    def show_pair(self, pair: str) -> None:
        self.pair = pair
        self.bar.show_pair(pair)
        self.selected = None
        self._say("")
        self.preview_panel.reset()
        if self.draft is None:
            self._load(pair)
        else:
            self._show_draft()
            self._load_versions()
        if self.apply_offer.pair != pair:
            self.apply_offer.hide()  # it spoke of another pair's save

    def _load(self, pair: str, module: str = "") -> None:
        self._set_enabled(False)
        self.status.setText("Reading the fields from Xero and Zoho CRM…")
        self.canvas.set_placeholder("Reading the fields from Xero and Zoho CRM…")
        self._submit("open", lambda s: {"pair": pair, **MappingEditor(s).open_pair(pair, module)})

    def _load_values(self) -> None:
        draft = self.draft
        if draft is None:
            return
        self.coverage_panel.set_loading()
        mapping, schema, pair = _plain(draft.mapping), copy.deepcopy(draft.schema), self.pair
        self._submit("values", lambda s: {"pair": pair, "counts": MappingEditor(s).value_counts(mapping, schema)})

    def _load_versions(self) -> None:
        pair = self.pair
        self._submit("versions", lambda s: {"pair": pair, "versions": versions.versions(s.profile, pair)})

    def _submit(self, name: str, fn: Any) -> None:
        self.controller.submit(TASK + name, fn)

    @Slot(str, object)
    def _task_finished(self, name: str, result: Any) -> None:
        if not name.startswith(TASK):
            return
        what = name[len(TASK):]
        if isinstance(result, dict) and "error" in result:
            self._failed(what, result["error"])
            return
        handler = getattr(self, f"_{what}_done", None)
        if handler is not None and (not isinstance(result, dict) or result.get("pair", self.pair) == self.pair):
            handler(result)

    def _failed(self, what: str, error: dict[str, Any]) -> None:
        if what == "open":
            self.status.setText("The fields could not be read.")
            self.canvas.set_placeholder("The fields could not be read: see the message above. Try again from "
                                        "another pair, or after checking Connections.")
        if what == "preview":
            self.preview_panel.set_failed(error.get("message", ""))
            return
        self._failed_task = what
        self.error.show_dict(error, action="Try again" if what in ("open", "values") else "")
        self.error.show()

    def _try_again(self) -> None:
        self.error.hide()
        if self._failed_task == "values":
            self._load_values()
        else:
            self._load(self.pair)

    def _open_done(self, result: dict[str, Any]) -> None:
        draft = PairDraft(PairMapping.from_json(result["mapping"]), PairSchema.from_dict(result["schema"]))
        draft.saved = result["saved"]  # another Zoho module is a change until saved
        self.drafts[result["pair"]] = draft
        self.counts.pop(result["pair"], None)
        self.error.hide()
        dropped = result.get("dropped") or []
        if dropped:
            self._say(f"Now syncing with Zoho CRM {draft.mapping.zoho_module}. {plural(len(dropped), 'link')} to "
                      f"fields it does not have {'was' if len(dropped) == 1 else 'were'} taken out "
                      f"({', '.join(dropped)}); Auto-map suggests new ones. Nothing changes until you save.")
        self._show_draft()
        self._load_values()
        self._load_versions()

    def _values_done(self, result: dict[str, Any]) -> None:
        self.counts[self.pair] = result["counts"]
        self._refresh_views()

    def _versions_done(self, result: dict[str, Any]) -> None:
        self.versions_panel.set_versions(result["versions"], self.views.now())

    # ===== showing the draft =================================================================================
    def _show_draft(self) -> None:
        draft = self.draft
        if draft is None:
            return
        self.bar.show_mapping(draft.mapping)
        self.add_panel.set_fields(draft.schema.xero, draft.schema.zoho)
        self._set_enabled(True)
        self._refresh_views()

    def _refresh_views(self) -> None:
        draft = self.draft
        if draft is None:
            return
        m = draft.mapping
        entity = {"contacts": "Contact", "items": "Item", "invoices": "Invoice", "deals": "Invoice"}[self.pair]
        zoho_entity = m.zoho_module[:-1] if m.zoho_module.endswith("s") else m.zoho_module
        self.canvas.set_content(draft.schema.xero, draft.schema.zoho, draft.links,
                                m.direction, (f"Xero {entity}", f"Zoho CRM {zoho_entity}"))
        self.canvas.select_link(self.selected)
        self.link_editor.set_link(draft, self.selected, self.counts.get(self.pair, {}))
        if self.selected is None:
            self.link_editor.title.setText(f"{plural(len(draft.links), 'link')}. Click a line or a linked field to "
                                           "change how it works; drag from a field to a field to link them.")
        self.auto_panel.set_suggestions(draft.suggestions())
        counts = self.counts.get(self.pair)
        if counts is not None:
            self.gaps = [g.__dict__ for g in coverage_gaps(m, draft.schema, counts)]
            self.coverage_panel.set_gaps(self.gaps)
            self.tabs.setTabText(TAB_COVERAGE, f"Coverage ({len(self.gaps)})" if self.gaps else "Coverage")
        self._show_checks(draft.checks())

    def _show_checks(self, checks: list[Check]) -> None:
        self.checks.clear()
        style = self.style()
        for c in checks:
            icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical if c.blocking
                                      else QStyle.StandardPixmap.SP_MessageBoxWarning)
            item = QListWidgetItem(icon, f"{c.message} {c.fix}")
            item.setData(Qt.ItemDataRole.UserRole, c.field)
            self.checks.addItem(item)
        self.checks.setVisible(bool(checks))
        blocking = [c for c in checks if c.blocking]
        draft = self.draft
        dirty = draft is not None and draft.dirty
        self.save.setEnabled(not blocking and dirty)
        if blocking:
            self.status.setText(f"Save is off until {plural(len(blocking), 'problem')} below "
                                f"{'is' if len(blocking) == 1 else 'are'} fixed.")
        elif dirty:
            self.status.setText("Unsaved changes. Preview them on a record, then Save.")
        else:
            version = draft.mapping.version if draft else 0
            self.status.setText(f"Saved (version {version})." if version else "The shipped mapping is in use.")

    def _link_words(self, link: str) -> str:
        """"AccountNumber → Account_Number" in the fields' labels, as the canvas shows them."""
        draft = self.draft
        xero, _, zoho = link.partition(" → ")
        xf = draft.schema.xero_field(xero) if draft else None
        zf = draft.schema.zoho_field(zoho) if draft else None
        return f"{xf.label if xf else xero} → {zf.label if zf else zoho}"

    def _set_enabled(self, on: bool) -> None:
        self.bar.set_editable(on)
        for w in (self.filter, self.tabs, self.save, self.export_button):
            w.setEnabled(on)

    def _say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    # ===== editing ===========================================================================================
    @Slot(str, str)
    def make_link(self, xero: str, zoho: str) -> None:
        draft = self.draft
        if draft is None:
            return
        try:
            draft.add_link(xero, zoho)
        except LinkRefused as exc:
            self._say(f"Not linked: {exc}.")
            return
        self.selected = len(draft.links) - 1
        link = draft.links[self.selected]
        one_way = link.direction != draft.mapping.direction
        self._say(f"Linked. It goes {DIRECTION_LABELS[link.direction]} only: one side is read-only." if one_way
                  else "Linked.")
        self.tabs.setCurrentIndex(TAB_LINK)
        self._changed()

    @Slot(int)
    def remove_link(self, index: int) -> None:
        draft = self.draft
        if draft is None or not 0 <= index < len(draft.links):
            return
        link = draft.remove_link(index)
        self.selected = None
        xf, zf = draft.schema.xero_field(link.xero), draft.schema.zoho_field(link.zoho)
        self._say(f"Removed the link {xf.label if xf else link.xero} ⇄ {zf.label if zf else link.zoho}.")
        self._changed()

    @Slot(int)
    def select_link(self, index: int) -> None:
        self.selected = index
        self.tabs.setCurrentIndex(TAB_LINK)
        self._refresh_views()

    def _field_clicked(self, side: str, name: str) -> None:
        draft = self.draft
        if draft is None:
            return
        def uses(link: Any) -> bool:
            return name in link.xero.split("+") if side == "xero" else link.zoho == name

        found = next((i for i, link in enumerate(draft.links) if uses(link)), None)
        if found is not None:
            self.select_link(found)
            return
        (self.add_panel.xero if side == "xero" else self.add_panel.zoho).select(name)
        self.tabs.setCurrentIndex(TAB_ADD)

    def _open_link(self, xero: str, zoho: str) -> None:
        draft = self.draft
        index = draft.index_of(xero, zoho) if draft else None
        if index is not None:
            self.select_link(index)

    def _check_clicked(self, item: QListWidgetItem) -> None:
        draft = self.draft
        name = item.data(Qt.ItemDataRole.UserRole)
        if draft is None or not name:
            return
        found = next((i for i, link in enumerate(draft.links) if name in (link.zoho, link.xero)), None)
        if found is not None:
            self.select_link(found)
        else:
            self._field_clicked("zoho" if draft.schema.zoho_field(name) else "xero", name)

    def _accept_suggestions(self, ticked: list[Any]) -> None:
        draft = self.draft
        if draft is None:
            return
        refused = draft.accept(ticked)
        done = len(ticked) - len(refused)
        self._say(f"Linked {plural(done, 'field')}." + (" Not linked: " + "; ".join(refused) + "." if refused else ""))
        self._changed()

    def _direction_chosen(self, key: str) -> None:
        draft = self.draft
        if draft is None:
            return
        if self.pair == "invoices" and key == BOTH:  # the editable fields flow back too; new ones arrive as drafts
            draft.mapping = invoices_both_ways(draft.mapping, created_status="DRAFT")
        else:
            draft.set_direction(key)
        self.bar.show_direction_note(draft.mapping)
        self._changed()

    def _policy_changed(self, policy: str) -> None:
        draft = self.draft
        if draft is not None:
            draft.set_policy(policy)
            self._changed()

    def _module_changed(self, module: str) -> None:
        draft = self.draft
        if draft is None or module == draft.mapping.zoho_module:
            return
        self.drafts.pop(self.pair, None)
        self._load(self.pair, module)

    def _changed(self) -> None:
        self._refresh_views()

    # ===== worker tasks ======================================================================================
    def _tab_changed(self, index: int) -> None:
        if index == TAB_PREVIEW and not self.preview_panel.loaded and self.draft is not None:
            mapping, pair = _plain(self.draft.mapping), self.pair
            self._submit("records", lambda s: {"pair": pair, "records": MappingEditor(s).records(mapping)})

    def _records_done(self, result: dict[str, Any]) -> None:
        self.preview_panel.set_records(result["records"])

    def _preview(self, side: str, record_id: str) -> None:
        if self.draft is None:
            return
        mapping, pair = _plain(self.draft.mapping), self.pair
        self._submit("preview", lambda s: {"pair": pair, "preview": MappingEditor(s).preview(mapping, side,
                                                                                            record_id)})

    def _preview_done(self, result: dict[str, Any]) -> None:
        self.preview_panel.set_preview(result["preview"])

    def _dry_run(self) -> None:
        if self.draft is None:
            return
        mapping, pair = _plain(self.draft.mapping), self.pair
        self.preview_panel.dry_result.setText("Running through every record, writing nothing…")
        self._submit("dry_run", lambda s: {"pair": pair, "summary": MappingEditor(s).dry_run(mapping)["summary"]})

    def _dry_run_done(self, result: dict[str, Any]) -> None:
        self.preview_panel.dry_result.setText(result["summary"])

    @Slot()
    def save_mapping(self) -> None:
        draft = self.draft
        if draft is None or draft.blocking():
            return
        mapping, pair = _plain(draft.mapping), self.pair
        self.save.setEnabled(False)
        self.status.setText("Saving…")
        self._submit("save", lambda s: {"pair": pair, "saved": MappingEditor(s).save(mapping),
                                        "body": mapping.to_json()})

    def _save_done(self, result: dict[str, Any]) -> None:
        draft = self.draft
        if draft is None:
            return
        version = result["saved"]["version"]
        draft.mapping.version = version
        draft.saved = {**result["body"], "version": version}
        self._say(f"Saved as version {version}. The next sync uses it.")
        self._refresh_views()
        self._load_versions()
        self.apply_offer.check(self.pair)

    def _compare(self, older: int, newer: int) -> None:
        pair = self.pair
        self._submit("diff", lambda s: {"pair": pair, "older": older, "newer": newer,
                                        "lines": versions.version_diff(s.profile, pair, older, newer)})

    def _diff_done(self, result: dict[str, Any]) -> None:
        self.versions_panel.set_diff(result["older"], result["newer"], result["lines"])

    def _restore(self, number: int) -> None:
        pair = self.pair
        self._submit("restored", lambda s: {"pair": pair,
                                            "saved": versions.restore(s.profile, pair, number, s.ctx.actor)})

    def _reset(self) -> None:
        pair = self.pair
        self._submit("restored", lambda s: {"pair": pair, "saved": versions.reset(s.profile, pair, s.ctx.actor)})

    def _restored_done(self, result: dict[str, Any]) -> None:
        self.apply_offer.check(self.pair)
        saved = result["saved"]
        self._say(f"{saved['note']}: now version {saved['version']}.")
        self.drafts.pop(self.pair, None)
        self._load(self.pair)

    def _import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a field mapping", "", "Mapping (*.json)")
        if path:
            self._submit("imported", lambda s: {"saved": MappingEditor(s).import_file(
                Path(path).read_text(encoding="utf-8"))})

    def _imported_done(self, result: dict[str, Any]) -> None:
        self.apply_offer.check(self.pair)
        self._say(f"Imported the mapping for {plural(len(result['saved']), 'pair')}.")
        self.drafts.clear()
        self._load(self.pair)

    def _export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the field mapping", "ledgerbridge-mapping.json",
                                              "Mapping (*.json)")
        if path:
            self._submit("exported", lambda s: _write_export(s, path))

    def _exported_done(self, result: dict[str, Any]) -> None:
        unsaved = self.draft is not None and self.draft.dirty
        self._say(f"Exported the saved mapping to {result['path']}." +
                  (" Unsaved changes are not in it: save first." if unsaved else ""))
