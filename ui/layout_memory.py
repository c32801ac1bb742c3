"""What the window's layout was, kept between runs: its size and place, the caseload's divider
and its columns. QSettings holds layout and nothing else (never a name, a reference, a search
or a case id: security.md), in an INI file of the user's configuration folder.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QMainWindow, QSplitter

_folder: Path | None = None

# The only keys ever written.
WINDOW = "layout/window"
DIVIDER = "layout/caseload-divider"
COLUMNS = "layout/caseload-columns"


def use_folder(folder: Path | None) -> None:
    """Keep the layout under ``folder`` (tests: their own); None: the user's config folder."""
    global _folder
    _folder = folder


def _settings() -> QSettings:
    folder = _folder or Path(platformdirs.user_config_dir("safehold", appauthor=False))
    return QSettings(str(folder / "layout.ini"), QSettings.Format.IniFormat)


def _read(key: str) -> QByteArray | None:
    value = _settings().value(key)
    return value if isinstance(value, QByteArray) and value.size() < 4096 else None


def remember_window(window: QMainWindow) -> None:
    _settings().setValue(WINDOW, window.saveGeometry())


def recall_window(window: QMainWindow) -> bool:
    """The window as it was last closed (False: nothing kept, or it does not read)."""
    geometry = _read(WINDOW)
    return geometry is not None and window.restoreGeometry(geometry)


def remember_caseload(splitter: QSplitter, header: QHeaderView) -> None:
    settings = _settings()
    settings.setValue(DIVIDER, splitter.saveState())
    widths = [str(header.sectionSize(i)) for i in range(header.count())]
    settings.setValue(COLUMNS, ",".join(widths))


def recall_caseload(splitter: QSplitter, header: QHeaderView) -> None:
    """The divider and the columns' widths (not the order of rows: the caseload sorts as
    before the lock, by its own hand-on)."""
    divider = _read(DIVIDER)
    if divider is not None:
        splitter.restoreState(divider)
    columns = _settings().value(COLUMNS)
    if isinstance(columns, str):
        parts = columns.split(",")
        if len(parts) == header.count() and all(
            p.isdigit() and 20 <= int(p) <= 2000 for p in parts
        ):
            for index, width in enumerate(parts):
                header.resizeSection(index, int(width))
