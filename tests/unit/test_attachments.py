"""Attachments: checked by content and size, kept encrypted, exported only on purpose."""

from __future__ import annotations

import io
import tempfile
from datetime import date
from pathlib import Path

import pytest
from reportlab import rl_config
from reportlab.pdfgen import canvas
from sqlalchemy import text

from casework.errors import PermissionDenied, ValidationError
from casework.services import attachments, cases
from casework.vault.vault import OpenVault, VaultFolder
from casework.workspace import Workspace
from tests.conftest import WORKER_PASSWORD

PHRASE = "Kestrelwood passport page"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf_with(phrase: str) -> bytes:
    rl_config.pageCompression = 0
    try:
        buffer = io.BytesIO()
        page = canvas.Canvas(buffer)
        page.drawString(72, 720, phrase)
        page.save()
        return buffer.getvalue()
    finally:
        rl_config.pageCompression = 1


@pytest.fixture
def setting(staffed_vault: OpenVault, vault_folder: VaultFolder, today: date):
    amina = vault_folder.unlock("amina", WORKER_PASSWORD)
    with amina.transaction() as session:
        case = cases.record_survivor(
            session, amina.actor, cases.SurvivorInput(first_name="Mai", intake_date=today), today
        )
    yield amina, case
    amina.lock()


def test_types_are_checked_by_content_not_by_name(setting, tmp_path: Path) -> None:
    amina, case = setting
    workspace = Workspace(amina)
    disguised = tmp_path / "scan.pdf"
    disguised.write_text("not a pdf at all")
    with pytest.raises(ValidationError, match="whatever its name says"):
        workspace.attach_file(case.case_id, disguised)
    photo = tmp_path / "photo.txt"
    photo.write_bytes(PNG)
    added = workspace.attach_file(case.case_id, photo, "Photo of the injury")
    assert added.media_type == "image/png" and added.size == len(PNG)
    view, data = workspace.open_attachment(added.attachment_id)
    assert data == PNG and view.description == "Photo of the injury"


def test_the_size_limit_refuses_a_huge_file_without_reading_it(
    setting, staffed_vault: OpenVault, tmp_path: Path
) -> None:
    amina, case = setting
    with pytest.raises(PermissionDenied), amina.transaction() as session:
        attachments.set_limit_mb(session, amina.actor, 1)
    with staffed_vault.transaction() as session:
        attachments.set_limit_mb(session, staffed_vault.actor, 1)
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as handle:
        handle.truncate(2 * 1024**3)  # a sparse 2 GB file: reading it would take the memory
    with pytest.raises(ValidationError, match="at most 1 MB"):
        Workspace(amina).attach_file(case.case_id, huge)
    assert Workspace(amina).case_attachments(case.case_id) == []


def test_an_attachment_never_reaches_disk_in_clear(
    setting, staffed_vault: OpenVault, vault_folder: VaultFolder, tmp_path: Path
) -> None:
    amina, case = setting
    workspace = Workspace(amina)
    source = tmp_path / "outside" / "passport.pdf"
    source.parent.mkdir()
    source.write_bytes(pdf_with(PHRASE))
    added = workspace.attach_file(case.case_id, source)
    workspace.open_attachment(added.attachment_id)
    staffed_vault.backup("attachment-leak-test")
    amina.lock()
    staffed_vault.lock()
    needle = PHRASE.encode()
    assert needle in source.read_bytes()  # the needle really is visible in the plain file
    scanned = [
        p
        for root in (vault_folder.folder, Path(tempfile.gettempdir()))
        for p in root.rglob("*")
        if p.is_file()
    ]
    assert scanned
    for path in scanned:
        assert needle not in path.read_bytes(), path.name


def test_saving_a_copy_out_is_explicit_and_audited(setting, tmp_path: Path) -> None:
    amina, case = setting
    workspace = Workspace(amina)
    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG)
    added = workspace.attach_file(case.case_id, photo)
    target = tmp_path / "copy.png"
    workspace.export_attachment(added.attachment_id, target)
    assert target.read_bytes() == PNG
    with amina.session() as session:
        actions = session.execute(text("SELECT action FROM audit_events")).scalars().all()
    assert "attachment.export" in actions
