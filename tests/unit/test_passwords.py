from __future__ import annotations

import pytest

from casework.errors import WeakPassword
from casework.passwords import check_password


@pytest.mark.parametrize(
    "password",
    [
        "short",
        "password1234",
        "Password!2024",
        "qwertyuiop12",
        "123456789012",
        "aaaaaaaaaaaaaaa",
        "abcabcabcabcabc",
        "grace-otieno-2026",
        "harbourlight99",
    ],
)
def test_obvious_passwords_are_refused(password: str) -> None:
    with pytest.raises(WeakPassword):
        check_password(password, username="grace-otieno", organisation="Harbour Light")


@pytest.mark.parametrize(
    "password", ["tulip orbit canvas drum", "Wq8#mZ2!rT5pLx", "four small words ok"]
)
def test_reasonable_passwords_pass(password: str) -> None:
    check_password(password, username="grace", organisation="Harbour Light")
