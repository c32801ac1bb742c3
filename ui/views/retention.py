"""Retention rules for administrators: see what a rule would remove (in counts) before saving
it; saved rules run once a day, and can be run now."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from casework.application.desk import Desk
from casework.application.types import ERASE_CASES, PURGE_NOTES, RetentionPreview
from ui.messages import attempt
from ui.widgets import message_label

RULE_ROLE = 0x0100 + 7


def tr(text: str) -> str:
    return QCoreApplication.translate("RetentionDialog", text)


class RetentionDialog(QDialog):
    def __init__(self, workspace: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.setWindowTitle(tr("Retention rules"))
        self.setMinimumWidth(560)
        intro = QLabel(
            tr(
                "How long records are kept once a case is closed. Rules run once a day; "
                "what they remove is gone for good (older backups are marked to expire)."
            )
        )
        intro.setWordWrap(True)
        self.rules = QListWidget()
        self.rules.setObjectName("retentionRules")
        self.action = QComboBox()
        self.action.setObjectName("retentionAction")
        self.action.addItem(tr("Purge the notes of cases closed more than"), PURGE_NOTES)
        self.action.addItem(tr("Erase people whose cases all closed more than"), ERASE_CASES)
        self.years = QSpinBox()
        self.years.setObjectName("retentionYears")
        self.years.setRange(1, 100)
        self.years.setValue(7)
        self.years.setSuffix(tr(" years ago"))
        self.preview_button = QPushButton(tr("Preview"))
        self.preview_button.setObjectName("previewRetention")
        self.add_button = QPushButton(tr("Save the rule"))
        self.add_button.setObjectName("addRetention")
        self.add_button.setEnabled(False)
        self.run_button = QPushButton(tr("Run the chosen rule now"))
        self.run_button.setObjectName("runRetention")
        self.remove_button = QPushButton(tr("Remove the chosen rule"))
        self.preview_text = message_label("retentionPreview", usual="info")
        self.message = message_label("errorText")
        new_rule = QHBoxLayout()
        new_rule.addWidget(self.action, 1)
        new_rule.addWidget(self.years)
        new_rule.addWidget(self.preview_button)
        new_rule.addWidget(self.add_button)
        existing = QHBoxLayout()
        existing.addStretch(1)
        existing.addWidget(self.remove_button)
        existing.addWidget(self.run_button)
        close = QPushButton(tr("Close"))
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.rules)
        layout.addLayout(existing)
        layout.addLayout(new_rule)
        layout.addWidget(self.preview_text)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.preview_button.clicked.connect(self.preview)
        self.add_button.clicked.connect(self.add)
        self.run_button.clicked.connect(self.run)
        self.remove_button.clicked.connect(self.remove)
        self.action.currentIndexChanged.connect(lambda _i: self.add_button.setEnabled(False))
        self.years.valueChanged.connect(lambda _v: self.add_button.setEnabled(False))
        self.reload()

    def reload(self) -> None:
        self.rules.clear()
        for rule in self.workspace.retention.rules():
            when = rule.last_run_at.strftime("%Y-%m-%d") if rule.last_run_at else tr("not yet")
            item = QListWidgetItem(tr("{0} (last run: {1})").format(rule.describe(), when))
            item.setData(RULE_ROLE, rule.rule_id)
            self.rules.addItem(item)

    def _describe(self, preview: RetentionPreview) -> str:
        return tr("Today this touches {0} cases of {1} people, and {2} notes.").format(
            preview.cases, preview.people, preview.notes
        )

    def preview(self) -> bool:
        action, years = self.action.currentData(), self.years.value()
        shown: list[RetentionPreview] = []
        if not attempt(
            lambda: shown.append(self.workspace.retention.preview(action, years)), self.message
        ):
            return False
        self.preview_text.setText(self._describe(shown[0]))
        self.add_button.setEnabled(True)  # a rule is saved only after its preview
        return True

    def add(self) -> bool:
        action, years = self.action.currentData(), self.years.value()
        if not attempt(lambda: self.workspace.retention.add_rule(action, years), self.message):
            return False
        self.add_button.setEnabled(False)
        self.reload()
        return True

    def _chosen(self) -> str | None:
        item = self.rules.currentItem()
        return str(item.data(RULE_ROLE)) if item is not None else None

    def run(self) -> bool:
        rule_id = self._chosen()
        if rule_id is None:
            self.message.setText(tr("Choose a rule first."))
            return False
        done: list[RetentionPreview] = []
        if not attempt(
            lambda: done.append(self.workspace.retention.run_rule(rule_id)), self.message
        ):
            return False
        self.preview_text.setText(
            tr("Done: {0} cases of {1} people, {2} notes.").format(
                done[0].cases, done[0].people, done[0].notes
            )
        )
        self.reload()
        return True

    def remove(self) -> bool:
        rule_id = self._chosen()
        if rule_id is None:
            return False
        if not attempt(lambda: self.workspace.retention.remove_rule(rule_id), self.message):
            return False
        self.reload()
        return True
