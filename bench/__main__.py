"""`make bench`: every benchmark, each printing its figure beside the limit measured in the same run."""

from __future__ import annotations

import asyncio

from bench import ingest_twilio, ingest_webchat, live_latency


def main() -> None:
    asyncio.run(ingest_webchat.main())
    asyncio.run(ingest_twilio.main())
    asyncio.run(live_latency.main())


if __name__ == "__main__":
    main()
