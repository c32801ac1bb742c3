"""User-facing text for errors: domain errors by code, everything else as a calm, generic line."""

from __future__ import annotations

import logging
import sys
import traceback
import uuid
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel

from casework.errors import CaseworkError, from_database_error

log = logging.getLogger("safehold.ui")


def tr(text: str) -> str:
    return QCoreApplication.translate("messages", text)


def _from_database(error: BaseException) -> bool:
    # A DBAPIError exists only once SQLAlchemy is loaded (the sign-in window does not wait).
    loaded = sys.modules.get("sqlalchemy.exc")
    return loaded is not None and isinstance(error, loaded.DBAPIError)


def error_text(error: BaseException) -> str:
    """What to show for an error. Domain messages are fit to show (and carry no survivor data);
    anything else is a bug: it is logged with a reference and the user is told nothing was lost."""
    if not isinstance(error, CaseworkError):
        error = from_database_error(error) or error if _from_database(error) else error
    if isinstance(error, CaseworkError):
        return QCoreApplication.translate("errors", error.message)
    reference = log_unexpected(error)
    return tr("Something went wrong; nothing was lost. Reference: {0}").format(reference)


def log_unexpected(error: BaseException) -> str:
    """Log an unexpected error by type and stack only: its message may quote data."""
    reference = uuid.uuid4().hex[:8]
    frames = traceback.extract_tb(error.__traceback__)
    stack = "".join(traceback.format_list(frames))
    log.error("unexpected %s [ref %s]\n%s", type(error).__name__, reference, stack)
    return reference


def attempt(action: Callable[[], object], message: QLabel) -> bool:
    """Run a service call for a form: a domain error is shown in ``message`` (and False
    returned); success clears it."""
    try:
        action()
    except CaseworkError as error:
        message.setText(error_text(error))
        return False
    message.clear()
    return True
