"""Drive the real app offscreen and save a screenshot of each screen (for reviewing by eye).

QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots.py OUT_DIR [--dark]

With --dark, the system palette is a dark one (as on a desktop with a dark theme), to see that
every screen stays readable there.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from casework.application.entrance import Entrance
from casework.demo import DEMO_PASSWORD, create_demo_vault
from ui import jobs, layout_memory, style
from ui.windows.main_window import MainWindow


def settle(ms: int = 200) -> None:
    jobs.wait_for_all()
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def dark_palette() -> QPalette:
    """A dark desktop theme's palette (light text on dark ground)."""
    palette = QPalette()
    roles = QPalette.ColorRole
    for role, colour in (
        (roles.Window, "#2b2b2b"),
        (roles.WindowText, "#e8e8e8"),
        (roles.Base, "#1e1e1e"),
        (roles.AlternateBase, "#262626"),
        (roles.Text, "#e8e8e8"),
        (roles.Button, "#353535"),
        (roles.ButtonText, "#e8e8e8"),
        (roles.Highlight, "#3d6fb4"),
        (roles.HighlightedText, "#ffffff"),
        (roles.ToolTipBase, "#353535"),
        (roles.ToolTipText, "#e8e8e8"),
        (roles.PlaceholderText, "#9a9a9a"),
    ):
        palette.setColor(role, QColor(colour))
    return palette


def main(out: Path, dark: bool = False) -> None:
    out.mkdir(parents=True, exist_ok=True)
    qapp = QApplication(sys.argv[:1])
    if dark:  # the desktop's dark theme, which the app's own palette then replaces
        qapp.setStyle("Fusion")
        qapp.setPalette(dark_palette())
    style.apply(qapp)
    root = Path(tempfile.mkdtemp())
    layout_memory.use_folder(root / "config")  # the default layout, not the last run's

    setup_window = MainWindow(Entrance(root / "new"))
    setup_window.show()
    page = setup_window.setup
    page.org_name.setText("Harbour Light Shelter")
    page.country.setText("KE")
    page.province.setText("Mombasa")
    page.admin_username.setText("amina")
    page.admin_name.setText("Amina Wekesa")
    page.password.setText("lantern harbour copper meadow")
    page.confirm.setText("lantern harbour copper meadow")
    settle()
    setup_window.grab().save(str(out / "1-setup.png"))
    page.submit()
    settle(1500)
    setup_window.grab().save(str(out / "2-recovery-code.png"))
    setup_window.close()

    demo = create_demo_vault(root / "demo", 10_000)
    demo.vault.lock()
    window = MainWindow(
        Entrance(root / "demo"),
        f"Demo accounts: caseworker, supervisor, admin. Password: {DEMO_PASSWORD}",
    )
    window.show()
    settle()
    window.grab().save(str(out / "3-sign-in.png"))
    window.sign_in.username.setText("supervisor")
    window.sign_in.password.setText(DEMO_PASSWORD)
    window.sign_in.submit()
    settle(1500)
    view = window.workspace_view
    assert view is not None and view.caseload is not None
    view.open_case(view.caseload.model.data(view.caseload.model.index(0, 0), 257))
    settle()
    window.grab().save(str(out / "4-caseload.png"))
    view.new_survivor()
    form = view.detail.currentWidget()
    form.fields.first_name.setText("Test")
    form.fields.last_name.setText("Person")
    form.fields.citizenship.set_codes(["UA", "MD"])
    form.fields.languages.set_codes(["uk"])
    settle()
    window.grab().save(str(out / "5-new-survivor.png"))
    form.form_area.ensureWidgetVisible(form.fields.other_details)
    settle()
    window.grab().save(str(out / "5c-intake-trafficking.png"))
    view.show_my_tasks()  # she leaves the form: what she typed is kept as a draft
    settle()
    view.new_survivor()
    form = view.detail.currentWidget()
    settle()
    window.grab().save(str(out / "5a-intake-draft-offered.png"))
    form.resume_button.click()
    form.save()
    settle()
    dialog = getattr(form, "duplicates", None)
    if dialog is not None:
        dialog.grab().save(str(out / "5b-duplicates.png"))
        dialog.new_button.click()
        settle()
    window.grab().save(str(out / "6-new-case.png"))
    case = view.detail.currentWidget()
    correction = case.overview.correct("phone")
    correction.fields.phone.setText("+380 67 555 0101")
    settle()
    correction.grab().save(str(out / "6-correct-record.png"))
    correction.save()
    settle()
    case.tabs.setCurrentWidget(case.history)
    settle()
    window.grab().save(str(out / "6-history-with-correction.png"))
    case.tabs.setCurrentWidget(case.overview)
    case.notes.body.setPlainText("Met at the shelter office. She asked about language classes.")
    case.notes.add()
    case.tasks.title.setText("Book the medical appointment")
    case.tasks.add()
    case.tabs.setCurrentWidget(case.notes)
    settle()
    window.grab().save(str(out / "6b-case-notes.png"))
    case.tabs.setCurrentWidget(case.consent)
    settle()
    window.grab().save(str(out / "6c-case-consent.png"))
    case.tabs.setCurrentWidget(case.referrals)
    case.referrals.send()  # no release to the first partner yet: refused, with the way out
    settle()
    window.grab().save(str(out / "6g-referral-blocked.png"))
    case.tabs.setCurrentWidget(case.timeline)
    settle()
    window.grab().save(str(out / "6h-timeline.png"))
    window.shelter_action.trigger()
    settle()
    window.grab().save(str(out / "6i-shelter-board.png"))
    window.calendar_action.trigger()
    settle()
    window.grab().save(str(out / "6j-calendar.png"))
    window.tasks_action.trigger()
    settle()
    window.grab().save(str(out / "6d-my-tasks.png"))
    window.search_box.setText("language classes")
    window._search()
    settle(800)
    window.grab().save(str(out / "6e-search.png"))
    view.caseload.risk.setCurrentIndex(1)
    view.caseload.overdue.setChecked(True)
    settle()
    window.grab().save(str(out / "6f-filtered-caseload.png"))
    window.dashboard_action.trigger()
    settle(2500)
    window.grab().save(str(out / "6k-dashboard.png"))
    board = window.workspace_view.detail.currentWidget()
    board.open_figure(board.board.no_recent_contact)
    settle(1500)
    window.grab().save(str(out / "6l-dashboard-click-through.png"))
    window.audit_action.trigger()
    settle(1500)
    window.grab().save(str(out / "6m-audit.png"))
    printing = window.workspace_view.open_reports()
    settle()
    printing.grab().save(str(out / "6n-print-dialog.png"))
    printing.close()
    window.lock()
    settle()
    window.grab().save(str(out / "7-locked.png"))
    window.sign_in.password.setText(DEMO_PASSWORD)
    window.sign_in.username.setText("admin")
    window.sign_in.submit()
    settle(1500)
    window.grab().save(str(out / "8-admin.png"))
    window.reporting_action.trigger()
    settle()
    window.grab().save(str(out / "9a-reporting.png"))
    page = window.workspace_view.detail.currentWidget()
    wizard = page.open_export()
    settle()
    wizard.grab().save(str(out / "9b-export-choose.png"))
    wizard.next()
    settle(4000)
    wizard.preview_tabs.setCurrentIndex(1)
    settle()
    wizard.grab().save(str(out / "9c-export-preview.png"))
    wizard.back()
    wizard.records_choice.setChecked(True)
    wizard.next()
    settle(6000)
    wizard.grab().save(str(out / "9d-records-preview.png"))
    wizard.close()
    print(f"screenshots in {out} ({date.today()})")
    window.close()


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--dark"]
    main(Path(arguments[0] if arguments else "screenshots"), dark="--dark" in sys.argv[1:])
