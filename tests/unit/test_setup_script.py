"""run.py, the README's set-up: it names the exact apt-get line for what Qt lacks."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def run_py() -> ModuleType:
    spec = importlib.util.spec_from_file_location("safehold_run", ROOT / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("library", "package"),
    [
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
        ("libxcb-cursor.so.0", "libxcb-cursor0"),
        ("libxcb-render-util.so.0", "libxcb-render-util0"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
        ("libX11-xcb.so.1", "libx11-xcb1"),
        ("libEGL.so.1", "libegl1"),
        ("libglib-2.0.so.0", "libglib2.0-0"),
        ("libfontconfig.so.1", "libfontconfig1"),
    ],
)
def test_a_library_is_named_by_its_debian_package(
    run_py: ModuleType, library: str, package: str
) -> None:
    assert run_py.debian_package(library) == package


def test_the_missing_libraries_of_the_xcb_plugin_are_named(
    run_py: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked_at: list[str] = []

    def missing(binary: Path) -> list[str]:
        looked_at.append(binary.name)
        return ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]

    monkeypatch.setattr(run_py, "missing_libraries", missing)
    monkeypatch.setattr(run_py, "library_present", lambda lib: lib != "libxcb-cursor.so.0")
    with pytest.raises(SystemExit) as stop:
        run_py.check_qt_libraries({"DISPLAY": ":0"}, for_app=True)
    assert looked_at == ["libqxcb.so"]
    assert "sudo apt-get install -y libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in str(stop.value)


def test_nothing_is_asked_when_the_plugin_has_what_it_needs(
    run_py: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run_py, "missing_libraries", lambda binary: [])
    monkeypatch.setattr(run_py, "library_present", lambda lib: True)
    run_py.check_qt_libraries({"DISPLAY": ":0"}, for_app=True)
    run_py.check_qt_libraries({"QT_QPA_PLATFORM": "offscreen"}, for_app=False)


def test_with_no_display_the_app_says_so(run_py: ModuleType) -> None:
    with pytest.raises(SystemExit) as stop:
        run_py.check_qt_libraries({}, for_app=True)
    assert "no display" in str(stop.value)


def test_the_platform_asked_for_is_the_one_checked(run_py: ModuleType) -> None:
    assert run_py.qt_platform_plugins({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}) == [
        "offscreen"
    ]
    assert run_py.qt_platform_plugins({"WAYLAND_DISPLAY": "w", "DISPLAY": ":0"}) == [
        "wayland",
        "xcb",
    ]
