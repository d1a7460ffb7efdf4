"""Password hashing (argon2), off the event loop since one hash takes ~150 ms."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD = 10  # the same for every way a password is set: create-user, change, admin reset, CLI
MAX_PASSWORD = 1000  # argon2 hashes any length; this only keeps a pasted novel from costing CPU

_hasher = PasswordHasher()
# A real hash to verify against when the user does not exist, so timing does not tell who exists.
_DUMMY = _hasher.hash("not-a-real-password")


async def hash_password(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(None, _hasher.hash, password)


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(stored: str | None, password: str) -> bool:
    return await asyncio.get_running_loop().run_in_executor(None, _verify, stored, password)


def password_problem(password: object) -> str | None:
    """Why a new password cannot be used, in words for a person; None when it can."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        return f"the password must have at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"the password must have at most {MAX_PASSWORD} characters"
    return None
