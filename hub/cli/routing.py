"""`hub routing explain | replay | import | export`: routing rules from the command line."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hub.assign import admin as routing_admin
from hub.clock import utcnow
from hub.db.connection import open_database
from hub.live.events import EventBus
from hub.runtime import Hub
from hub.settings import RoutingSettings, Settings
from hub.store.db import ensure_indexes, oid
from routing.errors import RoutingConfigError
from routing.rules_io import rules_to_yaml


def add_parser(sub: Any) -> None:
    routing = sub.add_parser("routing", help="explain, replay, import or export routing rules")
    actions = routing.add_subparsers(dest="routing_command", required=True)
    explain = actions.add_parser("explain", help="show where a new conversation would go now, and why")
    explain.add_argument("--channel", required=True, help="whatsapp, sms, email, telegram, webchat...")
    explain.add_argument("--text", required=True, help="the customer's first message")
    explain.add_argument("--contact", help="a contact id, to use their attributes, tags and VIP flag")
    replay = actions.add_parser("replay", help="run past conversations through the current rules")
    replay.add_argument("--since", required=True, help="a date (2026-01-31) or ISO time, UTC unless given")
    replay.add_argument("--limit", type=int, default=1000, help="at most this many conversations")
    replay.add_argument("--all", action="store_true", help="also list conversations that would not move")
    importing = actions.add_parser("import", help="validate a YAML rules file and make it the current rules")
    importing.add_argument("file", type=Path)
    export = actions.add_parser("export", help="print the current rules as YAML")
    export.add_argument("--output", type=Path, help="write to this file instead of standard output")


def run(args: argparse.Namespace, settings: Settings) -> int:
    # Files are read and written here, outside the event loop.
    yaml_text = None
    if args.routing_command == "import":
        if not args.file.is_file():
            print(f"error: no such file {args.file}", file=sys.stderr)
            return 2
        try:
            yaml_text = args.file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            print(f"error: {args.file} is not UTF-8 text", file=sys.stderr)
            return 1
    code, output = asyncio.run(_run(args, settings, yaml_text))
    if output is not None:
        if args.routing_command == "export" and args.output is not None:
            args.output.write_text(output, encoding="utf-8")
            print(f"wrote the rules to {args.output}")
        else:
            sys.stdout.write(output)
    return code


def _since(raw: str) -> datetime:
    moment = datetime.fromisoformat(raw)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


async def _run(args: argparse.Namespace, settings: Settings, yaml_text: str | None) -> tuple[int, str | None]:
    command = args.routing_command
    if command == "replay":
        try:
            since = _since(args.since)
        except ValueError:
            print(f"error: --since {args.since!r} is not a date like 2026-01-31", file=sys.stderr)
            return 2, None
    async with open_database(settings, share=False, prepare=ensure_indexes) as (client, db):
        hub = Hub(settings=settings, client=client, db=db, events=EventBus(db), process_id=f"cli:{os.getpid()}",
                  routing_settings=RoutingSettings())
        if command == "explain":
            return await _explain(hub, args), None
        if command == "replay":
            return await _replay(hub, since, args.limit, args.all), None
        if command == "import":
            return await _import(hub, args.file.name, yaml_text or ""), None
        return 0, await _export(hub)


async def _explain(hub: Hub, args: argparse.Namespace) -> int:
    contact_id = oid(args.contact) if args.contact else None
    if args.contact and contact_id is None:
        print(f"error: {args.contact!r} is not a contact id", file=sys.stderr)
        return 2
    try:
        result = await routing_admin.explain(hub, args.channel, args.text, contact_id, utcnow())
    except LookupError:
        print(f"error: no contact {args.contact}", file=sys.stderr)
        return 1
    decision, explanation = result.decision, result.decision.explanation
    print(explanation.summary())
    print(f"  department: {explanation.department_name} ({decision.department_id})")
    print(f"  agent:      {explanation.agent_name or 'none (queued)'}")
    print(f"  priority:   {decision.priority}    labels: {', '.join(sorted(decision.labels)) or '-'}")
    print(f"  language:   {result.language or 'not detected'}    rules version: {explanation.rules_version}")
    for trace in explanation.rules:
        print(f"  rule {trace.name!r}: {trace.outcome} ({trace.reason})")
    for excluded in explanation.filtered_out:
        print(f"  filtered out: {excluded.name} ({excluded.reason})")
    for action in decision.as_dict()["actions"]:
        print(f"  action: {action}")
    return 0


async def _replay(hub: Hub, since: datetime, limit: int, show_all: bool) -> int:
    lines = await routing_admin.replay(hub, since, limit)
    moved = [line for line in lines if line.moved]
    for line in lines if show_all else moved:
        arrow = "->" if line.moved else "=="
        print(f"{line.conversation_id}  {line.created_at:%Y-%m-%d %H:%M}  {line.was} {arrow} {line.would_be}  "
              f"({line.why})")
    print(f"{len(lines)} conversation(s) since {since:%Y-%m-%d %H:%M} UTC; "
          f"{len(moved)} would have gone elsewhere under the current rules.")
    return 0


async def _import(hub: Hub, name: str, text: str) -> int:
    try:
        rules = await routing_admin.parse_rules(hub, None, yaml_text=text)
        saved = await routing_admin.save_rules(hub, rules, None, f"cli:{name}", utcnow())
    except RoutingConfigError as exc:
        print(f"error: {name} was not imported:", file=sys.stderr)
        for message in exc.messages:
            print(f"  {message}", file=sys.stderr)
        return 1
    print(f"imported {len(rules)} rule(s) from {name}; rules version {saved['version']}")
    return 0


async def _export(hub: Hub) -> str:
    rules, version, problems = await routing_admin.current_rules(hub)
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    return f"# rules version {version}\n" + rules_to_yaml(rules)
