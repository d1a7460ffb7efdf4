"""The CSAT tests run against hubs with fake providers: the channel test folders' fixtures, reused."""

from tests.integration.telegram.conftest import server, telegram_api

__all__ = ["server", "telegram_api"]
