"""After a save that adds or changes a field: offer to carry it to the records already linked.

A sync only looks at records that changed, so a newly mapped field would otherwise wait until each record is
edited. The offer says how many linked records there are; "Apply" first counts what would change (a dry run over
them, writing nothing), then applies on the user's word. All three steps (``mapping_apply.pending``, ``preview``,
``apply``) run on the worker through ``controller.submit``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.services import mapping_apply
from app.services.words import plural

TASK = "mapping-apply."


def _pending(service: Any, pair: str) -> dict[str, Any]:
    change = mapping_apply.pending(service.profile, pair)
    return {"pair": pair, "linked": change.linked if change else 0, "fields": change.fields if change else []}


def _preview(service: Any, pair: str) -> dict[str, Any]:
    preview = mapping_apply.preview(service, pair)
    if preview is None:
        return {"pair": pair, "would_change": 0, "linked": 0}
    return {"pair": pair, "would_change": preview.would_change, "linked": preview.change.linked}


def _apply(service: Any, pair: str) -> dict[str, Any]:
    return {"pair": pair, **mapping_apply.summary(mapping_apply.apply(service, pair))}


class ApplyOffer(QFrame):
    """Shown under the notice while the saved mapping of the pair on screen has not reached its linked records."""

    def __init__(self, controller: Any, field_words: Callable[[str], str] = str,
                 parent: QWidget | None = None) -> None:
        """``field_words`` names a changed link ("AccountNumber → Account_Number") in the fields' own labels."""
        super().__init__(parent)
        self.controller = controller
        self.field_words = field_words
        self.pair = ""
        self.setObjectName("applyOffer")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.offer_button = QPushButton()  # "Apply to the N linked records"
        self.offer_button.clicked.connect(self._ask_preview)
        self.apply_button = QPushButton()  # "Update N records", after the count
        self.apply_button.clicked.connect(self._apply)
        self.close_button = QPushButton("Not now")
        self.close_button.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.addWidget(self.text, 1)
        row.addWidget(self.offer_button)
        row.addWidget(self.apply_button)
        row.addWidget(self.close_button)
        self.hide()
        controller.task_finished.connect(self._task_finished)

    def check(self, pair: str) -> None:
        """Ask (on the worker) whether the saved mapping of ``pair`` still has to reach its linked records."""
        self.pair = pair
        self.hide()
        self._submit("pending", _pending)

    def _submit(self, what: str, fn: Any) -> None:
        pair = self.pair
        self.controller.submit(TASK + what, lambda service: fn(service, pair))

    @Slot(str, object)
    def _task_finished(self, name: str, result: Any) -> None:
        if not name.startswith(TASK):
            return
        if isinstance(result, dict) and "error" in result:
            self._show(result["error"].get("message", "") or "That did not work.", close="Close")
            return
        if not isinstance(result, dict) or result.get("pair") != self.pair:
            return  # another pair is on screen now
        getattr(self, f"_{name[len(TASK):]}_done")(result)

    def _pending_done(self, result: dict[str, Any]) -> None:
        linked = result["linked"]
        if not linked:
            self.hide()
            return
        fields = [self.field_words(f) for f in result["fields"]]
        self._show(f"The saved mapping adds or changes {plural(len(fields), 'field')} ({', '.join(fields)}). "
                   f"Records linked before keep their old values there until they change, unless you apply it now.",
                   offer=f"Apply to the {plural(linked, 'linked record')}", close="Not now")

    def _ask_preview(self) -> None:
        self._show("Counting what would change: reading every linked record, writing nothing…")
        self._submit("preview", _preview)

    def _preview_done(self, result: dict[str, Any]) -> None:
        n, linked = result["would_change"], result["linked"]
        if not n:
            self._show(f"The new mapping changes nothing on the {plural(linked, 'linked record')}: their values "
                       "already match.", close="Close")
            return
        self._show(f"Applying the new mapping would update {n:,} of the {plural(linked, 'linked record')}; the "
                   "others already match. Nothing has been written yet.",
                   apply=f"Update {plural(n, 'record')}", close="Not now")

    def _apply(self) -> None:
        self._show("Applying the new mapping to the linked records…")
        self._submit("apply", _apply)

    def _apply_done(self, result: dict[str, Any]) -> None:
        said = result["message"] if not result.get("applied") else f"Applied the new mapping: {result['message']}"
        self._show(said, close="Close")

    def _show(self, text: str, *, offer: str = "", apply: str = "", close: str = "") -> None:
        """One step of the offer: its words and the buttons that step has (none while the worker is at it)."""
        self.text.setText(text)
        self.offer_button.setText(offer)
        self.offer_button.setVisible(bool(offer))
        self.apply_button.setText(apply)
        self.apply_button.setVisible(bool(apply))
        self.close_button.setText(close)
        self.close_button.setVisible(bool(close))
        self.show()
