"""The Attachments section."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from casework.application.desk import Desk
from casework.errors import CaseworkError
from ui.messages import error_text
from ui.save_dialogs import ask_save_path, start_folder
from ui.views.attachment_viewer import AttachmentViewer
from ui.views.case.common import fill_table, selected_key, table, tr
from ui.views.tab import Saving, Tab


class AttachmentsTab(Tab):
    def __init__(self, workspace: Desk, case_id: str) -> None:
        super().__init__(workspace, case_id)
        self.description = QLineEdit()
        self.description.setPlaceholderText(tr("What it is: consent form, identity document…"))
        self.attach_button = attach = QPushButton(tr("Attach a file…"))
        attach.setObjectName("attachFile")
        view = QPushButton(tr("View"))
        view.setObjectName("viewAttachment")
        export = QPushButton(tr("Save a copy out…"))
        self.list = table(
            [tr("Added"), tr("What"), tr("Type"), tr("Size")],
            tr("No attachments yet. Attach a scan or a photo of a document with the button above."),
        )
        top = QHBoxLayout()
        top.addWidget(self.description, 1)
        top.addWidget(attach)
        actions = QHBoxLayout()
        actions.addWidget(view)
        actions.addStretch(1)
        actions.addWidget(export)
        self.list.needs_row(view, export)
        note = QLabel(tr("Files are kept encrypted in the vault. Saving a copy out is recorded."))
        note.setObjectName("subtitle")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addWidget(self.list, 1)
        layout.addLayout(actions)
        attach.clicked.connect(lambda: self.attach())
        view.clicked.connect(lambda: self.view())
        export.clicked.connect(lambda: self.export())
        self.names: dict[str, str] = {}
        self.reload()

    def reload(self) -> None:
        items = self.workspace.attachments.of_case(self.case_id)
        fill_table(
            self.list,
            [
                [
                    a.added_at.astimezone().strftime("%Y-%m-%d"),
                    a.description or a.filename,
                    a.media_type.split("/")[-1].upper(),
                    f"{a.size / 1024:.0f} KB",
                ]
                for a in items
            ],
            [a.attachment_id for a in items],
        )
        self.names = {a.attachment_id: a.filename for a in items}

    def attach(self, path: str | None = None) -> Saving | None:
        """Read, check and encrypt the file off the UI thread (it may be as large as the
        organisation allows)."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self,
                tr("Attach a file"),
                str(start_folder()),
                tr("Documents and photos (*.pdf *.png *.jpg *.jpeg *.gif *.webp)"),
            )
            if not path:
                return None
        chosen = Path(path)
        attachments, case_id = self.workspace.attachments, self.case_id
        description = self.description.text()
        return self.submit(
            lambda: attachments.attach(case_id, chosen, description),
            lambda _attachment: self.description.clear(),
            busy=[self.attach_button],
        )

    def view(self) -> AttachmentViewer | None:
        attachment_id = selected_key(self.list)
        if attachment_id is None:
            self.message.setText(tr("Choose an attachment first."))
            return None
        try:
            info, data = self.workspace.attachments.open(attachment_id)
        except CaseworkError as error:
            self.message.setText(error_text(error))
            return None
        viewer = AttachmentViewer(info, data, self)
        viewer.show()
        return viewer

    def export(self, path: str | None = None) -> Saving | None:
        attachment_id = selected_key(self.list)
        if attachment_id is None:
            self.message.setText(tr("Choose an attachment first."))
            return None
        if path is None:
            name = self.names.get(attachment_id, "attachment")
            chosen = ask_save_path(self, tr("Save a copy out"), name, suffix="")
            if chosen is None:
                return None
            path = str(chosen)
        target, attachments = Path(path), self.workspace.attachments
        return self.submit(lambda: attachments.export(attachment_id, target))
