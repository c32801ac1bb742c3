"""Staff accounts: administrators manage them; nobody else can."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.errors import AccountDisabled, NotFound, ValidationError, WrongCredentials
from casework.model import Organisation, User, UserRole
from casework.model.actor import Actor, authored_by
from casework.model.base import new_id, utcnow
from casework.model.vocab import Role
from casework.passwords import check_password
from casework.services import audit, drafts
from casework.services.organisation import the_organisation
from casework.vault.engine import open_engine
from casework.vault.opened import OpenVault, grants_for, upgraded_keyring
from casework.vault.vault import VaultFolder

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


def normalise_username(username: str) -> str:
    name = username.strip().casefold()
    if not name or len(name) > 64 or any(ch.isspace() or not ch.isprintable() for ch in name):
        raise ValidationError("A user name is 1 to 64 letters, digits or signs, without spaces.")
    return name


@dataclass(frozen=True)
class FirstAdministrator:
    """A new vault's organisation and first administrator, checked before any file is made."""

    org_name: str
    country: str
    province: str
    username: str
    display_name: str

    @classmethod
    def checked(
        cls,
        org_name: str,
        country: str,
        province: str,
        username: str,
        password: str,
        display_name: str = "",
    ) -> FirstAdministrator:
        org_name = org_name.strip()
        country = country.strip().upper()
        if not org_name:
            raise ValidationError("Enter the organisation's name.", field="org_name")
        if len(country) != 2 or not country.isalpha():
            raise ValidationError(
                "Enter the country as a two-letter code, such as KE.", field="country"
            )
        name = normalise_username(username)
        check_password(password, username=name, organisation=org_name)
        return cls(org_name, country, province.strip(), name, display_name.strip() or name)

    def write(self, session: Session, audit_root_key: bytes) -> None:
        """The vault's first rows: the administrator, the organisation, the audit chain's
        start and its first row (``VaultFolder.create`` runs this in its transaction)."""
        admin = User(username=self.username, display_name=self.display_name)
        admin.created_by = admin.updated_by = admin.id = new_id()
        admin.roles.append(UserRole(role=Role.ADMINISTRATOR, **authored_by(admin.id)))
        org = Organisation(
            name=self.org_name,
            country=self.country,
            province=self.province,
            **authored_by(admin.id),
        )
        session.add_all([admin, org])
        session.flush()
        audit.initialise(session, audit_root_key, admin.id)
        audit.record(session, admin.id, "vault.create", "organisation", org.id)


def signed_in(vault: OpenVault) -> Actor:
    """The account whose slot opened ``vault``: WrongCredentials if there is none (the account
    was removed but not its slot), AccountDisabled if it is disabled."""
    with vault.session() as session:
        user = session.execute(
            select(User).where(
                func.lower(User.username) == vault.username, User.deleted_at.is_(None)
            )
        ).scalar_one_or_none()
        if user is None:
            raise WrongCredentials()
        if user.disabled_at is not None:
            raise AccountDisabled()
        return Actor(user.id, user.username, user.display_name or user.username, user.role_set())


def record_sign_in(vault: OpenVault, actor: Actor) -> None:
    with vault.transaction() as session:
        audit.record(session, actor.user_id, "session.unlock", "user", actor.user_id)


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


def organisation_info(vault: OpenVault) -> OrganisationInfo:
    with vault.session() as session:
        org = the_organisation(session)
        return OrganisationInfo(
            org.name, org.country, org.province, org.auto_lock_minutes, org.attachment_limit_mb
        )


def add_user(
    vault: OpenVault,
    actor: Actor,
    username: str,
    password: str,
    roles: frozenset[Role],
    display_name: str = "",
) -> UserSummary:
    """Create an account and its keyring slot (administrators only)."""
    actor.require(Role.ADMINISTRATOR)
    if not roles:
        raise ValidationError("Give the account at least one role.", field="roles")
    name = normalise_username(username)
    with vault.transaction() as session:
        org = the_organisation(session)
        check_password(password, username=name, organisation=org.name)
        exists = session.execute(select(User.id).where(func.lower(User.username) == name)).first()
        if exists:
            raise ValidationError("That user name is already taken.", field="username")
        user = User(
            username=name,
            display_name=display_name.strip() or name,
            **actor.stamp(),
        )
        for role in sorted(roles):
            user.roles.append(UserRole(role=role, **actor.stamp()))
        session.add(user)
        session.flush()
        audit.record(session, actor.user_id, "user.add", "user", user.id)
        # The slot is written inside the transaction: if it fails, the account is not created.
        vault.set_user_slot(name, password, roles)
        return _summary(user)


def list_users(vault: OpenVault, actor: Actor) -> list[UserSummary]:
    actor.require(Role.ADMINISTRATOR, Role.SUPERVISOR)
    with vault.session() as session:
        users = session.execute(
            select(User).where(User.deleted_at.is_(None)).order_by(User.username)
        ).scalars()
        return [_summary(u) for u in users]


def disable_user(vault: OpenVault, actor: Actor, username: str) -> UserSummary:
    """Remove a user's access: the account is kept for the record, its keyring slot is deleted
    and the database moves to a new key, then a fresh backup is taken."""
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
        drafts.purge_of_user(session, user.id)  # what they typed and never saved goes too
        summary = _summary(user)
    epoch = vault.remove_slot_and_rekey(summary.username)
    with vault.transaction() as session:
        audit.start_epoch(session, actor.user_id, epoch.root_key, epoch.keyring_id)
    vault.refresh_anchor()
    vault.backup("after-user-removed")
    return summary


def reset_password(vault: OpenVault, actor: Actor, username: str, new_password: str) -> UserSummary:
    """An administrator sets a new password for someone who forgot theirs (re-enabling a
    disabled account too). The database file is not touched."""
    actor.require(Role.ADMINISTRATOR)
    with vault.transaction() as session:
        user = _find_user(session, username)
        check_password(
            new_password, username=user.username, organisation=the_organisation(session).name
        )
        user.disabled_at = None
        user.updated_by = actor.user_id
        audit.record(session, actor.user_id, "user.reset-password", "user", user.id)
        vault.set_user_slot(
            user.username, new_password, user.role_set(), vault.slot_grants(user.username)
        )
        return _summary(user)


def change_own_password(
    vault: OpenVault, actor: Actor, old_password: str, new_password: str
) -> None:
    with vault.transaction() as session:
        check_password(
            new_password, username=actor.username, organisation=the_organisation(session).name
        )
        audit.record(session, actor.user_id, "user.change-password", "user", actor.user_id)
        vault.change_own_password(old_password, new_password)


def set_auto_lock_minutes(vault: OpenVault, actor: Actor, minutes: int) -> None:
    actor.require(Role.ADMINISTRATOR)
    if not MIN_AUTO_LOCK_MINUTES <= minutes <= MAX_AUTO_LOCK_MINUTES:
        raise ValidationError(
            f"Choose between {MIN_AUTO_LOCK_MINUTES} and {MAX_AUTO_LOCK_MINUTES} minutes."
        )
    with vault.transaction() as session:
        org = the_organisation(session)
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
                new_password, username=user.username, organisation=the_organisation(session).name
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


def set_backup_folder(vault: OpenVault, actor: Actor, folder: Path | None) -> None:
    """Where this machine's backups go (an external drive, say); None for the vault's own."""
    actor.require(Role.ADMINISTRATOR)
    vault.set_backup_folder(folder)
