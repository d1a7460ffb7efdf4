"""A real Chromium (Debian's), driven by Playwright; never a downloaded browser."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

CHROMIUM = os.environ.get("HUB_TEST_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--metrics-recording-only", "--no-default-browser-check"]


CHROMIUM_PRESENT = os.path.exists(CHROMIUM)


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    if not CHROMIUM_PRESENT:
        pytest.skip(f"browser tests need Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does this)")
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        instance = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield instance
        finally:
            await instance.close()
