"""Dark and light desktops: whatever the system's colour scheme, Safehold's text is readable on
its grounds (WCAG 2.2 AA contrast, 4.5:1), because it sets the complete palette its style sheet
is drawn for; and a form's text, rendered, is dark on light."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from ui import style

DARK_DESKTOP = {
    QPalette.ColorRole.Window: "#202124",
    QPalette.ColorRole.WindowText: "#e8eaed",
    QPalette.ColorRole.Base: "#2b2c2f",
    QPalette.ColorRole.Text: "#e8eaed",
    QPalette.ColorRole.Button: "#3c4043",
    QPalette.ColorRole.ButtonText: "#e8eaed",
}


def luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture(params=["light", "dark"])
def desktop(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    """The system's palette before Safehold applies its look (restored after)."""
    before = qapp.palette()
    sheet = qapp.styleSheet()
    if request.param == "dark":
        palette = QPalette()
        for role, colour in DARK_DESKTOP.items():
            palette.setColor(role, QColor(colour))
        qapp.setPalette(palette)
    style.apply(qapp)
    yield request.param
    qapp.setPalette(before)
    qapp.setStyleSheet(sheet)


def test_text_reads_on_its_ground_on_any_desktop(desktop: str, qapp: QApplication) -> None:
    palette = qapp.palette()
    for text, ground in (
        (QPalette.ColorRole.WindowText, QPalette.ColorRole.Window),
        (QPalette.ColorRole.Text, QPalette.ColorRole.Base),
        (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Button),
        (QPalette.ColorRole.HighlightedText, QPalette.ColorRole.Highlight),
        (QPalette.ColorRole.ToolTipText, QPalette.ColorRole.ToolTipBase),
    ):
        ratio = contrast(palette.color(text), palette.color(ground))
        assert ratio >= 4.5, (desktop, text, ground, ratio)


def test_a_form_renders_dark_text_on_light_ground(desktop: str, qtbot: QtBot) -> None:
    form = QWidget()
    qtbot.addWidget(form)
    layout = QVBoxLayout(form)
    label = QLabel("█" * 8)  # a glyph that fills its box: the text's colour, sampled
    field = QLineEdit("█" * 8)
    layout.addWidget(label)
    layout.addWidget(field)
    form.resize(300, 100)
    form.show()
    qtbot.waitExposed(form)
    image = form.grab().toImage()
    ground = QColor(image.pixel(2, 2))
    ink = QColor(image.pixel(label.x() + 8, label.y() + label.height() // 2))
    assert contrast(ink, ground) >= 4.5, (desktop, ink.name(), ground.name())
    assert luminance(ground) > luminance(ink)
