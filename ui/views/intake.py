"""The intake form: a new survivor and their case. Only a name and the intake date are
required; everything else can wait."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from casework.application.desk import Desk
from casework.application.types import (
    CaseDetail,
    DraftKind,
    KeptDraft,
    PossibleDuplicate,
    SurvivorInput,
)
from casework.errors import CaseworkError, ValidationError
from ui import changes
from ui.drafts import DraftKeeper, State, restore_state, widget_state
from ui.messages import error_text
from ui.views.record_form import RecordFields
from ui.widgets import discard_confirmed, message_label


def tr(text: str) -> str:
    return QCoreApplication.translate("IntakeForm", text)


class DuplicatesDialog(QDialog):
    """Likely matches, shown before a new person is recorded."""

    open_existing = Signal(str)
    record_anyway = Signal()

    def __init__(self, matches: list[PossibleDuplicate], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("This person may already be known"))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        intro = QLabel(tr("Check these before recording a new person, so nobody is entered twice."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget()
        for match in matches:
            reasons = ", ".join(tr(r) for r in match.reasons)
            if match.case_id:
                text = f"{match.name} · {match.reference} · {match.caseworker} — {reasons}"
            else:
                text = tr("A case in {0}'s caseload — {1}. Ask them or a supervisor.").format(
                    match.caseworker or tr("another caseworker"), reasons
                )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, match.case_id)
            self.list.addItem(item)
        layout.addWidget(self.list)
        self.open_button = QPushButton(tr("Open the selected case"))
        self.open_button.setObjectName("openDuplicate")
        self.new_button = QPushButton(tr("Record a new person"))
        self.new_button.setObjectName("recordAnyway")
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.new_button)
        layout.addLayout(buttons)
        self.open_button.clicked.connect(self._open)
        self.new_button.clicked.connect(self._new)
        self.list.currentItemChanged.connect(
            lambda item, _old: self.open_button.setEnabled(
                bool(item and item.data(Qt.ItemDataRole.UserRole))
            )
        )
        self.open_button.setEnabled(False)

    def _open(self) -> None:
        item = self.list.currentItem()
        if item is not None and item.data(Qt.ItemDataRole.UserRole):
            self.accept()
            self.open_existing.emit(item.data(Qt.ItemDataRole.UserRole))

    def _new(self) -> None:
        self.accept()
        self.record_anyway.emit()


class IntakeForm(QWidget):
    """A new person. What is typed is kept as a draft in the vault while it is typed (see
    ui.drafts): leaving the form, a lock or a crash loses nothing, and the next intake offers
    the draft back (``resume``: takes it up at once, as coming back from a lock does)."""

    saved = Signal(object)  # CaseDetail
    cancelled = Signal()
    open_existing = Signal(str)

    def __init__(
        self, workspace: Desk, parent: QWidget | None = None, resume: bool = False
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        title = QLabel(tr("New survivor"))
        title.setObjectName("pageTitle")
        self.fields = RecordFields()
        self._pristine = widget_state(self.fields.inputs())
        self.draft_banner = QFrame()
        self.draft_banner.setObjectName("draftBanner")
        self.draft_text = QLabel()
        self.draft_text.setObjectName("infoText")
        self.draft_text.setWordWrap(True)
        self.resume_button = QPushButton(tr("Go on with it"))
        self.resume_button.setObjectName("resumeDraft")
        self.discard_draft_button = QPushButton(tr("Discard it"))
        self.discard_draft_button.setObjectName("discardDraft")
        banner = QHBoxLayout(self.draft_banner)
        banner.setContentsMargins(0, 0, 0, 0)
        banner.addWidget(self.draft_text, 1)
        banner.addWidget(self.resume_button)
        banner.addWidget(self.discard_draft_button)
        self.draft_banner.hide()

        self.error = message_label("errorText")
        self.save_button = QPushButton(tr("Save and open the case"))
        self.save_button.setObjectName("saveIntake")
        self.save_button.setDefault(True)
        cancel = QPushButton(tr("Cancel"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)

        self.form_area = scroll = QScrollArea()
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.fields)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.draft_banner)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)

        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.cancel)
        self.resume_button.clicked.connect(self._resume)
        self.discard_draft_button.clicked.connect(self._discard_kept)
        self.keeper = DraftKeeper(self, workspace, DraftKind.INTAKE, None, self._draft)
        self.keeper.watch(self.fields.inputs())
        self._kept = self.keeper.kept()
        if self._kept is not None and resume:
            self._resume()
        elif self._kept is not None:
            self._offer(self._kept)
        self.fields.first_name.setFocus(Qt.FocusReason.OtherFocusReason)

    def _draft(self) -> State | None:
        state = widget_state(self.fields.inputs())
        return None if state == self._pristine else state

    @property
    def edited(self) -> bool:
        return self._draft() is not None

    def _offer(self, kept: KeptDraft) -> None:
        """A draft from before: go on with it or discard it, before typing anything new (the
        fields wait, so the draft is never overwritten unasked)."""
        when = kept.kept_at.astimezone().strftime("%Y-%m-%d %H:%M")
        name = str(kept.content.get("first_name", "")).strip()
        self.draft_text.setText(
            tr("You started recording {0} on {1} and did not save. Go on with it?").format(
                name or tr("a person"), when
            )
        )
        self.draft_banner.show()
        self.fields.setEnabled(False)
        self.save_button.setEnabled(False)
        self.keeper.paused = True
        self.resume_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _answered(self) -> None:
        self.draft_banner.hide()
        self.fields.setEnabled(True)
        self.save_button.setEnabled(True)
        self.keeper.paused = False
        self.fields.first_name.setFocus(Qt.FocusReason.OtherFocusReason)

    def _resume(self) -> None:
        if self._kept is not None:
            restore_state(self.fields.inputs(), self._kept.content)
            self._kept = None
        self._answered()

    def _discard_kept(self) -> None:
        self._kept = None
        self._answered()
        self.keeper.discard()

    def cancel(self) -> None:
        """Cancel: typed work is not thrown away unasked."""
        if self.edited and not self._discard_confirmed():
            return
        self.keeper.discard()
        self.keeper.paused = True  # done with: leaving the form keeps nothing
        self.cancelled.emit()

    def _discard_confirmed(self) -> bool:
        return discard_confirmed(
            self,
            tr("Discard this intake?"),
            tr("What you typed about this person is not saved. Discard it?"),
        )

    def collect(self) -> SurvivorInput:
        return self.fields.collect()

    def save(self) -> None:
        """Check for likely duplicates first; record once the user has seen them."""
        try:
            data = self.collect()
            matches = self.workspace.cases.possible_duplicates(data)
        except CaseworkError as error:
            self.error.setText(error_text(error))
            return
        if matches and data.first_name.strip():
            self.duplicates = DuplicatesDialog(matches, self)
            self.duplicates.open_existing.connect(self.open_existing)
            self.duplicates.record_anyway.connect(self.record)
            self.duplicates.open()
            return
        self.record()

    def record(self) -> None:
        self.keeper.forget()  # recording removes the draft; a keep on its way must not revive it
        try:
            detail: CaseDetail = self.workspace.cases.record_survivor(self.collect())
        except ValidationError as error:
            self.keeper.touch()
            self.error.setText(error_text(error))
            field = self.fields.field_for(error.field)
            if field is not None:
                field.setFocus()
            return
        except CaseworkError as error:
            self.keeper.touch()
            self.error.setText(error_text(error))
            return
        self.keeper.paused = True  # recorded: leaving the form keeps nothing
        changes.announce(self)  # the caseload, the dashboard: the new case shows everywhere
        self.saved.emit(detail)
