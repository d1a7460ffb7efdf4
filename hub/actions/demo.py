"""The demo organisation: three departments, an admin, a lead and two agents per department, routing, and
canned responses in each product language."""

from __future__ import annotations

from collections.abc import Sequence

from hub.access.passwords import hash_password
from hub.actions.demo_canned import seed_canned
from hub.actions.demo_routing import seed_routing
from hub.clock import utcnow
from hub.store import users
from hub.store.db import Db

DEPARTMENTS = ("Sales", "Support", "Billing")
DEMO_PASSWORD = "demo-password"


async def seed_demo(db: Db) -> list[tuple[str, str, str]]:
    """Create the demo data if no user exists yet. Returns (email, password, role) for each login."""
    if await users.count_users(db):
        return []
    now = utcnow()
    departments = {name: await users.ensure_department(db, name, now) for name in DEPARTMENTS}
    password_hash = await hash_password(DEMO_PASSWORD)
    logins: list[tuple[str, str, str]] = []

    async def add(email: str, name: str, role: str, department_names: tuple[str, ...]) -> None:
        await users.create_user(db, email, name, password_hash, role,
                                [departments[d]["_id"] for d in department_names], now)
        logins.append((email, DEMO_PASSWORD, role))

    await add("admin@demo.hub", "Ada Admin", "admin", DEPARTMENTS)
    await add("lead@demo.hub", "Layla Lead", "lead", DEPARTMENTS)
    agent_names = {"Sales": ("Sam Sales", "Sara Sales"), "Support": ("Sina Support", "Sun Support"),
                   "Billing": ("Bao Billing", "Bruno Billing")}
    for department, names in agent_names.items():
        for index, name in enumerate(names, start=1):
            await add(f"{department.lower()}{index}@demo.hub", name, "agent", (department,))
    await seed_routing(db)
    admin, sina = await users.user_by_email(db, "admin@demo.hub"), await users.user_by_email(db, "support1@demo.hub")
    if admin is not None:
        await seed_canned(db, admin["_id"], sina["_id"] if sina else None)
    return logins


def print_logins(logins: Sequence[tuple[str, str, str]]) -> None:
    if not logins:
        return
    print(f"Demo logins (password for all: {logins[0][1]}):")
    for email, _password, role in logins:
        print(f"  {role:<6} {email}")
