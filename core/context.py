"""What every service needs: the unit of work, settings, the clock, gateways, events."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Concatenate, Literal, ParamSpec, TypeVar

from core.actors import Actor
from core.clock import Clock
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from core.events import Event
from core.settings import Settings
from storage.errors import UniqueViolation
from storage.models import User
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from core.gateways import Gateways

#: The refusal of a due date out of range, by what it is the due date of.
DueCode = Literal["award.due_days", "milestone.due_days"]


@dataclass
class Context:
    uow: UnitOfWork
    settings: Settings
    clock: Clock
    gateways: Gateways
    events: list[Event] = field(default_factory=list)
    #: How many atomic operations are running (see :func:`atomic`).
    atomic_depth: int = 0
    #: Set by a caller whose whole transaction ends when an operation fails (an update,
    #: a send's mark): operations then open no savepoint of their own (see :func:`atomic`).
    all_or_nothing: bool = False
    #: An operation failed with no savepoint to undo it alone: this may not commit.
    broken: bool = False


P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound="Service")


def atomic(
    fn: Callable[Concatenate[S, P], Awaitable[R]],
) -> Callable[Concatenate[S, P], Awaitable[R]]:
    """Run an operation in a SAVEPOINT: it succeeds completely or changes nothing.

    This holds even when the caller catches the domain error and carries on in
    the same unit of work; events recorded by the failed operation are dropped too.

    An operation called by another joins its caller's savepoint rather than opening
    its own: its failure is the caller's failure, undone with it (two statements and
    a flush fewer per nested call). A service that catches a nested operation's
    error and carries on opens a savepoint around that call itself, as
    ``PaymentService.credit`` does.

    In a unit of work that is all or nothing (``Context.all_or_nothing``: an update's,
    whose failed operation rolls the whole transaction back), an operation opens no
    savepoint either, again two statements and a flush fewer. A caller there that
    catches an operation's error and carries on opens the savepoint around that call
    itself (``Marketplace.attempt``); one that does not cannot commit
    (``Marketplace.commit`` refuses), so a half-done operation is never written.

    A unique key that refuses a write means a concurrent twin of this operation
    committed first (the checks before the write could not see it yet): that is
    answered as a :class:`Conflict`, never as a database error.
    """

    @functools.wraps(fn)
    async def wrapper(self: S, *args: P.args, **kwargs: P.kwargs) -> R:
        ctx = self.ctx
        mark = len(ctx.events)
        ctx.atomic_depth += 1
        try:
            if ctx.atomic_depth > 1:
                return await fn(self, *args, **kwargs)
            if ctx.all_or_nothing and not ctx.uow.in_savepoint():
                try:
                    return await fn(self, *args, **kwargs)
                except BaseException:
                    ctx.broken = True  # undone only with the whole transaction
                    raise
            async with ctx.uow.savepoint():
                return await fn(self, *args, **kwargs)
        except UniqueViolation as error:
            del ctx.events[mark:]
            raise Conflict(
                "conflict.duplicate",
                "This was just done at the same moment from somewhere else.",
                operation=fn.__qualname__,
            ) from error
        except BaseException:
            del ctx.events[mark:]
            raise
        finally:
            ctx.atomic_depth -= 1

    return wrapper  # type: ignore[return-value]


class Service:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.uow = ctx.uow
        self.settings = ctx.settings

    def now(self) -> datetime:
        return self.ctx.clock.now()

    def emit(self, event: Event) -> None:
        """Record ``event`` for delivery after the commit (dropped if this rolls back)."""
        self.ctx.events.append(event)

    async def active_user(self, actor: Actor) -> User:
        """The acting user, refused if unknown or banned (banned users do nothing)."""
        user = await self.uow.users.get(actor.user_id)
        if user is None:
            raise NotFound("user.unknown", "Please /start the bot first.")
        if user.is_banned:
            raise NotAllowed("user.banned", "Your account is suspended.")
        return user

    def days_from_now(self, days: int, code: DueCode) -> datetime:
        """A due date ``days`` from now, within the longest delivery time allowed."""
        limit = self.settings.max_delivery_days
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= limit:
            raise ValidationFailed(
                code, f"The due date is 1 to {limit} days from now.", maximum=limit
            )
        return self.now() + timedelta(days=days)

    def require_admin(self, actor: Actor) -> None:
        if not actor.is_admin:
            raise NotAllowed("admin.only", "Only an administrator can do this.")
