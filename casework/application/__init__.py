"""The application layer: the one way in for the UI and for safehold-admin.

``entrance`` is what happens before sign-in (is there a vault, create one, sign in, restore,
replace a damaged vault, how long to wait after failed attempts); ``desk`` is the signed-in
user's: every service call, each in its own transaction, and the work running on it, which
``Desk.close`` stops before the vault locks. Nothing above this layer opens a database session
or holds a key.
"""
