"""Accounts and their passwords: creating a user (the admin API and `hub create-user`), a user
changing their own password, an admin (or `hub set-password`) resetting one. One password rule for
all of them (checked_password). A change or reset ends every other way in: sessions (but the one the
user changed it from) and all API tokens, since whoever knew the old password may have made them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bson import ObjectId

from hub.access import signin_limits
from hub.access.passwords import hash_password, password_problem, verify_password
from hub.clock import utcnow
from hub.errors import BadInput, Conflict, NotFound, Throttled
from hub.store import throttle, users
from hub.store.db import Db, Doc

if TYPE_CHECKING:  # annotations only: the running hub sits above this layer
    from hub.runtime import Hub

TOO_MANY_TRIES = "Too many wrong current passwords"


def checked_password(new: object, again: object = None) -> str:
    """`new` when it can be a password (and equals `again`, when given); else BadInput saying why."""
    problem = password_problem(new)
    if problem:
        raise BadInput(problem)
    if again is not None and again != new:
        raise BadInput("the two new passwords are not the same")
    assert isinstance(new, str)
    return new


async def create_user(db: Db, email: str, name: str, password: object, role: str,
                      department_ids: list[ObjectId]) -> Doc:
    """A new account (without its password hash); BadInput for a password that cannot be one,
    Conflict when the email is taken."""
    password_hash = await hash_password(checked_password(password))  # an executor: ~150 ms of CPU
    try:
        created = await users.create_user(db, email, name, password_hash, role, department_ids, utcnow())
    except users.AlreadyExists as exc:
        raise Conflict(str(exc)) from None
    created.pop("password_hash", None)
    return created


async def change_own(hub: Hub, user_id: ObjectId, current: object, new: object, again: object = None, *,
                     keep_session: str | None) -> None:
    """Check the current password, then replace it, ending the user's other sessions and all tokens.

    Guessing the current password from a stolen session is guessing all the same: wrong ones are
    counted and slowed down like sign-ins (HUB_LOGIN_FREE_ATTEMPTS, HUB_LOGIN_MAX_LOCK_SECONDS)."""
    db, settings = hub.db, hub.settings
    key, now = f"password-change:{user_id}", utcnow()
    wait = await throttle.check(db, key, now)
    if wait > 0:
        raise Throttled(TOO_MANY_TRIES, wait)
    stored = await users.user(db, user_id)
    if stored is None:
        raise NotFound("user not found")
    if not isinstance(current, str) or not await verify_password(stored.get("password_hash"), current):
        await throttle.failure(db, key, now, free=settings.login_free_attempts,
                               max_wait=settings.login_max_lock_seconds)
        raise BadInput("the current password is not right")
    password = checked_password(new, again)
    if password == current:
        raise BadInput("the new password is the same as the current one")
    await throttle.success(db, key)
    await users.replace_password(db, user_id, await hash_password(password), utcnow(), keep_session=keep_session)


async def reset(db: Db, user: Doc, new: object) -> None:
    """An admin's reset: a new password, and the user signed out everywhere (sessions and tokens)."""
    password = checked_password(new)
    if not await users.replace_password(db, user["_id"], await hash_password(password), utcnow()):
        raise NotFound("user not found")
    await signin_limits.forget_account(db, str(user.get("email") or ""))
