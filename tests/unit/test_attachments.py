"""Attachments: checked by content and size, kept encrypted, exported only on purpose."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfWriter
from reportlab import rl_config
from reportlab.pdfgen import canvas
from sqlalchemy import text

from casework.application.desk import Desk
from casework.errors import CaseworkError, PermissionDenied, ValidationError
from casework.services import attachments, cases
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import WORKER_PASSWORD
from tests.factories import actor_of, unlock

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


# Amina, signed in, and a case of hers.
Setting = tuple[OpenVault, cases.CaseDetail]


@pytest.fixture
def setting(staffed_vault: OpenVault, vault_folder: VaultFolder, today: date) -> Iterator[Setting]:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    with amina.transaction() as session:
        case = cases.record_survivor(
            session,
            actor_of(amina),
            cases.SurvivorInput(first_name="Mai", intake_date=today),
            today,
        )
    yield amina, case
    amina.lock()


def test_types_are_checked_by_content_not_by_name(setting: Setting, tmp_path: Path) -> None:
    amina, case = setting
    workspace = Desk(amina, actor_of(amina))
    disguised = tmp_path / "scan.pdf"
    disguised.write_text("not a pdf at all")
    with pytest.raises(ValidationError, match="whatever its name says"):
        workspace.attachments.attach(case.case_id, disguised)
    photo = tmp_path / "photo.txt"
    photo.write_bytes(PNG)
    added = workspace.attachments.attach(case.case_id, photo, "Photo of the injury")
    assert added.media_type == "image/png" and added.size == len(PNG)
    view, data = workspace.attachments.open(added.attachment_id)
    assert data == PNG and view.description == "Photo of the injury"


def test_the_size_limit_refuses_a_huge_file_without_reading_it(
    setting: Setting, staffed_vault: OpenVault, tmp_path: Path
) -> None:
    amina, case = setting
    with pytest.raises(PermissionDenied), amina.transaction() as session:
        attachments.set_limit_mb(session, actor_of(amina), 1)
    with staffed_vault.transaction() as session:
        attachments.set_limit_mb(session, actor_of(staffed_vault), 1)
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as handle:
        handle.truncate(2 * 1024**3)  # a sparse 2 GB file: reading it would take the memory
    with pytest.raises(ValidationError, match="at most 1 MB"):
        Desk(amina, actor_of(amina)).attachments.attach(case.case_id, huge)
    assert Desk(amina, actor_of(amina)).attachments.of_case(case.case_id) == []


def test_an_attachment_never_reaches_disk_in_clear(
    setting: Setting, staffed_vault: OpenVault, vault_folder: VaultFolder, tmp_path: Path
) -> None:
    amina, case = setting
    workspace = Desk(amina, actor_of(amina))
    source = tmp_path / "outside" / "passport.pdf"
    source.parent.mkdir()
    source.write_bytes(pdf_with(PHRASE))
    added = workspace.attachments.attach(case.case_id, source)
    workspace.attachments.open(added.attachment_id)
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


def test_saving_a_copy_out_is_explicit_and_audited(setting: Setting, tmp_path: Path) -> None:
    amina, case = setting
    workspace = Desk(amina, actor_of(amina))
    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG)
    added = workspace.attachments.attach(case.case_id, photo)
    target = tmp_path / "copy.png"
    workspace.attachments.export(added.attachment_id, target)
    assert target.read_bytes() == PNG
    with amina.session() as session:
        actions = session.execute(text("SELECT action FROM audit_events")).scalars().all()
    assert "attachment.export" in actions


# -- hostile files and names (issue 15) -------------------------------------------------------


def test_a_file_that_only_starts_like_a_pdf_is_refused(setting: Setting, tmp_path: Path) -> None:
    amina, case = setting
    workspace = Desk(amina, actor_of(amina))
    fake = tmp_path / "statement.pdf"
    fake.write_bytes(b"%PDF-1.7\n<html><body><script>alert(1)</script></body></html>\n")
    with pytest.raises(ValidationError, match="damaged or is not one"):
        workspace.attachments.attach(case.case_id, fake)
    locked = io.BytesIO()
    writer = PdfWriter(clone_from=io.BytesIO(pdf_with(PHRASE)))
    writer.encrypt(user_password="open sesame", owner_password="owner")
    writer.write(locked)
    protected = tmp_path / "protected.pdf"
    protected.write_bytes(locked.getvalue())
    with pytest.raises(ValidationError, match="protected by a password"):
        workspace.attachments.attach(case.case_id, protected)
    assert workspace.attachments.of_case(case.case_id) == []
    real = tmp_path / "real.pdf"
    real.write_bytes(pdf_with(PHRASE))
    assert workspace.attachments.attach(case.case_id, real).media_type == "application/pdf"


def test_stored_names_lose_control_and_direction_characters(
    setting: Setting, tmp_path: Path
) -> None:
    amina, case = setting
    hostile = "\x1b]0;owned\x07scan\x1b[2J\u202efdp.exe\u2066"
    with amina.transaction() as session:
        added = attachments.add_attachment(session, actor_of(amina), case.case_id, hostile, PNG)
        long = attachments.add_attachment(
            session, actor_of(amina), case.case_id, "Ж" * 300 + ".pdf.png", PNG
        )
        empty = attachments.add_attachment(
            session, actor_of(amina), case.case_id, "\u202e\x00", PNG
        )
    assert added.filename == "]0;ownedscan[2Jfdp.exe"
    assert long.filename.endswith(".png") and len(long.filename) <= 120
    assert len(long.filename.encode()) <= 240 and empty.filename == "attachment"
    with amina.transaction() as session:  # a vault from before the names were cleaned
        session.execute(
            text("UPDATE attachments SET filename = :name WHERE id = :id"),
            {"name": hostile, "id": added.attachment_id},
        )
    shown = {
        a.attachment_id: a.filename
        for a in Desk(amina, actor_of(amina)).attachments.of_case(case.case_id)
    }
    assert shown[added.attachment_id] == "]0;ownedscan[2Jfdp.exe"
    with amina.transaction() as session:
        name, _data = attachments.export_attachment(session, actor_of(amina), added.attachment_id)
    assert name == "]0;ownedscan[2Jfdp.exe"


def test_saving_a_copy_to_a_bad_place_says_what_to_do(setting: Setting, tmp_path: Path) -> None:
    amina, case = setting
    workspace = Desk(amina, actor_of(amina))
    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG)
    added = workspace.attachments.attach(case.case_id, photo)
    out = tmp_path / "out"
    out.mkdir()
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)  # like /dev/null: replacing it with a file would be a disaster
    places = [
        (out / "copy\x00.png", "cannot contain"),
        (out / "no such folder" / "copy.png", "does not exist"),
        (out, "A folder already has that name"),
        (out / ("n" * 300 + ".png"), "too long"),
        (pipe, "not an ordinary file"),
    ]
    if Path("/proc").is_dir():
        places.append((Path("/proc/copy.png"), "cannot be saved in that folder"))
    for target, says in places:
        with pytest.raises(CaseworkError, match=says) as refused:
            workspace.attachments.export(added.attachment_id, target)
        assert "copy" not in refused.value.message and str(tmp_path) not in refused.value.message
    assert list(out.iterdir()) == []  # nothing half-written left behind
    assert pipe.is_fifo()
