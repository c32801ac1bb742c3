"""A vault folder's files, by name."""

from __future__ import annotations

from casework.vault import rotation

DATABASE = "safehold.db"
KEYRING = "keyring.json"
PENDING_KEYRING = "keyring.pending.json"
BACKUPS = "backups"
SETTINGS = "settings.json"  # this machine's choices (the backup folder); nothing about people
EXPIRED = rotation.EXPIRED
THROTTLE = "unlock-state.json"
