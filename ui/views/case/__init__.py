"""One case's screen, a module per section."""

from ui.views.case.view import CaseView

__all__ = ["CaseView"]
