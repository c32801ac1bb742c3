"""Drive the real app offscreen and save a screenshot of each screen (for reviewing by eye).

.venv/bin/python tools/screenshots.py OUT_DIR [--dark] [--screen laptop|hd150|WxH@SCALE]

With --dark, the system palette is a dark one (as on a desktop with a dark theme), to see that
every screen stays readable there. --screen is the screen it runs on: ``laptop`` is 1366×768 at
100% (the default), ``hd150`` 1920×1080 at 150% (1280×720 of room). Each window and dialog is
checked against the screen: one larger than the room, or asking for more than it (its minimum
size), is listed at the end as not fitting.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from casework.application.entrance import Entrance
from casework.demo import DEMO_PASSWORD, create_demo_vault
from ui import jobs, layout_memory, style
from ui.windows.main_window import MainWindow

SCREENS = {"laptop": "1366x768@1", "hd150": "1920x1080@1.5"}
FRAME_ROOM = (16, 48)  # the window manager's borders and title bar
problems: list[str] = []
out = Path("screenshots")


def use_screen(spec: str, folder: Path) -> str:
    """Run Qt's offscreen platform on a screen of ``spec`` pixels and scaling (before the
    QApplication exists): its configuration names the screen in logical pixels."""
    size, scale = SCREENS.get(spec, spec).split("@")
    width, height = (int(n) for n in size.split("x"))
    factor = float(scale)
    screen = {
        "name": "Screenshots",
        "x": 0,
        "y": 0,
        "width": round(width / factor),
        "height": round(height / factor),
        "logicalDpi": 96,
        "logicalBaseDpi": 96,
        "dpr": factor,
    }
    config = folder / "screen.json"
    config.write_text(json.dumps({"screens": [screen]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    return f"{width}×{height} at {factor:.0%}"


def shot(widget: QWidget, name: str) -> None:
    """Save the widget as it is on screen, and note it if it does not fit the screen."""
    widget.grab().save(str(out / name))
    room = widget.screen().availableGeometry().size()
    room.setWidth(room.width() - FRAME_ROOM[0])
    room.setHeight(room.height() - FRAME_ROOM[1])
    for what, size in (("is", widget.size()), ("needs at least", widget.minimumSizeHint())):
        if size.width() > room.width() or size.height() > room.height():
            problems.append(
                f"{name}: {what} {size.width()}×{size.height()}, the screen has "
                f"{room.width()}×{room.height()}"
            )


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


def main(folder: Path, dark: bool = False, screen: str = "laptop") -> None:
    global out
    out = folder
    out.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp())
    described = use_screen(screen, root)
    qapp = QApplication(sys.argv[:1])
    if dark:  # the desktop's dark theme, which the app's own palette then replaces
        qapp.setStyle("Fusion")
        qapp.setPalette(dark_palette())
    style.apply(qapp)
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
    shot(setup_window, "1-setup.png")
    page.submit()
    settle(1500)
    shot(setup_window, "2-recovery-code.png")
    setup_window.close()

    demo = create_demo_vault(root / "demo", 10_000)
    demo.vault.lock()
    window = MainWindow(
        Entrance(root / "demo"),
        f"Demo accounts: caseworker, supervisor, admin. Password: {DEMO_PASSWORD}",
    )
    window.show()
    settle()
    shot(window, "3-sign-in.png")
    window.sign_in.username.setText("supervisor")
    window.sign_in.password.setText(DEMO_PASSWORD)
    window.sign_in.submit()
    settle(1500)
    view = window.workspace_view
    assert view is not None and view.caseload is not None
    view.open_case(view.caseload.model.data(view.caseload.model.index(0, 0), 257))
    settle()
    shot(window, "4-caseload.png")
    view.new_survivor()
    form = view.detail.currentWidget()
    form.fields.first_name.setText("Test")
    form.fields.last_name.setText("Person")
    form.fields.citizenship.set_codes(["UA", "MD"])
    form.fields.languages.set_codes(["uk"])
    settle()
    shot(window, "5-new-survivor.png")
    form.form_area.ensureWidgetVisible(form.fields.other_details)
    settle()
    shot(window, "5c-intake-trafficking.png")
    view.show_my_tasks()  # she leaves the form: what she typed is kept as a draft
    settle()
    view.new_survivor()
    form = view.detail.currentWidget()
    settle()
    shot(window, "5a-intake-draft-offered.png")
    form.resume_button.click()
    form.save()
    settle()
    dialog = getattr(form, "duplicates", None)
    if dialog is not None:
        shot(dialog, "5b-duplicates.png")
        dialog.new_button.click()
        settle()
    shot(window, "6-new-case.png")
    case = view.detail.currentWidget()
    correction = case.overview.correct("phone")
    correction.fields.phone.setText("+380 67 555 0101")
    settle()
    shot(correction, "6-correct-record.png")
    correction.save()
    settle()
    case.tabs.setCurrentWidget(case.history)
    settle()
    shot(window, "6-history-with-correction.png")
    case.tabs.setCurrentWidget(case.overview)
    case.notes.body.setPlainText("Met at the shelter office. She asked about language classes.")
    case.notes.add()
    case.tasks.title.setText("Book the medical appointment")
    case.tasks.add()
    case.tabs.setCurrentWidget(case.notes)
    settle()
    shot(window, "6b-case-notes.png")
    case.tabs.setCurrentWidget(case.consent)
    settle()
    shot(window, "6c-case-consent.png")
    case.tabs.setCurrentWidget(case.referrals)
    case.referrals.send()  # no release to the first partner yet: refused, with the way out
    settle()
    shot(window, "6g-referral-blocked.png")
    case.tabs.setCurrentWidget(case.timeline)
    settle()
    shot(window, "6h-timeline.png")
    window.shelter_action.trigger()
    settle()
    shot(window, "6i-shelter-board.png")
    window.calendar_action.trigger()
    settle()
    shot(window, "6j-calendar.png")
    window.tasks_action.trigger()
    settle()
    shot(window, "6d-my-tasks.png")
    window.search_box.setText("language classes")
    window._search()
    settle(800)
    shot(window, "6e-search.png")
    view.caseload.risk.setCurrentIndex(1)
    view.caseload.overdue.setChecked(True)
    settle()
    shot(window, "6f-filtered-caseload.png")
    window.dashboard_action.trigger()
    settle(2500)
    shot(window, "6k-dashboard.png")
    board = window.workspace_view.detail.currentWidget()
    board.open_figure(board.board.no_recent_contact)
    settle(1500)
    shot(window, "6l-dashboard-click-through.png")
    window.audit_action.trigger()
    settle(1500)
    shot(window, "6m-audit.png")
    printing = window.workspace_view.open_reports()
    settle()
    shot(printing, "6n-print-dialog.png")
    printing.close()
    window.lock()
    settle()
    shot(window, "7-locked.png")
    window.sign_in.password.setText(DEMO_PASSWORD)
    window.sign_in.username.setText("admin")
    window.sign_in.submit()
    settle(1500)
    shot(window, "8-admin.png")
    window.reporting_action.trigger()
    settle()
    shot(window, "9a-reporting.png")
    page = window.workspace_view.detail.currentWidget()
    wizard = page.open_export()
    settle()
    shot(wizard, "9b-export-choose.png")
    wizard.next()
    settle(4000)
    wizard.preview_tabs.setCurrentIndex(1)
    settle()
    shot(wizard, "9c-export-preview.png")
    wizard.back()
    wizard.records_choice.setChecked(True)
    wizard.next()
    settle(6000)
    shot(wizard, "9d-records-preview.png")
    wizard.close()
    print(f"screenshots in {out} ({date.today()}, {described}, {'dark' if dark else 'light'})")
    for problem in problems:
        print("does not fit:", problem)
    window.close()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default="screenshots", type=Path)
    parser.add_argument("--dark", action="store_true")
    parser.add_argument("--screen", default="laptop")
    options = parser.parse_args()
    main(options.folder, dark=options.dark, screen=options.screen)
