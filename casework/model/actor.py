"""Who is acting: the signed-in user, as every service sees them (a value, not a table)."""

from __future__ import annotations

from dataclasses import dataclass

from casework.errors import PermissionDenied
from casework.model.vocab import Role


@dataclass(frozen=True)
class Actor:
    user_id: str
    username: str
    display_name: str
    roles: frozenset[Role]

    def has(self, role: Role) -> bool:
        return role in self.roles

    @property
    def sees_all_cases(self) -> bool:
        return Role.SUPERVISOR in self.roles

    @property
    def works_cases(self) -> bool:
        """Caseworkers and supervisors see case content; administrators and data officers
        alone do not."""
        return bool(self.roles & {Role.CASEWORKER, Role.SUPERVISOR})

    def require(self, *roles: Role) -> None:
        if not self.roles.intersection(roles):
            raise PermissionDenied()

    def stamp(self) -> dict[str, str]:
        """A new row's authorship (``Model(..., **actor.stamp())``): made and last changed by
        this user. Every table carries it, for the audit and for sync."""
        return authored_by(self.user_id)


def authored_by(user_id: str) -> dict[str, str]:
    """A new row's authorship by ``user_id`` (see ``Actor.stamp``)."""
    return {"created_by": user_id, "updated_by": user_id}
