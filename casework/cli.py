"""``safehold-admin``: the administrator's and data officer's command line (docs/cli.md).

Exit status 0 on success, 1 when the user or the data is at fault (one sentence on standard
error, no traceback), 2 for wrong usage. Passwords come from standard input only.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from sqlalchemy.exc import DBAPIError

from casework import __version__
from casework.application.desk import Desk
from casework.application.entrance import Entrance
from casework.errors import (
    CaseworkError,
    ValidationError,
    VaultNotFound,
    from_database_error,
)
from casework.model.vocab import Role
from casework.platform import default_vault_folder, harden_process
from casework.vault.schema import head_revision

ROLE_NAMES = {role.value: role for role in Role}


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


class Passwords:
    """Passwords one per line on standard input (``--password-stdin``), or typed at a prompt
    that does not echo. Never an argument, never an environment variable."""

    def __init__(self, from_stdin: bool, stdin: TextIO) -> None:
        self.from_stdin = from_stdin
        self.stdin = stdin

    def read(self, prompt: str, confirm: bool = False) -> str:
        if self.from_stdin:
            line = self.stdin.readline()
            if not line:
                raise CaseworkError(
                    "Standard input ended before all the passwords needed were read."
                )
            return line.rstrip("\r\n")
        if not self.stdin.isatty():
            raise UsageError("give passwords on standard input with --password-stdin")
        first = getpass.getpass(prompt)
        if confirm and getpass.getpass("Repeat it: ") != first:
            raise CaseworkError("The two passwords typed did not match.")
        return first


GLOBAL_FLAGS = {"--password-stdin": "password_stdin", "--json": "json"}
GLOBAL_OPTIONS = {"--vault": "vault", "--user": "user"}


def split_global_options(argv: Sequence[str]) -> tuple[dict[str, Any], list[str]]:
    """Global options may stand before or after the command words: take them out first."""
    found: dict[str, Any] = {"vault": None, "user": None, "password_stdin": False, "json": False}
    rest: list[str] = []
    items = list(argv)
    i = 0
    while i < len(items):
        item = items[i]
        name, _, value = item.partition("=")
        if item in GLOBAL_FLAGS:
            found[GLOBAL_FLAGS[item]] = True
        elif name in GLOBAL_OPTIONS:
            if not value:
                if i + 1 >= len(items):
                    raise UsageError(f"{name} needs a value")
                i += 1
                value = items[i]
            found[GLOBAL_OPTIONS[name]] = value
        else:
            rest.append(item)
        i += 1
    return found, rest


def build_parser() -> Parser:
    parser = Parser(prog="safehold-admin", description="Safehold's administration tool.")
    parser.add_argument("--version", action="store_true", help="print the app and schema versions")
    commands = parser.add_subparsers(dest="command", parser_class=Parser)

    init = commands.add_parser("init", help="create a new, empty encrypted vault")
    init.add_argument("--org-name", required=True)
    init.add_argument("--country", required=True, help="ISO 3166 alpha-2 code, such as KE")
    init.add_argument("--province", default="")
    init.add_argument("--admin", required=True, help="the first administrator's user name")

    demo = commands.add_parser("demo", help="create a new vault filled with synthetic cases")
    demo.add_argument("--cases", type=int, default=200)
    demo.add_argument("--seed", type=int, default=1)

    users = commands.add_parser("users", help="staff accounts")
    users_commands = users.add_subparsers(dest="users_command", parser_class=Parser, required=True)
    add = users_commands.add_parser("add", help="add an account")
    add.add_argument("name")
    add.add_argument("--role", action="append", required=True, choices=sorted(ROLE_NAMES))
    add.add_argument("--display-name", default="")
    users_commands.add_parser("list", help="list accounts")
    disable = users_commands.add_parser("disable", help="remove an account's access (rekeys)")
    disable.add_argument("name")
    reset = users_commands.add_parser("reset-password", help="set a new password for an account")
    reset.add_argument("name")
    reset.add_argument(
        "--recovery", action="store_true", help="authorise with the recovery code instead of --user"
    )

    imports = commands.add_parser("import", help="import people and cases")
    import_commands = imports.add_subparsers(
        dest="import_command", parser_class=Parser, required=True
    )
    import_cases = import_commands.add_parser(
        "cases", help="from a CSV file or the HTCDS Excel template"
    )
    import_cases.add_argument("file", type=Path)
    import_cases.add_argument(
        "--commit", action="store_true", help="import (without it: a dry run)"
    )

    profiles = commands.add_parser("profiles", help="reporting profiles")
    profile_commands = profiles.add_subparsers(
        dest="profiles_command", parser_class=Parser, required=True
    )
    add_profile = profile_commands.add_parser("add", help="add a reporting profile")
    add_profile.add_argument("name")
    add_profile.add_argument("--hub-id", required=True)
    add_profile.add_argument("--recipient", default="")
    add_profile.add_argument("--threshold", type=int, default=10)
    add_profile.add_argument("--rounding", type=int, default=5)
    add_profile.add_argument("--records", action="store_true", help="allow record-level exports")
    add_profile.add_argument("--k", type=int, default=11)
    add_profile.add_argument("--l", type=int, default=2)
    profile_commands.add_parser("list", help="list reporting profiles")

    export = commands.add_parser("export", help="de-identified exports")
    export_commands = export.add_subparsers(
        dest="export_command", parser_class=Parser, required=True
    )
    quarterly = export_commands.add_parser("quarterly", help="the quarterly aggregate report")
    quarterly.add_argument("--period", required=True, help="such as 2026-Q3")
    quarterly.add_argument("--profile", required=True)
    quarterly.add_argument("--out", required=True, type=Path)
    records = export_commands.add_parser("records", help="the record-level de-identified export")
    records.add_argument("--year", required=True, help="such as 2026")
    records.add_argument("--profile", required=True)
    records.add_argument("--out", required=True, type=Path)

    backup = commands.add_parser("backup", help="write an encrypted, verified backup")
    backup.add_argument("--out", required=True, type=Path, help="the backup file to write")
    restore = commands.add_parser(
        "restore",
        help="restore a backup into a new vault (--vault DIR, which must not hold one), or "
        "replace a damaged vault (--replace-damaged)",
    )
    source = restore.add_mutually_exclusive_group(required=True)
    source.add_argument("--from", dest="source", type=Path, help="the backup file")
    source.add_argument(
        "--latest",
        action="store_true",
        help="the vault's newest backup that authenticates (in every folder it has used)",
    )
    restore.add_argument(
        "--recovery", action="store_true", help="authorise with the recovery code instead of --user"
    )
    restore.add_argument(
        "--replace-damaged",
        action="store_true",
        help="the vault in --vault is damaged: set its files aside, unchanged, in a folder "
        "beside it, and restore in its place (the files are put back if the restore fails)",
    )
    verify = commands.add_parser(
        "verify", help="check database integrity and the audit chain, read-only"
    )
    verify.add_argument(
        "--details", action="store_true", help="also print SQLite's full output on damage"
    )
    return parser


class Context:
    def __init__(self, options: dict[str, Any], stdin: TextIO, stdout: TextIO) -> None:
        self.entrance = Entrance(
            Path(options["vault"]) if options["vault"] else default_vault_folder()
        )
        self.user: str | None = options["user"]
        self.json: bool = options["json"]
        self.passwords = Passwords(options["password_stdin"], stdin)
        self.stdout = stdout

    def user_and_password(self) -> tuple[str, str]:
        if not self.user:
            raise UsageError("this command needs --user NAME")
        if not self.entrance.exists():
            raise VaultNotFound(f"There is no Safehold vault in {self.entrance.folder}.")
        return self.user, self.passwords.read(f"Password for {self.user}: ")

    def sign_in(self) -> Desk:
        """The user's desk, as the app's sign-in gives it, less the whole-file check at sign-in
        (``verify`` does that, read-only)."""
        return self.entrance.sign_in(*self.user_and_password(), check_first=False)

    def emit(self, data: Any, text: str) -> None:
        self.stdout.write((json.dumps(data, indent=1, default=str) if self.json else text) + "\n")


def cmd_init(ctx: Context, args: argparse.Namespace) -> int:
    password = ctx.passwords.read(f"New password for {args.admin}: ", confirm=True)
    created = ctx.entrance.create(
        org_name=args.org_name,
        country=args.country,
        province=args.province,
        admin_username=args.admin,
        admin_password=password,
    )
    created.desk.close()
    print(
        "Print the recovery code below and keep it in the office safe. It is shown only once; "
        "it can reset an administrator's password.",
        file=sys.stderr,
    )
    ctx.emit(
        {"vault": str(ctx.entrance.folder), "recovery_code": created.recovery_code},
        f"Vault created in {ctx.entrance.folder}\nRecovery code: {created.recovery_code}",
    )
    return 0


def cmd_demo(ctx: Context, args: argparse.Namespace) -> int:
    from casework.demo import DEMO_PASSWORD, create_demo_vault

    if args.cases < 0:
        raise UsageError("--cases must be 0 or more")
    demo = create_demo_vault(ctx.entrance.folder, args.cases, args.seed)
    demo.vault.lock()
    ctx.emit(
        {"vault": str(ctx.entrance.folder), "cases": args.cases, "password": DEMO_PASSWORD},
        f"Demo vault with {args.cases} synthetic cases in {ctx.entrance.folder}\n"
        f"Sign in as admin, caseworker or supervisor with the password: {DEMO_PASSWORD}",
    )
    return 0


def with_desk(action: Callable[[Desk], int]) -> Callable[[Context], int]:
    """``action`` at the signed-in user's desk, closed after it (as the app's lock closes it)."""

    def run(ctx: Context) -> int:
        desk = ctx.sign_in()
        try:
            with desk.working():
                return action(desk)
        finally:
            desk.close()

    return run


def cmd_users(ctx: Context, args: argparse.Namespace) -> int:
    if args.users_command == "reset-password" and args.recovery:
        code = ctx.passwords.read("Recovery code: ")
        password = ctx.passwords.read(f"New password for {args.name}: ", confirm=True)
        ctx.entrance.reset_with_recovery_code(code, args.name, password)
        ctx.emit({"user": args.name, "reset": True}, f"Password reset for {args.name}.")
        return 0

    def act(desk: Desk) -> int:
        if args.users_command == "list":
            users = desk.accounts.users()
            ctx.emit(
                [
                    {
                        "name": u.username,
                        "display_name": u.display_name,
                        "roles": [r.value for r in u.roles],
                        "active": u.active,
                    }
                    for u in users
                ],
                "\n".join(
                    f"{u.username}\t{','.join(r.value for r in u.roles)}\t"
                    f"{'active' if u.active else 'disabled'}"
                    for u in users
                ),
            )
        elif args.users_command == "add":
            password = ctx.passwords.read(f"New password for {args.name}: ", confirm=True)
            roles = frozenset(ROLE_NAMES[r] for r in args.role)
            user = desk.accounts.add_user(args.name, password, roles, args.display_name)
            ctx.emit({"name": user.username, "id": user.user_id}, f"Added {user.username}.")
        elif args.users_command == "disable":
            user = desk.accounts.disable_user(args.name)
            ctx.emit(
                {"name": user.username, "disabled": True},
                f"Disabled {user.username}; the vault has a new key and a fresh backup.",
            )
        else:
            password = ctx.passwords.read(f"New password for {args.name}: ", confirm=True)
            user = desk.accounts.reset_password(args.name, password)
            ctx.emit({"name": user.username, "reset": True}, f"Password reset for {user.username}.")
        return 0

    return with_desk(act)(ctx)


def cmd_verify(ctx: Context, args: argparse.Namespace) -> int:
    """Read-only: a damaged vault is checked without a byte written to it (no schema upgrade,
    no audit row), and told about in a few lines; SQLite's full output with --details."""
    user, password = ctx.user_and_password()
    report = ctx.entrance.verify(user, password)
    chain = report.chain
    text = list(report.lines)
    if not report.database.ok:
        if args.details:
            text += ["", "The checks' full output:", *report.database.details]
        else:
            text.append("Add --details for SQLite's full output.")
    ctx.emit(
        {
            "database": report.database.summary,
            "audit_ok": chain.ok if chain else None,
            "audit_rows": chain.rows_checked if chain else None,
            "first_bad_row": chain.first_bad_seq if chain else None,
            "newest_backup": report.newest_backup,
            "keyring_untrusted_slots": report.untrusted_slots,
            "ok": report.ok,
            **({"details": list(report.database.details)} if args.details else {}),
        },
        "\n".join(text),
    )
    if not report.ok:  # the contract's one sentence on standard error; the lines above say more
        print(f"safehold-admin: the check failed: {report.problem}.", file=sys.stderr)
    return 0 if report.ok else 1


def cmd_import(ctx: Context, args: argparse.Namespace) -> int:
    from casework.importer import ImportRefused, read_file

    data = read_file(args.file)

    def act(desk: Desk) -> int:
        try:
            report = desk.imports.cases(data, args.file.name, args.commit)
        except ImportRefused as refused:
            if refused.report is not None:
                print_problems(ctx, refused.report.problems, refused.report.unlisted_problems)
            raise
        print_problems(ctx, report.problems, report.unlisted_problems)
        summary = {
            "rows": report.rows_read,
            "valid": report.valid,
            "already_present": report.already_present,
            "problems": report.problem_count,
            "imported": report.imported,
            "committed": report.committed,
            "ignored_columns": report.ignored_columns,
        }
        verb = (
            f"imported {report.imported}" if report.committed else f"{report.valid} can be imported"
        )
        ctx.emit(
            summary,
            f"{report.rows_read} rows read: {verb}, {report.already_present} already present, "
            f"{report.rows_with_problems} with problems."
            + (
                f"\nColumns ignored: {', '.join(report.ignored_columns)}"
                if report.ignored_columns
                else ""
            )
            + (
                ""
                if report.committed
                else "\nDry run: nothing was written. Add --commit to import."
            ),
        )
        return 1 if report.problem_count else 0

    return with_desk(act)(ctx)


def print_problems(ctx: Context, problems: list[Any], unlisted: int = 0) -> None:
    """Each problem on a line (the importer quotes only the start of a long value)."""
    if ctx.json:
        return
    for p in problems:
        ctx.stdout.write(f"row {p.row}, {p.column}, “{p.value}”: {p.reason}\n")
    if unlisted:
        ctx.stdout.write(f"... and {unlisted} more problems; correct these and run it again.\n")


def cmd_profiles(ctx: Context, args: argparse.Namespace) -> int:
    def act(desk: Desk) -> int:
        if args.profiles_command == "add":
            profile = desk.reporting.add_profile(
                args.name,
                args.hub_id,
                args.recipient,
                args.threshold,
                args.rounding,
                args.records,
                args.k,
                args.l,
            )
            ctx.emit({"name": profile.name, "id": profile.profile_id}, f"Added {profile.name}.")
            return 0
        listed = desk.reporting.profiles()
        ctx.emit(
            [
                {
                    "name": p.name,
                    "hub_id": p.hub_id,
                    "recipient": p.recipient,
                    "threshold": p.threshold,
                    "rounding": p.rounding_base,
                    "records": p.records_enabled,
                    "k": p.k,
                    "l": p.l_diversity,
                }
                for p in listed
            ],
            "\n".join(
                f"{p.name}\thub {p.hub_id}\tt={p.threshold} b={p.rounding_base}"
                + (f"\trecords k={p.k} l={p.l_diversity}" if p.records_enabled else "")
                for p in listed
            ),
        )
        return 0

    return with_desk(act)(ctx)


def cmd_export(ctx: Context, args: argparse.Namespace) -> int:
    from casework.reporting import quarterly, records

    kind = args.export_command
    # A malformed period is refused before the password is asked for.
    period = (
        records.Year.parse(args.year) if kind == "records" else quarterly.Period.parse(args.period)
    ).label

    def act(desk: Desk) -> int:
        try:
            release = desk.reporting.export(kind, args.profile, period, args.out)
        except OSError as error:  # nothing was written, its audit row included
            raise cannot_write(args.out, error, "Nothing was exported") from None
        written = "records.csv" if kind == "records" else "summary.csv, summary.pdf"
        ctx.emit(
            {"out": str(args.out), **release.manifest},
            f"Wrote {written} and manifest.json for {period} to {args.out}.",
        )
        return 0

    return with_desk(act)(ctx)


def cmd_backup(ctx: Context, args: argparse.Namespace) -> int:
    out: Path = args.out

    def act(desk: Desk) -> int:
        try:
            written = desk.backups.now(to=out)
        except FileExistsError:
            if out.exists() or out.with_suffix(".json").exists():
                raise ValidationError(f"{out} already exists; choose a new file name.") from None
            in_the_way = FileExistsError()
            raise cannot_write(out.parent, in_the_way, "No backup was written") from None
        except OSError as error:
            raise cannot_write(out.parent, error, "No backup was written") from None
        # Expiry marks backups named as Safehold names them, in the folders it has used.
        tracked = desk.backups.is_tracked(written)
        untracked = (
            ""
            if tracked
            else " Safehold does not track this file (only safehold-*.db in the vault's backup "
            "folders): if someone in this backup is erased "
            "later, it cannot be marked expired here, so an erased person could come back from "
            "it; keep it in the vault's backup folder, or delete it after any erasure."
        )
        ctx.emit(
            {
                "backup": str(written),
                "manifest": str(written.with_suffix(".json")),
                "tracked": tracked,
            },
            f"Wrote {written} and its manifest {written.with_suffix('.json').name}; keep them "
            "together. An administrator's password or the recovery code restores them." + untracked,
        )
        return 0

    return with_desk(act)(ctx)


def cannot_write(where: Path, error: OSError, what: str) -> CaseworkError:
    """One sentence for a place the command cannot write to (a missing drive, a folder with
    a file in the way, no permission): the operating system's reason, never a traceback."""
    if isinstance(error, FileExistsError | NotADirectoryError):
        reason = "a file stands where a folder is needed"
    else:
        reason = (error.strerror or str(error) or type(error).__name__).rstrip(".").lower()
    return CaseworkError(
        f"{what}: {where} could not be created or written to ({reason}); "
        "choose a folder you can write to."
    )


def cmd_restore(ctx: Context, args: argparse.Namespace) -> int:
    if args.recovery:
        secret, user = ctx.passwords.read("Recovery code: "), None
    else:
        if not ctx.user:
            raise UsageError("restore needs --user NAME (an administrator) or --recovery")
        secret, user = ctx.passwords.read(f"Password for {ctx.user}: "), ctx.user
    entrance = ctx.entrance
    backup = None if args.latest else args.source
    if args.replace_damaged:
        if not entrance.exists():
            raise UsageError(f"there is no vault in {ctx.entrance.folder} to replace")
        replaced = entrance.replace_damaged(backup, secret, user)
        report, told = replaced.report, replaced.describe()
    else:
        # On a machine that has the vault (its usual place): its backup folders' expiry lists
        # and its audit anchor (with the erasure ledger) apply to what is restored.
        report = entrance.restore(backup, secret, user, homes=[default_vault_folder()])
        told = report.describe()
    ctx.emit(
        {
            "vault": str(ctx.entrance.folder),
            "backup_created_at": report.created_at.isoformat(),
            "audit_seq": report.audit_seq,
        },
        f"{told} The vault is in {ctx.entrance.folder}.",
    )
    return 0


HANDLERS: dict[str, Callable[[Context, argparse.Namespace], int]] = {
    "backup": cmd_backup,
    "restore": cmd_restore,
    "export": cmd_export,
    "profiles": cmd_profiles,
    "import": cmd_import,
    "init": cmd_init,
    "demo": cmd_demo,
    "users": cmd_users,
    "verify": cmd_verify,
}


def main(
    argv: Sequence[str] | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None
) -> int:
    harden_process()
    # The contract is one sentence on standard error: log lines only for what is worse.
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    parser = build_parser()
    try:
        options, rest = split_global_options(sys.argv[1:] if argv is None else argv)
        args = parser.parse_args(rest)
        if args.version:
            stdout.write(f"safehold-admin {__version__} (schema {head_revision()})\n")
            return 0
        if not args.command:
            raise UsageError("name a command (safehold-admin --help lists them)")
        return HANDLERS[args.command](Context(options, stdin, stdout), args)
    except UsageError as exc:
        print(f"safehold-admin: {exc}", file=sys.stderr)
        return 2
    except CaseworkError as exc:
        print(f"safehold-admin: {exc.message}", file=sys.stderr)
        return 1
    except DBAPIError as exc:
        known = from_database_error(exc)
        if known is None:
            raise
        print(f"safehold-admin: {known.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("safehold-admin: interrupted; nothing already saved was lost.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
