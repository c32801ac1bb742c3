"""The signed-in user's desk: every service call the UI and safehold-admin make, grouped by
area (``desk.cases``, ``desk.notes``, ``desk.shelter``, …), each in its own session, and the
work running on them.

Nothing above this layer opens a database session; it holds a ``Desk`` and gets back frozen
dataclasses. Background work calls the same methods from a worker thread (each call opens its
own session, so threads never share one) and is tracked by the desk (``begin``/``end``, or
``working``): ``close`` cancels what runs, waits for it (bounded), and only then locks the
vault, so lock always wins and nothing is written after it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator

from casework.application.case_areas import (
    Attachments,
    Cases,
    Consent,
    Drafts,
    Notes,
    Tasks,
)
from casework.application.office import Accounts, Backups, Imports, Printing, Reporting
from casework.application.oversight import AuditTrail, Retention, Supervision
from casework.application.service_areas import Counseling, Legal, Referrals, Shelter
from casework.application.work import Work
from casework.clock import SYSTEM, Clock
from casework.errors import VaultLocked
from casework.model.actor import Actor
from casework.model.vocab import Role
from casework.vault.opened import OpenVault

# How long closing the desk (lock, sign-out, quit) waits for running work to stop.
CLOSE_WAIT_SECONDS = 5.0


log = logging.getLogger(__name__)


class Desk:
    """The signed-in user's desk: its areas (``desk.cases``, ``desk.notes``, …, see
    casework.application.area), and the work running on them."""

    def __init__(self, vault: OpenVault, actor: Actor, clock: Clock = SYSTEM) -> None:
        self.vault = vault
        self.actor = actor
        self.clock = clock
        self.cases = Cases(self)
        self.consent = Consent(self)
        self.notes = Notes(self)
        self.drafts = Drafts(self)
        self.tasks = Tasks(self)
        self.attachments = Attachments(self)
        self.referrals = Referrals(self)
        self.shelter = Shelter(self)
        self.counseling = Counseling(self)
        self.legal = Legal(self)
        self.supervision = Supervision(self)
        self.audit = AuditTrail(self)
        self.retention = Retention(self)
        self.accounts = Accounts(self)
        self.backups = Backups(self)
        self.printing = Printing(self)
        self.reporting = Reporting(self)
        self.imports = Imports(self)
        self._running: set[Work] = set()
        self._guard = threading.Lock()
        self._closed = False

    def begin(self, work: Work) -> None:
        """Track ``work`` from now until ``end``; refused (VaultLocked) once the desk closes."""
        with self._guard:
            if self._closed:
                raise VaultLocked()
            self._running.add(work)

    def end(self, work: Work) -> None:
        with self._guard:
            self._running.discard(work)
        work._ended.set()

    @contextlib.contextmanager
    def working(self) -> Iterator[Work]:
        """Work done here and now (safehold-admin's, a test's), tracked like background work."""
        work = Work()
        self.begin(work)
        try:
            yield work
        finally:
            self.end(work)

    @property
    def running(self) -> int:
        with self._guard:
            return len(self._running)

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self, wait_seconds: float = CLOSE_WAIT_SECONDS) -> list[Work]:
        """Lock, sign-out or quit: refuse new work, cancel what runs, wait for it to end (up to
        ``wait_seconds`` in all), then lock the vault (which stops a write still running, see
        OpenVault.lock). Returns the work that had not ended when the vault locked."""
        with self._guard:
            self._closed = True
            running = list(self._running)
        for work in running:
            work.cancel()
        deadline = time.monotonic() + wait_seconds
        for work in running:
            work.wait(max(0.0, deadline - time.monotonic()))
        self.vault.lock()
        left = [work for work in running if not work.ended]
        if left:
            log.warning("%d piece(s) of work had not stopped when the vault locked", len(left))
        return left

    @property
    def works_cases(self) -> bool:
        return self.actor.works_cases

    @property
    def is_admin(self) -> bool:
        return self.actor.has(Role.ADMINISTRATOR)

    def after_erasing(self) -> None:
        """After people are erased (a retention rule, an approved request): no backup, log
        page or unsigned ledger keeps them."""
        # Backups are marked first: it is quick, and a lock arriving meanwhile must not leave
        # a backup that still holds the erased person unmarked (the checkpoint can wait).
        self.vault.expire_backups("holds records since removed")
        self.vault.checkpoint()
        # The erasure ledger (in the audit anchor, which backups carry) at once, where this
        # session can sign it; a caseworker's session leaves it to the next supervisor's.
        self.vault.refresh_anchor()

    def lock(self) -> None:
        self.close()
