"""Files and folders that only their owner may read (0600 files, 0700 folders)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def make_private_folder(path: Path) -> None:
    """Create ``path`` and any missing folders above it, each user-only (0700). A folder that
    already exists keeps its permissions: it may be shared (an external drive, a team's
    folder), and only what the app creates is the app's to restrict. OSError if it cannot be
    made (FileExistsError or NotADirectoryError where a file stands in the way)."""
    missing: list[Path] = []
    folder = Path(path)
    while not folder.is_dir():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for created in reversed(missing):
        try:
            created.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            if created.is_dir():  # made meanwhile by someone else: theirs, left as it is
                continue
            raise
        with contextlib.suppress(OSError):  # not every file system keeps POSIX modes
            os.chmod(created, FOLDER_MODE)


def write_private_file(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically: write a sibling, flush it to disk, then rename over."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    fsync_folder(path.parent)


def fsync_folder(path: Path) -> None:
    if os.name == "nt":
        return
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def restrict_vault_files(folder: Path) -> None:
    """SQLite creates -wal and -shm with the process umask; tighten every file we own."""
    for entry in folder.iterdir():
        if entry.is_file():
            with contextlib.suppress(OSError):
                os.chmod(entry, FILE_MODE)
