"""Where a document the user asked for is saved: a save dialog that opens in the user's
documents folder (then where they last saved, for the rest of the run, kept in memory only),
suggests a name that carries no one's name (a case reference, a date), and gives a PDF its
".pdf" when the name typed has none."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

_last_folder: Path | None = None


def tr(text: str) -> str:
    return QCoreApplication.translate("SaveDialogs", text)


def start_folder() -> Path:
    """The folder a save dialog opens in: the last one used in this run, else Documents."""
    if _last_folder is not None and _last_folder.is_dir():
        return _last_folder
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(documents) if documents else Path.home()
    return folder if folder.is_dir() else Path.home()


def with_suffix(chosen: str, suffix: str) -> Path:
    """``chosen`` with ``suffix`` (".pdf") added when it has no suffix of that kind."""
    path = Path(chosen)
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


def ask_save_path(parent: QWidget, title: str, suggested: str, suffix: str = ".pdf") -> Path | None:
    """Ask where to save, starting from ``suggested`` in the start folder; None if cancelled.
    With ``suffix`` "" the name is kept as typed (a copy of an attachment)."""
    global _last_folder
    filters = tr("PDF (*.pdf)") if suffix == ".pdf" else ""
    chosen, _ = QFileDialog.getSaveFileName(parent, title, str(start_folder() / suggested), filters)
    if not chosen:
        return None
    path = with_suffix(chosen, suffix) if suffix else Path(chosen)
    _last_folder = path.parent
    return path
