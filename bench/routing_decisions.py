"""Routing: decisions per second of the pure engine with 100 rules and 200 agents, and the share of
ingest time that routing takes in a running hub (in-process, so both are timed on the same clock)."""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from aiohttp.test_utils import TestServer

from channels.base import WEBCHAT, Identity, InboundMessage
from routing.engine import decide
from routing.model import AgentState, ContactSnapshot, ConversationSnapshot, Department, Policy, RoutingEvent
from routing.rules_io import rules_from_dicts

DEPARTMENTS = ("sales", "support", "billing", "returns", "vip")
WORDS = ("invoice", "refund", "order", "delivery", "password", "upgrade", "cancel", "warranty", "coupon", "login")


def build_policy(rule_count: int = 100) -> Policy:
    rng = random.Random(1)
    rules = [{"id": f"r{i}", "name": f"rule {i}",
              "when": [{"text": [f"{rng.choice(WORDS)}{i}", f"keyword{i}*"]}],
              "then": [{"set_department": DEPARTMENTS[i % len(DEPARTMENTS)]}, {"add_labels": [f"l{i}"]}]}
             for i in range(rule_count)]
    departments = {d: Department(id=d, name=d.title()) for d in DEPARTMENTS}
    return Policy(default_department_id="support", rules=rules_from_dicts(rules, department_ids=set(DEPARTMENTS)),
                  rules_version="bench", departments=departments)


def build_agents(count: int = 200) -> list[AgentState]:
    rng = random.Random(2)
    return [AgentState(id=f"a{i}", name=f"Agent {i}", department_ids=frozenset({DEPARTMENTS[i % len(DEPARTMENTS)]}),
                       status="online", connected=rng.random() > 0.2, capacity=5, open_count=rng.randint(0, 5),
                       skills=frozenset(), languages=frozenset({rng.choice(("en", "fa", "ar", "zh", "vi"))}),
                       last_assigned_at=None) for i in range(count)]


def pure_rate(decisions: int = 2000) -> float:
    policy, agents = build_policy(), build_agents()
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    texts = [f"hello, my {w} is broken" for w in WORDS]
    started = time.perf_counter()
    for n in range(decisions):
        event = RoutingEvent(kind="new_conversation", channel="webchat", text=texts[n % len(texts)], language="en")
        conversation = ConversationSnapshot(id=f"c{n}", channel="webchat", created_at=now, waiting_since=now)
        decide(event, conversation, ContactSnapshot(id=f"k{n}"), policy, agents, now)
    return decisions / (time.perf_counter() - started)


async def ingest_share(messages: int = 150) -> tuple[float, float]:
    """(share of ingest wall time spent routing, ingest ms per new conversation)."""
    from hub import keys
    from hub.app import create_app
    from hub.assign import apply as routing_apply
    from hub.clock import utcnow
    from hub.db.embedded import EmbeddedDatabase
    from hub.inbound import ingest as ingest_module
    from hub.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        database = EmbeddedDatabase(Path(tmp) / "db")
        url = await database.start()
        server = TestServer(create_app(Settings(_env_file=None, mongo_url=url, db_name="bench", data_dir=Path(tmp),
                                                secret_key="bench"), seed_demo=True), host="127.0.0.1")
        await server.start_server()
        hub = server.app[keys.HUB]
        original = routing_apply.route_new
        routing_time = 0.0

        async def timed_route_new(*args, **kwargs):  # type: ignore[no-untyped-def]
            nonlocal routing_time
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                routing_time += time.perf_counter() - started

        routing_apply.route_new = timed_route_new  # type: ignore[assignment]
        try:
            started = time.perf_counter()
            for n in range(messages):  # one at a time, each a new customer: every ingest routes
                await ingest_module.ingest(hub, InboundMessage(
                    channel="webchat", identity=Identity(WEBCHAT, f"bench-{n}"), text=f"my invoice {n} is wrong",
                    received_at=utcnow(), external_id=f"bench-{n}"))
            total = time.perf_counter() - started
        finally:
            routing_apply.route_new = original  # type: ignore[assignment]
            await server.close()
            await database.stop()
    return routing_time / total, total / messages * 1000


async def main() -> None:
    rate = pure_rate()
    print(f"routing decisions (pure, 100 rules, 200 agents): {rate:,.0f} decisions/s "
          f"({1000 / rate:.2f} ms each)")
    share, per_message = await ingest_share()
    print(f"routing share of ingest for new conversations: {share:.0%} of {per_message:.1f} ms per message "
          f"(snapshot reads, decision, capacity claim and explanation included)")
