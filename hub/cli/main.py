"""The `hub` command: run the server, seed the demo, manage users and tokens."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import sys
import threading
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web
from pydantic import ValidationError

from channels.base import Command, CommandContext
from hub import names as model
from hub import redaction
from hub.access import accounts
from hub.access.auth import new_api_token, token_hash
from hub.actions.demo import print_logins, seed_demo
from hub.cli import routing as routing_cli
from hub.clock import utcnow
from hub.config import HubConfig
from hub.db.connection import open_database
from hub.db.embedded import EmbeddedDatabaseError
from hub.errors import HubError
from hub.settings import Settings
from hub.store import users
from hub.store.db import Db, ensure_indexes

log = logging.getLogger("hub")


def _run_server(args: argparse.Namespace, config: HubConfig) -> int:
    from hub.app import create_app

    settings = config.hub
    app = create_app(config, seed_demo=args.demo)
    app.on_shutdown.insert(0, _exit_if_shutdown_hangs)  # first, so the deadline covers every later step
    web.run_app(app, host=settings.host, port=settings.port, print=None, access_log=None,
                shutdown_timeout=HANDLERS_SHUTDOWN_SECONDS)
    return 0


# A stop always ends within 10 s. Each step has its own bound: open requests and streams get
# HANDLERS_SHUTDOWN_SECONDS, then the clean-up closes the database client (at most 2 s, at once when the
# database is down) and stops the embedded database (SIGINT, SIGKILL after 3 s). The deadline is the
# last resort behind them: the driver can be left stuck by a cancel that lands in its server selection.
HANDLERS_SHUTDOWN_SECONDS = 3
SHUTDOWN_DEADLINE_SECONDS = 9.5


async def _exit_if_shutdown_hangs(app: web.Application) -> None:
    """A stop must end the process. After the deadline it exits anyway (an embedded database child
    gets SIGTERM as its parent dies, so nothing keeps the data dir locked)."""

    def give_up() -> None:
        log.error("shutdown did not finish in %ss; exiting", SHUTDOWN_DEADLINE_SECONDS)
        os._exit(1)

    timer = threading.Timer(SHUTDOWN_DEADLINE_SECONDS, give_up)
    timer.daemon = True  # a clean stop ends the interpreter, and the timer with it
    timer.start()


async def _with_db(settings: Settings, work: Callable[[Db], Awaitable[int]]) -> int:
    async with open_database(settings, share=False, prepare=ensure_indexes) as (_client, db):
        return await work(db)


def plugin_commands(config: HubConfig) -> dict[str, Command]:
    """The sub-commands channel plugins contribute (`hub telegram set-webhook`), by name."""
    from hub.app import plugins

    return {command.name: command for plugin in plugins(config) for command in plugin.commands()}


async def _seed(db: Db) -> int:
    logins = await seed_demo(db)
    if not logins:
        print("users already exist; nothing seeded")
    print_logins(logins)
    return 0


def _create_user(args: argparse.Namespace) -> Callable[[Db], Awaitable[int]]:
    async def work(db: Db) -> int:
        try:  # before any department is made for it
            password = accounts.checked_password(args.password or getpass.getpass("Password: "))
        except HubError as exc:
            print(f"error: {exc.message}", file=sys.stderr)
            return 2
        department_ids = []
        for name in filter(None, (args.departments or "").split(",")):
            department = await users.department_by_name(db, name.strip())
            if department is None:
                department = await users.ensure_department(db, name.strip(), utcnow())
            department_ids.append(department["_id"])
        try:
            user = await accounts.create_user(db, args.email, args.name or args.email.split("@")[0], password,
                                              args.role, department_ids)
        except HubError as exc:
            print(f"error: {exc.message}", file=sys.stderr)
            return 1
        print(f"created {user['role']} {user['email']}")
        return 0

    return work


def _create_token(args: argparse.Namespace) -> Callable[[Db], Awaitable[int]]:
    async def work(db: Db) -> int:
        user = await users.user_by_email(db, args.user)
        if user is None:
            print(f"error: no user with email {args.user}", file=sys.stderr)
            return 1
        token = new_api_token()
        await users.create_api_token(db, token_hash(token), user["_id"], args.label, utcnow())
        print(token)
        return 0

    return work


def _set_password(args: argparse.Namespace) -> Callable[[Db], Awaitable[int]]:
    async def work(db: Db) -> int:
        user = await users.user_by_email(db, args.email)
        if user is None:
            print(f"error: no user with email {args.email}", file=sys.stderr)
            return 1
        password = args.password or getpass.getpass("New password: ")
        try:
            await accounts.reset(db, user, password)
        except HubError as exc:
            print(f"error: {exc.message}", file=sys.stderr)
            return 2
        print(f"password set for {user['email']}; their sessions and API tokens have been ended")
        return 0

    return work


def build_parser(config: HubConfig) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hub", description="Omnichannel messaging hub")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="start the hub (default)")
    run.add_argument("--demo", action="store_true", help="seed the demo organisation on an empty database")
    sub.add_parser("seed-demo", help="create the demo organisation if no user exists")
    user = sub.add_parser("create-user", help="add an inbox user")
    user.add_argument("--email", required=True)
    user.add_argument("--name")
    user.add_argument("--role", choices=model.ROLES, default="agent")
    user.add_argument("--departments", help="comma-separated department names")
    user.add_argument("--password", help="prompted for when omitted")
    token = sub.add_parser("create-token", help="print a new API token for a user")
    token.add_argument("--user", required=True, help="the user's email")
    token.add_argument("--label", default="cli")
    password = sub.add_parser("set-password", help="set a user's password and sign them out everywhere")
    password.add_argument("--email", required=True)
    password.add_argument("--password", help="prompted for when omitted")
    for command in plugin_commands(config).values():
        sub.add_parser(command.name, help=command.help).add_argument("action", choices=command.actions)
    routing_cli.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from hub.app import configure

    try:
        # Every setting, the plugins' too, read once: a bad one stops here, before anything starts.
        config = configure()
    except ValidationError as exc:
        # A setting that cannot be used stops the hub here, with its own sentence (never a traceback).
        for error in exc.errors(include_input=False):
            print(f"hub: {str(error['msg']).removeprefix('Value error, ')}", file=sys.stderr)
        return 2
    args = build_parser(config).parse_args(argv)
    settings = config.hub
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per Bot API call, URL (token) included
    redaction.install(*redaction.secrets_in(settings), *redaction.secrets_in_environment(os.environ))
    command = args.command or "run"
    if command == "run" and not hasattr(args, "demo"):
        args.demo = False
    try:
        if command == "run":
            return _run_server(args, config)
        if command == "routing":
            return routing_cli.run(args, settings)
        contributed = plugin_commands(config).get(command)
        if contributed is not None:
            context = CommandContext(public_url=settings.effective_public_url(),
                                     hide_secrets_of=lambda model: redaction.install(*redaction.secrets_in(model)),
                                     redact=redaction.redact)
            return asyncio.run(contributed.run(args.action, context))
        commands: dict[str, Callable[[Db], Awaitable[int]]] = {
            "seed-demo": _seed, "create-user": _create_user(args), "create-token": _create_token(args),
            "set-password": _set_password(args)}
        work = commands[command]
        return asyncio.run(_with_db(settings, work))
    except EmbeddedDatabaseError as exc:
        print(f"hub: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
