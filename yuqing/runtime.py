"""Running yuqing: the API server, the SLA ticker and, for ``yuqing run``, the
crawl scheduler, in one process on one event loop.

Scrapy runs on Twisted's asyncio reactor, which drives the same asyncio loop
as uvicorn, so a crawl and an API request interleave like any two coroutines.
The CPU-heavy part of a crawl (NLP, store, alerts) and each tick of the SLA
ticker (database work, notices over the network) run in worker threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import TYPE_CHECKING, Iterator

from scrapy.utils.reactor import install_reactor

from yuqing.errors import YuqingError
from yuqing.settings import Settings

if TYPE_CHECKING:
    from yuqing.services import Services

log = logging.getLogger(__name__)

REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    for noisy in ("scrapy", "twisted", "py.warnings", "filelock"):
        logging.getLogger(noisy).setLevel(settings.crawl.log_level)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)


def run(settings: Settings, *, crawl: bool) -> None:
    """Serve the API (and crawl, when asked) until SIGINT or SIGTERM."""
    install_reactor(REACTOR)
    import uvicorn
    from twisted.internet import reactor  # installed just above: import only now

    from yuqing import demo
    from yuqing.accounts import DEMO_PASSWORD, ensure_demo_users
    from yuqing.api.app import create_app
    from yuqing.crawlers.schedule import CrawlScheduler, scheduled_sources
    from yuqing.services import Services

    configure_logging(settings)
    if settings.demo and crawl:
        site = demo.start_site()
        demo.point_sources_at(settings, site.url)
        log.info("demo: sample pages served at %s", site.url)
    services = Services(settings)
    if settings.demo:
        with services.sessions.begin() as session:
            created = ensure_demo_users(session, services.clock)
        log.warning(
            "DEMO MODE: users brand, lead, legal, director, admin with password %r%s. "
            "Never use demo mode with real data.",
            DEMO_PASSWORD,
            f" (created {', '.join(created)})" if created else "",
        )
    scheduler = None
    if crawl:
        jobs = scheduled_sources(services)
        scheduler = CrawlScheduler(services, jobs)
        log.info("crawling %s", ", ".join(f"{s.name} every {s.conf.interval_seconds}s" for s, _ in jobs) or "nothing")

    server = _Server(
        uvicorn.Config(
            create_app(services),
            host=settings.server.host,
            port=settings.server.port,
            log_config=None,
            lifespan="off",
            timeout_graceful_shutdown=5,  # open live streams must not hold a shutdown up
        )
    )

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, lambda: (services.feed.close(), server.stop()))
        serving = asyncio.ensure_future(server.serve())
        crawling = asyncio.ensure_future(scheduler.run()) if scheduler else None
        ticking = asyncio.ensure_future(_tick_forever(services))
        while not server.started and not serving.done():
            await asyncio.sleep(0.05)
        if server.started:
            log.info("yuqing answers at http://%s:%d", settings.server.host, settings.server.port)
        try:
            await serving
        finally:
            for task in (crawling, ticking):
                if task:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    from scrapy.utils.defer import deferred_from_coro

    failure: list[BaseException] = []
    done = deferred_from_coro(main())
    done.addErrback(lambda f: failure.append(f.value))
    done.addBoth(lambda _: reactor.stop())
    reactor.run(installSignalHandlers=False)
    services.close()
    if not server.started:
        raise YuqingError(f"cannot listen on {settings.server.host}:{settings.server.port} (in use?)")
    if failure:
        raise failure[0]


async def _tick_forever(services: Services) -> None:
    """The SLA ticker, every ``tick_seconds`` (real); the first tick at start handles what fell
    due while the service was down. A failing tick is logged and tried again next time."""
    interval = tick_interval(services.settings.tick_seconds, getattr(services.clock, "scale", 1.0))
    while True:
        try:
            await asyncio.to_thread(services.tick)
        except Exception:
            log.exception("SLA tick failed; retrying in %.2f s", interval)
        await asyncio.sleep(interval)


def tick_interval(tick_seconds: float, scale: float) -> float:
    """Real seconds between ticks: ``tick_seconds``, but in a fast drill often enough that a
    step fires within 30 simulated seconds of its time (and never more than 20 times a second)."""
    return max(0.05, min(tick_seconds, 30.0 / scale))


class _Server:
    """uvicorn's server, with the process's signals handled by us, not by uvicorn."""

    def __init__(self, config: object) -> None:
        import uvicorn

        self._server = uvicorn.Server(config)  # type: ignore[arg-type]
        self._server.capture_signals = _no_signals  # type: ignore[method-assign]

    @property
    def started(self) -> bool:
        return bool(self._server.started)

    async def serve(self) -> None:
        try:
            await self._server.serve()
        except SystemExit:  # uvicorn's answer to a port it cannot bind; `started` stays False
            if self.started:
                raise

    def stop(self) -> None:
        log.info("shutting down")
        self._server.should_exit = True


@contextlib.contextmanager
def _no_signals() -> Iterator[None]:
    yield
