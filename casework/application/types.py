"""What the desk hands out and takes in: the frozen records the screens show, the inputs and
filters they build, and the limits they respect. The UI imports these from here, never from
the services that make them (the import contract in pyproject.toml holds it to that)."""

from __future__ import annotations

from casework.services.accounts import MAX_AUTO_LOCK_MINUTES, MIN_AUTO_LOCK_MINUTES
from casework.services.attachments import AttachmentView
from casework.services.audit_review import LIMIT as AUDIT_ROWS_SHOWN
from casework.services.audit_review import AuditFilter, AuditRow
from casework.services.cases import (
    CaseDetail,
    CaseFilter,
    CaseloadWindow,
    CaseRow,
    CaseSort,
    SurvivorInput,
)
from casework.services.consent import ConsentMissing
from casework.services.corrections import FIELD_LABELS, ChangedMeanwhile, FieldChange
from casework.services.drafts import DraftKind, KeptDraft
from casework.services.integrity import IntegrityReport
from casework.services.legal import HearingView
from casework.services.lifecycle import OpenWork
from casework.services.notes import NOTE_HITS, NoteHit
from casework.services.retention import ERASE_CASES, PURGE_NOTES
from casework.services.retention import Preview as RetentionPreview
from casework.services.search import PersonHit, PossibleDuplicate
from casework.services.shelter import BedState
from casework.services.supervision import DEFAULT_NO_CONTACT_DAYS, Dashboard, Figure
from casework.services.tasks import MyTasks, TaskView
from casework.services.timeline import EventKind
from casework.vault.restore import RestoreReport

__all__ = [
    "AUDIT_ROWS_SHOWN",
    "DEFAULT_NO_CONTACT_DAYS",
    "ERASE_CASES",
    "FIELD_LABELS",
    "MAX_AUTO_LOCK_MINUTES",
    "MIN_AUTO_LOCK_MINUTES",
    "NOTE_HITS",
    "PURGE_NOTES",
    "AttachmentView",
    "AuditFilter",
    "AuditRow",
    "BedState",
    "CaseDetail",
    "CaseFilter",
    "CaseRow",
    "CaseSort",
    "CaseloadWindow",
    "ChangedMeanwhile",
    "ConsentMissing",
    "Dashboard",
    "DraftKind",
    "EventKind",
    "FieldChange",
    "Figure",
    "HearingView",
    "IntegrityReport",
    "KeptDraft",
    "MyTasks",
    "NoteHit",
    "OpenWork",
    "PersonHit",
    "PossibleDuplicate",
    "RestoreReport",
    "RetentionPreview",
    "SurvivorInput",
    "TaskView",
]
