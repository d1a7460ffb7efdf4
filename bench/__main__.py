"""`make bench`: every benchmark, each printing its figure beside the limit measured in the same run."""

from __future__ import annotations

import asyncio

from bench import (
    inbox_navigation,
    inbox_reads,
    ingest_profile,
    ingest_twilio,
    ingest_webchat,
    live_connections,
    live_latency,
    outbound_rate,
    reports,
    routing_decisions,
)


def main() -> None:
    asyncio.run(ingest_webchat.main())
    asyncio.run(ingest_twilio.main())
    asyncio.run(ingest_profile.main())
    asyncio.run(outbound_rate.main())
    asyncio.run(live_latency.main())
    asyncio.run(routing_decisions.main())
    asyncio.run(inbox_reads.main())
    asyncio.run(inbox_navigation.main())
    asyncio.run(live_connections.main())
    asyncio.run(reports.main())


if __name__ == "__main__":
    main()
