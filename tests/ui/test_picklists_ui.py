"""The intake's HTCDS fields as a caseworker fills them: countries and languages found by name
(never typed as codes), the victim fields chosen from their lists, all shown back by name."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QToolButton
from pytestqt.qtbot import QtBot

from casework.model.vocab import Control, Industry, Recruitment, Relationship
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import WORKER_PASSWORD
from tests.ui.conftest import MakeWindow, choose, sign_in
from ui.drafts import widget_state
from ui.pickers import CodePicker
from ui.views.case import CaseView
from ui.views.intake import IntakeForm

LEFT = Qt.MouseButton.LeftButton


def tick(qtbot: QtBot, box: QCheckBox) -> None:
    box.ensurePolished()
    qtbot.mouseClick(box, LEFT, pos=QPoint(8, box.height() // 2))


def chips(picker: CodePicker) -> list[str]:
    return [c.text() for c in picker.findChildren(QToolButton, "chosenCode") if c.isVisible()]


def test_an_intake_chooses_by_name_and_shows_names_back(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    window = make_window(vault_folder)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    view = window.workspace_view
    assert view is not None
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = view.detail.currentWidget()
    assert isinstance(form, IntakeForm)
    fields = form.fields
    qtbot.keyClicks(fields.first_name, "Olena")
    # "uk" names no country: the box keeps what was typed and nothing is chosen
    choose(qtbot, fields.citizenship, "uk")
    assert fields.citizenship.codes() == ()
    fields.citizenship.finder.setEditText("")
    choose(qtbot, fields.citizenship, "United Kingdom", "ukraine")
    assert fields.citizenship.codes() == ("GB", "UA")
    # the chosen are on screen by name, each a button that removes it
    assert chips(fields.citizenship) == ["United Kingdom  ✕", "Ukraine  ✕"]
    [ukraine] = [c for c in fields.citizenship.findChildren(QToolButton) if "Ukr" in c.text()]
    qtbot.mouseClick(ukraine, LEFT)
    assert fields.citizenship.codes() == ("GB",)
    assert chips(fields.citizenship) == ["United Kingdom  ✕"]
    choose(qtbot, fields.citizenship, "Ukraine")
    choose(qtbot, fields.languages, "uk", "Russian")
    assert fields.languages.codes() == ("uk", "ru")
    choose(qtbot, fields.country_of_exploitation, "United Arab Emirates")
    choose(qtbot, fields.country_of_exploitation, "Qatar")  # one only: the new one replaces it
    assert fields.country_of_exploitation.code() == "QA"
    assert widget_state(fields.inputs())["citizenship"] == ["GB", "UA"]  # drafts keep them
    tick(qtbot, fields.recruitment[Recruitment.ONLINE_ADVERTISEMENT])
    tick(qtbot, fields.control[Control.WITHHOLDS_DOCUMENTS])
    fields.relationship.setCurrentIndex(fields.relationship.findData(Relationship.ACQUAINTED))
    fields.industry.setCurrentIndex(fields.industry.findData(Industry.CONSTRUCTION))
    fields.number_of_children.setFocus()
    for _ in range(3):  # from "Not recorded", through none, to two
        qtbot.keyClick(fields.number_of_children, Qt.Key.Key_Up)
    qtbot.mouseClick(form.save_button, LEFT)
    qtbot.waitUntil(lambda: isinstance(view.detail.currentWidget(), CaseView), timeout=10000)
    case = view.detail.currentWidget()
    assert isinstance(case, CaseView)
    detail = case.overview.detail
    assert detail.citizenship == ("GB", "UA") and detail.languages == ("uk", "ru")
    assert detail.country_of_exploitation == "QA"
    assert detail.recruitment_methods == (Recruitment.ONLINE_ADVERTISEMENT,)
    assert detail.methods_of_control == (Control.WITHHOLDS_DOCUMENTS,)
    assert detail.relationship_to_trafficker is Relationship.ACQUAINTED
    assert detail.number_of_children == 2
    shown = {label.text() for label in case.overview.findChildren(QLabel) if label.isVisible()}
    assert "United Kingdom, Ukraine" in shown
    assert "Ukrainian, Russian" in shown
    assert "Qatar" in shown
    assert "Through an online advertisement" in shown
    assert "Withholds identity or travel documents" in shown
    assert "Someone they knew" in shown
    assert "Construction" in shown
