"""The inbox in a real browser at scale, beside the raw queries behind each step, p50 and p95: opening a
conversation from the list, and switching views, with the dataset of bench/inbox_reads.py (100,000
conversations, 1,000,000 messages; BENCH_CONVERSATIONS / BENCH_MESSAGES_TOTAL make it smaller).

Debian's Chromium (/usr/bin/chromium, headless, 1440×900) driven by Playwright, signed in as the demo
lead. What is inside the clock: from the click event's own timestamp in the page to the first animation
frame after the DOM holds the result — the conversation element with that id and a non-empty timeline
(outside the list), or the clicked view tab marked current with that view's first row on top — and the
document is parsed. So it holds the hub's whole page route (session, permission, sidebar and count reads,
the read mark it writes, rendering the template), the transfer, the browser's parse, style, layout and
deferred scripts. It works the same whether the click loads a new page or the page swaps a pane in place
(history API): a script installed before every document watches the DOM. What is outside: the live
stream's connect after the page is shown (each run waits for it before the next click, so runs do not
overlap), and painting itself (the clock stops at the start of the frame that paints the result).

The raw side is the best plain queries for the same data, timed from Python on the same database:
(a) the conversation document, then its contact and the newest page of messages (TIMELINE_PAGE, 50, and
one more to know there are earlier) together; (b) the view's first page (a window below now, as
inbox_reads does) and the Mentions notes, in flight together. The tabs' counts
are not database work any more (each hub process keeps them from the change stream, hub/store/view_tally.py),
so they are not on the raw side; what counting them in the database would take is printed beside it.
The hub route alone over HTTP (no browser) and the browser's navigation timing are printed too, to show
where the time goes. Each run takes the three in turn (browser, raw queries, route), so on a shared
machine they share the same load; the first run (round, for views) warms caches and is not counted.
BENCH_BROWSER_RUNS (15) sets the number of runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from bson import ObjectId
from pymongo import DESCENDING

from bench.common import bench_hub_url
from bench.inbox_reads import CONVERSATIONS, MESSAGES_TOTAL, seed
from hub.clock import utcnow
from hub.store.db import Db, connect
from inbox_ui.conversation import TIMELINE_PAGE

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--metrics-recording-only", "--no-default-browser-check"]
RUNS = int(os.environ.get("BENCH_BROWSER_RUNS", "15"))
AIM = 1.5

# Installed before every document's own scripts: records the click's timestamp, then the first frame after
# the awaited state is in a parsed DOM (in sessionStorage, so it survives a full page navigation).
WATCH = """(() => {
  const now = () => performance.timeOrigin + performance.now();
  const met = (w) => {
    if (w.kind === "conversation") {
      for (const el of document.querySelectorAll(`[data-conversation="${w.id}"]`)) {
        if (el.closest("#conversation-list")) continue;
        if (el.querySelector("#timeline li, .timeline li")) return true;
      }
      return false;
    }
    const tab = document.querySelector(`nav.views a[data-view="${w.view}"][aria-current]`);
    const first = document.querySelector("#conversation-list [data-conversation]");
    return !!tab && !!first && first.getAttribute("data-conversation") === w.first;
  };
  let pending = false;
  const check = () => {
    if (pending || document.readyState === "loading") return;
    if (!sessionStorage.getItem("bench-click") || sessionStorage.getItem("bench-rendered") !== null) return;
    const w = JSON.parse(sessionStorage.getItem("bench-want") || "null");
    if (!w || !met(w)) return;
    pending = true;
    const inDom = now();
    requestAnimationFrame(() => {
      sessionStorage.setItem("bench-rendered", JSON.stringify({inDom, frame: now()}));
      pending = false;
    });
  };
  document.addEventListener("click", (e) => {
    if (sessionStorage.getItem("bench-want") && !sessionStorage.getItem("bench-click"))
      sessionStorage.setItem("bench-click", String(performance.timeOrigin + e.timeStamp));
  }, true);
  new MutationObserver(check).observe(document, {childList: true, subtree: true, attributes: true,
                                                 attributeFilter: ["aria-current", "data-conversation"]});
  document.addEventListener("readystatechange", check);
})();"""

ARM = """(want) => {
  sessionStorage.removeItem("bench-click");
  sessionStorage.removeItem("bench-rendered");
  sessionStorage.setItem("bench-want", JSON.stringify(want));
}"""

# Where the time went in one run (ms from the click): a new document's navigation timing, or the fetches an
# in-place swap made.
COLLECT = """() => {
  const click = Number(sessionStorage.getItem("bench-click"));
  const rendered = JSON.parse(sessionStorage.getItem("bench-rendered"));
  sessionStorage.removeItem("bench-want");
  const origin = performance.timeOrigin;
  const out = {total: rendered.frame - click, in_dom: rendered.inDom - click};
  const after = performance.getEntriesByType("resource").filter((e) => origin + e.startTime >= click - 1);
  const nav = performance.getEntriesByType("navigation")[0];
  if (origin >= click - 1 && nav) {
    out.kind = "navigation";
    out.to_request = origin + nav.requestStart - click;
    out.server = nav.responseStart - nav.requestStart;
    out.download = nav.responseEnd - nav.responseStart;
    out.parsed = origin + nav.domInteractive - click;
    out.scripts_done = origin + nav.domContentLoadedEventEnd - click;
    out.html_bytes = nav.encodedBodySize;
  } else {
    out.kind = "in place";
    const fetches = after.filter((e) => e.initiatorType === "fetch" || e.initiatorType === "xmlhttprequest");
    if (fetches.length) {
      const main = fetches.reduce((a, b) => (a.duration >= b.duration ? a : b));
      out.to_request = origin + main.requestStart - click;
      out.server = main.responseStart - main.requestStart;
      out.download = main.responseEnd - main.responseStart;
      out.parsed = origin + main.responseEnd - click;
      out.html_bytes = main.encodedBodySize;
    }
  }
  out.subresources = after.filter((e) => e.initiatorType !== "fetch" && e.initiatorType !== "xmlhttprequest"
                                         && e.transferSize > 0).length;
  return out;
}"""


def _p(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def _line(name: str, browser: tuple[float, float], raw: tuple[float, float]) -> str:
    ratio = browser[0] / raw[0]
    return (f"browser: {name}: p50 {browser[0]:.0f} ms, p95 {browser[1]:.0f} ms | raw queries: p50 {raw[0]:.0f} ms, "
            f"p95 {raw[1]:.0f} ms | ratio {ratio:.2f} ({'meets' if ratio <= AIM else 'above'} the aim of {AIM:.2f})")


def _inside(runs: list[dict[str, Any]], route: tuple[float, float], wall: list[float]) -> str:
    """The median of each part of the clock, and the same route timed without a browser."""

    def median(key: str) -> str:
        values = [float(r[key]) for r in runs if isinstance(r.get(key), int | float)]
        return f"{statistics.median(values):.0f}" if values else "—"

    kinds = sorted({str(r.get("kind")) for r in runs})
    return (f"  inside the clock (p50, ms after the click; {'/'.join(kinds)}): request sent {median('to_request')}, "
            f"server to first byte {median('server')}, download {median('download')} "
            f"({median('html_bytes')} bytes), parsed {median('parsed')}, in the DOM {median('in_dom')}, "
            f"frame {median('total')}; deferred scripts done {median('scripts_done')}; "
            f"subresources fetched again: {median('subresources')} | the hub route over HTTP without a browser: "
            f"p50 {route[0]:.0f} ms, p95 {route[1]:.0f} ms | Playwright's wall clock p50 "
            f"{statistics.median(wall):.0f} ms")


async def _measure(page: Any, want: dict[str, str], click: str) -> tuple[dict[str, Any], float]:
    await page.evaluate(ARM, want)
    started = time.perf_counter()
    await page.click(click)
    await page.wait_for_function("() => sessionStorage.getItem('bench-rendered') !== null", timeout=600_000)
    wall = (time.perf_counter() - started) * 1000
    return await page.evaluate(COLLECT), wall


async def _settled(page: Any) -> None:
    """The page's live stream is connected: nothing of the previous step is still loading."""
    await page.wait_for_selector("body[data-live=connected]", timeout=600_000)


def _chromium_present() -> bool:
    return os.path.exists(CHROMIUM)


async def main() -> None:
    if not _chromium_present():
        print(f"inbox navigation: skipped — it needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
        return
    from playwright.async_api import async_playwright

    # BENCH_KEEP_DIR keeps the seeded database in that directory and reuses it on the next run (seeding
    # 100,000 conversations and 1,000,000 messages takes about an hour on the embedded server).
    keep = os.environ.get("BENCH_KEEP_DIR")
    with contextlib.nullcontext(keep) if keep else tempfile.TemporaryDirectory() as tmp:
        async with bench_hub_url(tmp) as (url, base, agent), async_playwright() as playwright:
            client, db = connect(url, "bench")
            lead = await db.users.find_one({"email": "lead@demo.hub"})
            sales = await db.departments.find_one({"name": "Sales"})
            support = await db.departments.find_one({"name": "Support"})
            assert lead is not None and sales is not None and support is not None

            def spread(i: int) -> dict[str, object]:
                # Views that differ: every tenth conversation is the lead's, another tenth is in Sales.
                return {"assignee_id": lead["_id"]} if i % 10 == 3 else {"department_id": sales["_id"]} \
                    if i % 10 == 7 else {}

            seeded = await db.conversations.find_one({"contact_name": "Customer 0"}) if keep else None
            if seeded is not None:
                big = seeded["_id"]
                print(f"inbox navigation: reusing the database in {keep} "
                      f"({await db.conversations.estimated_document_count():,} conversations, "
                      f"{await db.messages.estimated_document_count():,} messages)", flush=True)
            else:
                seeding = time.perf_counter()
                big, _ = await seed(db, spread)
                print(f"inbox navigation: seeded {CONVERSATIONS:,} conversations and {MESSAGES_TOTAL:,} messages in "
                      f"{time.perf_counter() - seeding:.0f}s", flush=True)
            typical = (await db.conversations.find({"_id": {"$ne": big}, "assignee_id": None,
                                                    "department_id": support["_id"]})
                       .sort([("last_message_at", DESCENDING)]).limit(1).to_list(1))[0]["_id"]
            typical_size = await db.messages.count_documents({"conversation_id": typical})

            async def get(path: str) -> object:
                async with agent.get(base + path) as response:
                    assert response.status == 200, response.status
                    return await response.read()

            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = await browser.new_context(viewport={"width": 1440, "height": 900})
            await context.add_init_script(WATCH)
            # At 100,000 conversations a list page can take longer than Playwright's default 30 s on a busy machine.
            context.set_default_timeout(600_000)
            page = await context.new_page()
            await page.goto(f"{base}/login")
            await page.fill('input[name="email"]', "lead@demo.hub")
            await page.fill('input[name="password"]', "demo-password")
            await page.click('button[type="submit"]')
            await page.wait_for_url(f"{base}/inbox")
            print("inbox navigation: signed in", flush=True)

            for name, conversation_id in ((f"open a conversation from the list (1,000 messages, newest "
                                           f"{TIMELINE_PAGE} shown)", big),
                                          (f"open a conversation from the list ({typical_size} messages)", typical)):
                link = f'#conversation-list [data-conversation="{conversation_id}"] a'
                raw_read = _raw_open(db, conversation_id)
                samples = Samples()
                for run in range(RUNS + 1):  # the first warms caches and is not counted
                    await page.goto(f"{base}/inbox?view=all")
                    await page.wait_for_selector(link)
                    await _settled(page)
                    # The three sides in turn, so that they share whatever else the machine is doing.
                    result, elapsed = await _measure(page, {"kind": "conversation", "id": str(conversation_id)},
                                                     link)
                    raw = await _once(raw_read)
                    route = await _once(lambda cid=conversation_id: get(f"/inbox/c/{cid}"))  # type: ignore[misc]
                    if run:
                        samples.add(result, elapsed, raw, route)
                print(*samples.report(name), sep="\n", flush=True)

            cores: dict[str, dict[str, object]] = {
                "mine": {"assignee_id": lead["_id"]}, "unassigned": {"assignee_id": None}, "all": {},
                **{f"dept:{d}": {"department_id": d} for d in lead.get("department_ids") or []}}
            cycle = ["mine", f"dept:{sales['_id']}", "all"]  # each has a different first row than the one before
            firsts = {view: str((await _raw_list(db, cores[view]))[0]["_id"]) for view in cycle}
            samples = Samples()
            counting: list[float] = []
            await page.goto(f"{base}/inbox?view=all")
            await _settled(page)
            for run in range(RUNS + len(cycle)):  # the first round warms caches and is not counted
                view = cycle[run % len(cycle)]
                result, elapsed = await _measure(page, {"kind": "view", "view": view, "first": firsts[view]},
                                                 f'nav.views a[data-view="{view}"]')
                await _settled(page)
                raw = await _once(_raw_view(db, cores[view], lead["_id"]))
                route = await _once(lambda v=view: get(f"/inbox?view={v}"))  # type: ignore[misc]
                counted = await _once(_raw_counts(db, cores))
                if run >= len(cycle):
                    samples.add(result, elapsed, raw, route)
                    counting.append(counted)
            print(*samples.report("switch views (Mine → Sales → All, first page of 50 and the tabs' counts)"), sep="\n",
                  flush=True)
            print(f"  the tabs' counts counted in the database instead (not done by the hub): p50 "
                  f"{statistics.median(counting):.0f} ms", flush=True)
            await browser.close()
            await client.close()


def _raw_open(db: Db, conversation_id: ObjectId) -> Callable[[], Awaitable[object]]:
    """What the conversation page shows, read plainly: the conversation, then its contact and newest page."""

    async def read() -> object:
        conversation = await db.conversations.find_one({"_id": conversation_id})
        assert conversation is not None
        return await asyncio.gather(
            db.contacts.find_one({"_id": conversation["contact_id"]}),
            db.messages.find({"conversation_id": conversation_id}).sort(
                [("created_at", DESCENDING), ("_id", DESCENDING)]).limit(TIMELINE_PAGE + 1).to_list(TIMELINE_PAGE + 1))

    return read


async def _raw_list(db: Db, core: dict[str, object]) -> list[dict[str, Any]]:
    # As inbox_reads' raw_inbox: an hour below now holds a full page here, and the embedded server sorts
    # every match in memory, so a bounded range is the best plain query.
    top = utcnow()
    query = {**core, "status": "open", "last_message_at": {"$lt": top, "$gte": top - timedelta(hours=1)}}
    return await db.conversations.find(query).sort(
        [("last_message_at", DESCENDING), ("_id", DESCENDING)]).limit(51).to_list(51)


def _raw_view(db: Db, core: dict[str, object], lead_id: ObjectId) -> Callable[[], Awaitable[object]]:
    """A view's first page and the Mentions notes its tab counts from."""

    async def read() -> object:
        return await asyncio.gather(
            _raw_list(db, core),
            db.messages.find({"mentions": lead_id}, {"conversation_id": 1}).sort("_id", DESCENDING).limit(500)
            .to_list(500))

    return read


def _raw_counts(db: Db, cores: dict[str, dict[str, object]]) -> Callable[[], Awaitable[object]]:
    """Counting every tab in the database, as the hub did before it kept a tally: printed for comparison."""

    async def read() -> object:
        return await asyncio.gather(*(db.conversations.count_documents({**c, "status": "open"})
                                      for c in cores.values()))

    return read


async def _once(call: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await call()
    return (time.perf_counter() - started) * 1000


class Samples:
    """One step's runs: the browser's (with its breakdown), the raw queries' and the hub route's, taken in turn."""

    def __init__(self) -> None:
        self.runs: list[dict[str, Any]] = []
        self.wall: list[float] = []
        self.raw: list[float] = []
        self.route: list[float] = []

    def add(self, result: dict[str, Any], wall: float, raw: float, route: float) -> None:
        self.runs.append(result)
        self.wall.append(wall)
        self.raw.append(raw)
        self.route.append(route)

    def report(self, name: str) -> list[str]:
        return [_line(name, _p([float(r["total"]) for r in self.runs]), _p(self.raw)),
                _inside(self.runs, _p(self.route), self.wall)]


if __name__ == "__main__":
    asyncio.run(main())
