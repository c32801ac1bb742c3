"""Search results: the people and the notes that match, each opening its case."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QWidget,
)

from casework.application.types import NOTE_HITS, NoteHit, PersonHit
from ui.views.case_list import CaseList


def tr(text: str) -> str:
    return QCoreApplication.translate("Lists", text)


class SearchResultsView(CaseList):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(tr("Search"), parent)

    def searching(self, text: str) -> None:
        self.title.setText(tr("Searching for “{0}”…").format(text))
        self.list.clear()

    def show_results(self, text: str, people: list[PersonHit], notes: list[NoteHit]) -> None:
        self.title.setText(tr("Results for “{0}”").format(text))
        self.list.clear()
        self.heading(tr("People ({0})").format(len(people)))
        matched = {
            "name": tr("name"),
            "alias": tr("alias"),
            "reference": tr("reference"),
            "phone": tr("phone"),
        }
        for hit in people:
            self.entry(f"{hit.name}  · {hit.reference}  ({matched[hit.matched_on]})", hit.case_id)
        if len(notes) >= NOTE_HITS:  # there may be many more: say so
            self.heading(
                tr("Notes (the first {0}; add words to narrow the search)").format(len(notes))
            )
        else:
            self.heading(tr("Notes ({0})").format(len(notes)))
        for note in notes:
            heading = f"{note.noted_on.isoformat()}  {note.survivor_name} · {note.case_reference}"
            self.entry(f"{heading}\n{note.snippet}", note.case_id)
