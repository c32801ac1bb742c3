"""Forgetting a person: every row about them, in one transaction, leaving only a tombstone of
ids and the audit trail. SQLCipher's secure_delete and FTS5's secure-delete overwrite what is
removed; the caller checkpoints the WAL afterwards so no old page image survives there."""

from __future__ import annotations

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from casework.model import (
    Assignment,
    Attachment,
    AttachmentContent,
    Case,
    CaseNote,
    CaseReview,
    ClosureRequest,
    ConsentRecord,
    CounselingSession,
    Draft,
    Erasure,
    ErasureRequest,
    Hearing,
    LegalMatter,
    RecordChange,
    Referral,
    StatusChange,
    Stay,
    Survivor,
    Task,
    WaitingListEntry,
)
from casework.model.actor import Actor
from casework.model.vocab import Role
from casework.services import audit
from casework.services.notes import unindex

# Rows that hang off a case, children before parents.
CASE_CHILDREN = (
    StatusChange,
    RecordChange,  # holds the values a correction replaced: the person's data
    Draft,  # what a user typed about the person and has not saved
    Assignment,
    ClosureRequest,
    CaseReview,
    ErasureRequest,
    Task,
    CounselingSession,
    Referral,
    Stay,
    WaitingListEntry,
)


def erase_person(
    session: Session, actor: Actor, case_id: str, request_id: str, by_rule: bool = False
) -> str:
    """Erase the survivor of ``case_id`` and every case of theirs; returns the tombstone id.
    Runs in the caller's transaction: all of it happens, or none. A supervisor approves an
    erasure request; ``by_rule``, an administrator's retention rule is the authority."""
    if not by_rule:
        actor.require(Role.SUPERVISOR)
    survivor_id = session.execute(select(Case.survivor_id).where(Case.id == case_id)).scalar_one()
    case_ids = list(
        session.execute(select(Case.id).where(Case.survivor_id == survivor_id)).scalars()
    )
    for note_id in session.execute(
        select(CaseNote.id).where(CaseNote.case_id.in_(case_ids))
    ).scalars():
        unindex(session, note_id)
    for one_case in case_ids:
        session.execute(text("DELETE FROM people_fts WHERE case_id = :id"), {"id": one_case})
    session.execute(delete(CaseNote).where(CaseNote.case_id.in_(case_ids)))
    attachments = select(Attachment.id).where(Attachment.case_id.in_(case_ids))
    session.execute(
        delete(AttachmentContent).where(AttachmentContent.attachment_id.in_(attachments))
    )
    session.execute(delete(Attachment).where(Attachment.case_id.in_(case_ids)))
    matters = select(LegalMatter.id).where(LegalMatter.case_id.in_(case_ids))
    session.execute(delete(Hearing).where(Hearing.matter_id.in_(matters)))
    session.execute(delete(LegalMatter).where(LegalMatter.case_id.in_(case_ids)))
    for model in CASE_CHILDREN:
        session.execute(delete(model).where(model.case_id.in_(case_ids)))
    session.execute(delete(ConsentRecord).where(ConsentRecord.survivor_id == survivor_id))
    session.execute(delete(Case).where(Case.id.in_(case_ids)))
    session.execute(delete(Survivor).where(Survivor.id == survivor_id))
    tombstone = Erasure(
        survivor_id=survivor_id,
        case_ids=case_ids,
        request_id=request_id,
        **actor.stamp(),
    )
    session.add(tombstone)
    session.flush()
    audit.record(session, actor.user_id, "survivor.erased", "survivor", survivor_id)
    return tombstone.id


# Who erases again at a restore: the erasure ledger is the authority, not a signed-in user.
RESTORER = Actor("restore", "restore", "restore", frozenset())


def erase_again(session: Session, survivor_ids: set[str]) -> int:
    """Erase again every person of an erasure ledger that a restored database still holds
    (they were erased after its backup was taken); returns how many. Restore calls this
    before the restored vault exists (see casework.vault.restore)."""
    present = session.execute(
        select(Case.survivor_id, Case.id).where(Case.survivor_id.in_(sorted(survivor_ids)))
    ).all()
    first_case = {survivor: case for survivor, case in reversed(present)}
    for case_id in first_case.values():
        erase_person(session, RESTORER, case_id, "ledger", by_rule=True)
    return len(first_case)
