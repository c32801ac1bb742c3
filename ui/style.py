"""Safehold's look: its style sheet, and the light palette the style sheet is drawn for.

The style sheet paints grounds light (cards, buttons, tables) and leaves most text to the
palette. On a desktop with a dark theme the palette's text is light too, and text vanished on
the light grounds (found by screenshots in a dark palette). Until Safehold has a dark look of
its own, it sets the light palette its style sheet was made for, whatever the desktop's theme.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

STYLE_SHEET = Path(__file__).resolve().parent.parent / "resources" / "styles" / "safehold.qss"

_LIGHT = (
    (QPalette.ColorRole.Window, "#f4f6f8"),
    (QPalette.ColorRole.WindowText, "#1b2730"),
    (QPalette.ColorRole.Base, "#ffffff"),
    (QPalette.ColorRole.AlternateBase, "#f3f6f8"),
    (QPalette.ColorRole.Text, "#1b2730"),
    (QPalette.ColorRole.Button, "#ffffff"),
    (QPalette.ColorRole.ButtonText, "#1b2730"),
    (QPalette.ColorRole.BrightText, "#ffffff"),
    (QPalette.ColorRole.Highlight, "#1f5f8b"),
    (QPalette.ColorRole.HighlightedText, "#ffffff"),
    (QPalette.ColorRole.ToolTipBase, "#ffffff"),
    (QPalette.ColorRole.ToolTipText, "#1b2730"),
    (QPalette.ColorRole.PlaceholderText, "#6b7a85"),
    (QPalette.ColorRole.Link, "#1f5f8b"),
)
_DISABLED_TEXT = "#8a969f"


def light_palette() -> QPalette:
    palette = QPalette()
    for role, colour in _LIGHT:
        palette.setColor(role, QColor(colour))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(_DISABLED_TEXT))
    return palette


def apply(app: QApplication) -> None:
    """The style sheet and its palette, for the app, its tests' tools and its benchmarks."""
    app.setPalette(light_palette())
    if STYLE_SHEET.exists():
        app.setStyleSheet(STYLE_SHEET.read_text(encoding="utf-8"))
