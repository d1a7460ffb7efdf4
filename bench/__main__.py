"""`make bench`: every benchmark, each printing its figure beside the limit measured in the same run."""

from __future__ import annotations

import asyncio

from bench import ingest_twilio, ingest_webchat


def main() -> None:
    asyncio.run(ingest_webchat.main())
    asyncio.run(ingest_twilio.main())


if __name__ == "__main__":
    main()
