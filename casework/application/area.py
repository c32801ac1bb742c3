"""One area of the desk (``desk.cases``, ``desk.notes``, …) and how a service joins it.

A service function takes the session and the acting user first, then what the caller gives
(``notes.case_notes(session, actor, case_id)``). Where the caller gives exactly the rest, the
area binds the function instead of restating it: ``of_case = reads(notes.case_notes)`` makes
``desk.notes.of_case(case_id)``, with the service's own signature and docstring, run in a
session of its own (``writes``: in the vault's serialised write transaction). Where the desk
adds something (today's date from its clock, work after the write), the area has a method.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Concatenate, Generic, ParamSpec, TypeVar, overload

from casework.model.actor import Actor

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from casework.application.desk import Desk
    from casework.vault.opened import OpenVault

P = ParamSpec("P")
R = TypeVar("R")


class Area:
    """A part of the desk: the signed-in user's vault, actor and clock, through the desk."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    @property
    def vault(self) -> OpenVault:
        return self.desk.vault

    @property
    def actor(self) -> Actor:
        return self.desk.actor

    def today(self) -> date:
        return self.desk.clock.today()


class Bound(Generic[P, R]):
    """A service function as a method of an area (see ``reads`` and ``writes``): on first use
    in an area, a function of the caller's arguments alone (the service's name, docstring and
    signature without its session and actor), kept on the area."""

    def __init__(self, service: Callable[Concatenate[Session, Actor, P], R], write: bool) -> None:
        self.service = service
        self.write = write
        self.name = service.__name__

    def __set_name__(self, owner: type[Area], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, area: None, owner: type[Area]) -> Bound[P, R]: ...

    @overload
    def __get__(self, area: Area, owner: type[Area]) -> Callable[P, R]: ...

    def __get__(self, area: Area | None, owner: type[Area]) -> Bound[P, R] | Callable[P, R]:
        if area is None:
            return self
        service, write = self.service, self.write

        @functools.wraps(service)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            vault = area.vault
            with vault.transaction() if write else vault.session() as session:
                return service(session, area.actor, *args, **kwargs)

        signature = inspect.signature(service)
        call.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=list(signature.parameters.values())[2:]
        )
        del call.__wrapped__  # the signature above is the one
        area.__dict__[self.name] = call  # found before this descriptor from now on
        return call


def reads(service: Callable[Concatenate[Session, Actor, P], R]) -> Bound[P, R]:
    """``service`` run in a read session of its own."""
    return Bound(service, write=False)


def writes(service: Callable[Concatenate[Session, Actor, P], R]) -> Bound[P, R]:
    """``service`` run in the vault's serialised write transaction."""
    return Bound(service, write=True)
