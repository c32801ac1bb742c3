"""Staff accounts: administrators manage them; nobody else can."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.errors import NotFound, ValidationError
from casework.model import Organisation, User, UserRole
from casework.model.base import utcnow
from casework.model.vocab import Role
from casework.passwords import check_password
from casework.services import audit
from casework.vault.engine import open_engine
from casework.vault.vault import (
    OpenVault,
    VaultFolder,
    grants_for,
    normalise_username,
    upgraded_keyring,
)

MIN_AUTO_LOCK_MINUTES = 1
MAX_AUTO_LOCK_MINUTES = 60


@dataclass(frozen=True)
class UserSummary:
    user_id: str
    username: str
    display_name: str
    roles: tuple[Role, ...]
    disabled_at: datetime | None

    @property
    def active(self) -> bool:
        return self.disabled_at is None


@dataclass(frozen=True)
class OrganisationInfo:
    name: str
    country: str
    province: str
    auto_lock_minutes: int
    attachment_limit_mb: int


def _summary(user: User) -> UserSummary:
    roles = tuple(sorted(user.role_set(), key=lambda r: list(Role).index(r)))
    return UserSummary(user.id, user.username, user.display_name, roles, user.disabled_at)


def _find_user(session: Session, username: str) -> User:
    user = session.execute(
        select(User).where(func.lower(User.username) == username.strip().casefold())
    ).scalar_one_or_none()
    if user is None or user.deleted_at is not None:
        raise NotFound("There is no account with that user name.")
    return user


def _organisation(session: Session) -> Organisation:
    return session.execute(
        select(Organisation).where(Organisation.deleted_at.is_(None))
    ).scalar_one()


def organisation_info(vault: OpenVault) -> OrganisationInfo:
    with vault.session() as session:
        org = _organisation(session)
        return OrganisationInfo(
            org.name, org.country, org.province, org.auto_lock_minutes, org.attachment_limit_mb
        )


def add_user(
    vault: OpenVault,
    username: str,
    password: str,
    roles: frozenset[Role],
    display_name: str = "",
) -> UserSummary:
    """Create an account and its keyring slot (administrators only)."""
    actor = vault.actor
    actor.require(Role.ADMINISTRATOR)
    if not roles:
        raise ValidationError("Give the account at least one role.", field="roles")
    name = normalise_username(username)
    with vault.transaction() as session:
        org = _organisation(session)
        check_password(password, username=name, organisation=org.name)
        exists = session.execute(select(User.id).where(func.lower(User.username) == name)).first()
        if exists:
            raise ValidationError("That user name is already taken.", field="username")
        user = User(
            username=name,
            display_name=display_name.strip() or name,
            created_by=actor.user_id,
            updated_by=actor.user_id,
        )
        for role in sorted(roles):
            user.roles.append(
                UserRole(role=role, created_by=actor.user_id, updated_by=actor.user_id)
            )
        session.add(user)
        session.flush()
        audit.record(session, actor.user_id, "user.add", "user", user.id)
        # The slot is written inside the transaction: if it fails, the account is not created.
        vault.set_user_slot(name, password, roles)
        return _summary(user)


def list_users(vault: OpenVault) -> list[UserSummary]:
    actor = vault.actor
    actor.require(Role.ADMINISTRATOR, Role.SUPERVISOR)
    with vault.session() as session:
        users = session.execute(
            select(User).where(User.deleted_at.is_(None)).order_by(User.username)
        ).scalars()
        return [_summary(u) for u in users]


def disable_user(vault: OpenVault, username: str) -> UserSummary:
    """Remove a user's access: the account is kept for the record, its keyring slot is deleted
    and the database moves to a new key, then a fresh backup is taken."""
    actor = vault.actor
    actor.require(Role.ADMINISTRATOR)
    with vault.transaction() as session:
        user = _find_user(session, username)
        if user.id == actor.user_id:
            raise ValidationError("You cannot disable your own account.")
        if user.disabled_at is not None and not vault.has_slot(user.username):
            return _summary(user)  # already removed
        # A slot still there for an account marked disabled (in the database, by anyone who
        # holds its key) is removed now, with the rotation.
        user.disabled_at = utcnow()
        user.updated_by = actor.user_id
        audit.record(session, actor.user_id, "user.disable", "user", user.id)
        summary = _summary(user)
    vault.remove_slot_and_rekey(summary.username)
    vault.backup("after-user-removed")
    return summary


def reset_password(vault: OpenVault, username: str, new_password: str) -> UserSummary:
    """An administrator sets a new password for someone who forgot theirs (re-enabling a
    disabled account too). The database file is not touched."""
    actor = vault.actor
    actor.require(Role.ADMINISTRATOR)
    with vault.transaction() as session:
        user = _find_user(session, username)
        check_password(
            new_password, username=user.username, organisation=_organisation(session).name
        )
        user.disabled_at = None
        user.updated_by = actor.user_id
        audit.record(session, actor.user_id, "user.reset-password", "user", user.id)
        vault.set_user_slot(
            user.username, new_password, user.role_set(), vault.slot_grants(user.username)
        )
        return _summary(user)


def change_own_password(vault: OpenVault, old_password: str, new_password: str) -> None:
    actor = vault.actor
    with vault.transaction() as session:
        check_password(
            new_password, username=actor.username, organisation=_organisation(session).name
        )
        audit.record(session, actor.user_id, "user.change-password", "user", actor.user_id)
        vault.change_own_password(old_password, new_password)


def set_auto_lock_minutes(vault: OpenVault, minutes: int) -> None:
    actor = vault.actor
    actor.require(Role.ADMINISTRATOR)
    if not MIN_AUTO_LOCK_MINUTES <= minutes <= MAX_AUTO_LOCK_MINUTES:
        raise ValidationError(
            f"Choose between {MIN_AUTO_LOCK_MINUTES} and {MAX_AUTO_LOCK_MINUTES} minutes."
        )
    with vault.transaction() as session:
        org = _organisation(session)
        org.auto_lock_minutes = minutes
        org.updated_by = actor.user_id
        audit.record(session, actor.user_id, "settings.auto-lock", "organisation", org.id)


def reset_password_with_recovery_code(
    folder: VaultFolder, recovery_code: str, username: str, new_password: str
) -> None:
    """Office-safe recovery: the recovery code lets an administrator's password be reset when
    no administrator can sign in."""
    keyring, secrets = folder.open_with_recovery_code(recovery_code)
    engine = open_engine(folder.database, secrets.database_key)
    try:
        with Session(engine) as session, session.begin():
            user = _find_user(session, username)
            roles = user.role_set()
            check_password(
                new_password, username=user.username, organisation=_organisation(session).name
            )
            user.disabled_at = None
            audit.record(session, user.id, "user.recovery-reset", "user", user.id)
            audit_key, backup_key = grants_for(roles)
            if keyring.format < 2:
                keyring, secrets = upgraded_keyring(keyring, secrets, session)
            assert secrets.keyring_key is not None
            # The recovery slot holds the keyring key: slots that do not verify go.
            keyring.drop_slots(keyring.authenticate(secrets.keyring_key))
            slot_id = keyring.slot_id(user.username)
            if keyring.has_slot(slot_id):  # never more than the slot's authenticated grants
                had_audit, had_backup = keyring.slot_grants(slot_id)
                audit_key, backup_key = audit_key and had_audit, backup_key and had_backup
            keyring.set_slot(
                keyring.slot_id(user.username),
                "user",
                new_password,
                keyring.default_params,
                secrets.restricted(audit=audit_key, backup=backup_key),
                secrets.keyring_key,
            )
            keyring.save(folder.keyring_path)
    finally:
        engine.dispose()
