"""Lock when the computer does: the screen locks, the screensaver starts, or the machine goes to
sleep, where the platform tells us (the login manager and screensaver on D-Bus under Linux; Qt's
application state elsewhere)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication

log = logging.getLogger(__name__)

SCREENSAVERS = (
    ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"),
    ("org.mate.ScreenSaver", "/org/mate/ScreenSaver", "org.mate.ScreenSaver"),
)


class SessionWatcher(QObject):
    lock_requested = Signal(str)  # why, for the log: "sleep", "screensaver", "suspended"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self.application_state)
        self.listening = self._listen_on_dbus()

    def _listen_on_dbus(self) -> list[str]:
        """Subscribe to the login manager's PrepareForSleep and the screensavers'
        ActiveChanged; returns what was subscribed (nothing where there is no D-Bus)."""
        try:
            from PySide6.QtDBus import QDBusConnection
        except ImportError:
            return []
        subscribed = []
        system = QDBusConnection.systemBus()
        # PySide6's stubs lack connect()'s overload with a slot signature (it exists at run time).
        if system.isConnected() and system.connect(  # type: ignore[call-overload]
            "org.freedesktop.login1",
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager",
            "PrepareForSleep",
            self,
            "1sleeping(bool)",
        ):
            subscribed.append("login1")
        session = QDBusConnection.sessionBus()
        if session.isConnected():
            for service, path, interface in SCREENSAVERS:
                if session.connect(  # type: ignore[call-overload]
                    "", path, interface, "ActiveChanged", self, "1screensaver(bool)"
                ):
                    subscribed.append(service)
        log.info("locking on sleep and screen lock via %s", ", ".join(subscribed) or "nothing")
        return subscribed

    @Slot(bool)
    def sleeping(self, going_to_sleep: bool) -> None:
        if going_to_sleep:
            self.lock_requested.emit("sleep")

    @Slot(bool)
    def screensaver(self, active: bool) -> None:
        if active:
            self.lock_requested.emit("screensaver")

    def application_state(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationSuspended:
            self.lock_requested.emit("suspended")
