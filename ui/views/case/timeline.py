"""The Timeline section."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QListWidget,
    QVBoxLayout,
)

from casework.application.desk import Desk
from casework.application.types import EventKind
from ui.views.case.common import tr
from ui.views.tab import Tab


class TimelineTab(Tab):
    def __init__(self, workspace: Desk, case_id: str) -> None:
        super().__init__(workspace, case_id)
        self.kind = QComboBox()
        self.kind.setObjectName("timelineKind")
        self.kind.addItem(tr("Everything"), None)
        for kind in EventKind:
            self.kind.addItem(tr(kind.value.capitalize()), frozenset({kind}))
        self.list = QListWidget()
        self.list.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.kind)
        layout.addWidget(self.list, 1)
        self.kind.currentIndexChanged.connect(lambda _i: self.reload())
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        for event in self.workspace.cases.timeline(self.case_id, self.kind.currentData()):
            self.list.addItem(f"{event.on.isoformat()}  {event.text}")
