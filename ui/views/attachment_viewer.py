"""Viewing an attachment from memory: images decoded from bytes, PDFs read through a QBuffer.
Nothing is written to a temporary file; closing the window (or locking) drops the bytes."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QDialog, QLabel, QScrollArea, QVBoxLayout, QWidget

from casework.application.types import AttachmentView


def tr(text: str) -> str:
    return QCoreApplication.translate("AttachmentViewer", text)


class AttachmentViewer(QDialog):
    def __init__(
        self, attachment: AttachmentView, data: bytes, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # The title is the description, not the file name, which may carry a person's name.
        self.setWindowTitle(tr("Attachment"))
        self.resize(800, 900)
        layout = QVBoxLayout(self)
        if attachment.media_type == "application/pdf":
            self._bytes = QByteArray(data)
            self._buffer = QBuffer(self._bytes, self)
            self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
            self.document = QPdfDocument(self)
            self.document.load(self._buffer)
            self.view: QWidget = QPdfView(self)
            self.view.setDocument(self.document)
            self.view.setPageMode(QPdfView.PageMode.MultiPage)
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            layout.addWidget(self.view)
        else:
            image = QImage.fromData(data)
            label = QLabel()
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            if image.isNull():
                label.setText(tr("This image cannot be shown."))
            else:
                label.setPixmap(QPixmap.fromImage(image))
            scroll = QScrollArea()
            scroll.setWidget(label)
            scroll.setWidgetResizable(True)
            self.view = scroll
            layout.addWidget(scroll)
        caption = QLabel(attachment.description or attachment.filename)
        caption.setWordWrap(True)
        layout.addWidget(caption)

    @property
    def pages(self) -> int:
        document = getattr(self, "document", None)
        return document.pageCount() if document is not None else 0
