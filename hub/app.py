"""`create_app(settings)` builds the whole hub; nothing is connected at import time."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import jinja2
import pymongo
from aiohttp import web
from pydantic_settings import BaseSettings

from channels.base import ChannelPlugin
from channels.email.plugin import EmailPlugin
from channels.email.settings import EmailSettings
from channels.telegram.plugin import TelegramPlugin
from channels.telegram.settings import TelegramSettings
from channels.twilio.plugin import TwilioPlugin
from channels.twilio.settings import TwilioSettings
from channels.webchat.plugin import WebchatPlugin
from hub import keys, redaction, webchat_config, webchat_files, webchat_visitor
from hub.access.auth import auth_middleware
from hub.actions.demo import seed_demo as seed_demo_data
from hub.api import admin as api_admin
from hub.api import canned as api_canned
from hub.api import contacts as api_contacts
from hub.api import conversations as api_conversation
from hub.api import inbox as api_inbox
from hub.api import mailboxes as api_admin_mailboxes
from hub.api import notifications as api_notifications
from hub.api import palette as api_palette
from hub.api import reports as api_reports
from hub.api import routing as routing_api
from hub.api import v1 as api
from hub.api import webchat_look as api_webchat_look
from hub.assign.runtime import routing_ctx
from hub.config import HubConfig, compose
from hub.db.connection import close_client, open_database
from hub.db.health import DatabaseHealth, health_of
from hub.http.languages import Catalogues
from hub.http.web import database_down_middleware, errors_middleware, json_response, security_headers_middleware
from hub.inbound.recovery import recovery_ctx
from hub.inbound.usernames import usernames_ctx
from hub.live.events import EventBus
from hub.outbound import media_links as media
from hub.outbound.dispatcher import Dispatcher
from hub.ports.channel_host import HubChannelHost
from hub.runtime import Hub
from hub.settings import RoutingSettings, Settings, templates_dir
from hub.store.db import ensure_indexes, ping
from inbox_ui import filters
from inbox_ui.admin import routes as admin_routes
from inbox_ui.canned import routes as canned_routes
from inbox_ui.contacts import routes as contact_routes
from inbox_ui.conversation import routes as conversation_routes
from inbox_ui.lists import routes as list_routes
from inbox_ui.live import routes as live_routes
from inbox_ui.profile import routes as profile_routes
from inbox_ui.reports import routes as report_routes
from inbox_ui.shortcuts import routes as shortcut_routes
from inbox_ui.signin import routes as signin_routes
from inbox_ui.survey_page import routes as survey_page_routes
from inbox_ui.team import routes as team_routes

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent.parent / "inbox_ui" / "static"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "inbox_ui" / "locale"



CHANNEL_PLUGINS = web.AppKey("channel_plugins", list[ChannelPlugin])


# The one place that names every channel plugin, in the order hub/channel_catalog.py lists their ChannelInfo.
PLUGIN_CLASSES = (WebchatPlugin, TwilioPlugin, TelegramPlugin, EmailPlugin)


def configure(settings: Settings | None = None, *channel_settings: BaseSettings,
              routing: RoutingSettings | None = None) -> HubConfig:
    """The whole configuration: what is handed in, and every other part (the hub's, routing's, each
    plugin's settings class) read from the environment now."""
    classes = [cls.settings_class for cls in PLUGIN_CLASSES if cls.settings_class is not None]
    return compose(settings, classes, *channel_settings, routing=routing)


def plugins(config: HubConfig) -> list[ChannelPlugin]:
    """A fresh set (each app gets its own, as they hold running state), each with its own settings."""
    return [WebchatPlugin(), TwilioPlugin(config.channel(TwilioSettings)),
            TelegramPlugin(config.channel(TelegramSettings)), EmailPlugin(config.channel(EmailSettings))]


async def _hub_ctx(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    settings = config.hub
    settings.ensure_secret_key()
    health = DatabaseHealth(settings.db_down_limit_seconds)
    async with open_database(settings, health=health, prepare=ensure_indexes) as (client, db):
        events = EventBus(db)
        hub = Hub(settings=settings, client=client, db=db, events=events,
                  process_id=f"{socket.gethostname()}:{os.getpid()}:{id(app):x}", routing_settings=config.routing,
                  health=health)
        app[keys.HUB] = hub
        host = HubChannelHost(hub)
        for plugin in app[CHANNEL_PLUGINS]:
            hub.channels.update(await plugin.start(host))
        _hide_secrets(app)
        if app[SEED_DEMO]:
            from hub.actions.demo import print_logins

            print_logins(await seed_demo_data(db))
        await events.start()
        dispatcher = Dispatcher(hub, workers=settings.outbox_workers)
        await dispatcher.start()
        log.info("hub ready url=%s channels=%s", settings.effective_public_url(), ",".join(sorted(hub.channels)))
        try:
            yield
        finally:
            await dispatcher.stop()
            for plugin in app[CHANNEL_PLUGINS]:
                await plugin.stop()
            await events.stop()
            if hub.late_close is not None:
                hub.late_close.cancel()  # the clean-up is done with the database; open_database closes it now


SHUTDOWN_DATABASE_GRACE_SECONDS = 4.0


async def _let_go_of_a_dead_database(app: web.Application) -> None:
    """First step of a stop: no more restarts, and if the database is down, close the client now.
    Closing ends every call waiting in server selection at once (with an error, not a cancel, so the
    driver's lock stays sound), and every clean-up after this one finds its database call fails fast.
    A database that is up gets a grace period for the clean-up's last writes, then the same."""
    hub = app.get(keys.HUB)
    if hub is None:
        return
    health = health_of(hub)
    await health.stop_watching()
    if health.down:
        log.warning("stopping while the database is down: closing its client first so nothing waits for it")
        await close_client(hub.client)
        return

    def close_late() -> None:
        log.warning("the stop is still waiting on the database after %.0fs: closing its client",
                    SHUTDOWN_DATABASE_GRACE_SECONDS)
        hub.closing_client = asyncio.ensure_future(close_client(hub.client))

    hub.late_close = asyncio.get_running_loop().call_later(SHUTDOWN_DATABASE_GRACE_SECONDS, close_late)


def _hide_secrets(app: web.Application) -> None:
    """Keep every configured secret out of the logs (the generated secret key and plugins' settings too)."""
    found = [*redaction.secrets_in(app[keys.SETTINGS]), *redaction.secrets_in_environment(os.environ)]
    for plugin in app[CHANNEL_PLUGINS]:
        found += redaction.secrets_in(getattr(plugin, "settings", None))
    redaction.install(*found)


async def healthz(request: web.Request) -> web.Response:
    """Alive, unless the database has been down past HUB_DB_DOWN_LIMIT_SECONDS: then a supervisor
    (systemd, Docker, Kubernetes) should restart the hub."""
    hub = request.app.get(keys.HUB)
    if hub is None:
        return json_response({"status": "ok"})
    view = health_of(hub).view()
    if view.past_limit:
        return json_response({"status": "database down too long", "database": "down", "since": view.since,
                              "down_seconds": view.down_seconds, "reason": view.reason}, status=503)
    if not view.up:
        return json_response({"status": "ok", "database": "down", "since": view.since,
                              "down_seconds": view.down_seconds, "reason": view.reason})
    return json_response({"status": "ok"})


READY_PING_SECONDS = 2.0


async def readyz(request: web.Request) -> web.Response:
    """Ready to serve: answers at once from the watcher's state while the database is known down."""
    hub = request.app.get(keys.HUB)
    if hub is None:
        return json_response({"status": "starting"}, status=503)
    health = health_of(hub)
    if health.down:
        view = health.view()
        response = json_response({"status": "database down", "since": view.since,
                                  "down_seconds": view.down_seconds, "reason": view.reason}, status=503)
        response.headers["Retry-After"] = str(health.retry_after())
        return response
    with pymongo.timeout(READY_PING_SECONDS):  # the driver's own bound: never a cancel in server selection
        answered = await ping(hub.db)
    if not answered:
        health.suspect()
        response = json_response({"status": "database not answering"}, status=503)
        response.headers["Retry-After"] = str(health.retry_after())
        return response
    return json_response({"status": "ready"})


SEED_DEMO = web.AppKey("seed_demo", bool)
CONFIG = web.AppKey("config", HubConfig)


def create_app(settings: Settings | HubConfig | None = None, *, seed_demo: bool = False) -> web.Application:
    """The hub, from one composed configuration (hub settings alone: the rest is read from the
    environment now, see `configure`)."""
    config = settings if isinstance(settings, HubConfig) else configure(settings)
    settings = config.hub
    app = web.Application(
        middlewares=[security_headers_middleware, errors_middleware, database_down_middleware, auth_middleware],
        # Room for a reply's attachments (hub.uploads names any one file over the limit); bigger is aiohttp's 413.
        client_max_size=max(settings.max_text_bytes * 4, 1024 * 1024) + 3 * settings.max_attachment_bytes,
    )
    app[keys.SETTINGS] = settings
    app[CONFIG] = config
    app[SEED_DEMO] = seed_demo
    redaction.install(*redaction.secrets_in(settings))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    filters.install(env)
    app[keys.JINJA] = env
    app[keys.CATALOGUES] = Catalogues.load(LOCALE_DIR)
    app.cleanup_ctx.append(_hub_ctx)
    app.on_shutdown.append(_let_go_of_a_dead_database)
    app.cleanup_ctx.append(routing_ctx)  # after the hub: it needs the database
    app.cleanup_ctx.append(recovery_ctx)  # after routing: a replayed message is routed like any other
    app.cleanup_ctx.append(usernames_ctx)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_static("/static/", STATIC_DIR, name="static")
    app.add_routes(api.routes)
    app.add_routes(routing_api.routes)
    app.add_routes(api_inbox.routes)
    app.add_routes(api_contacts.routes)
    app.add_routes(api_conversation.routes)
    app.add_routes(api_canned.routes)
    app.add_routes(api_admin.routes)
    app.add_routes(api_webchat_look.routes)
    app.add_routes(api_admin_mailboxes.routes)
    app.add_routes(api_notifications.routes)
    app.add_routes(api_palette.routes)
    app.add_routes(api_reports.routes)
    app.add_routes(media.routes)
    app.add_routes(webchat_visitor.routes)
    app.add_routes(webchat_files.routes)
    app.add_routes(webchat_config.routes)
    app[CHANNEL_PLUGINS] = plugins(config)
    for plugin in app[CHANNEL_PLUGINS]:
        app.add_routes(plugin.routes())
    app.add_routes(signin_routes)
    app.add_routes(survey_page_routes)
    app.add_routes(profile_routes)
    app.add_routes(list_routes)
    app.add_routes(conversation_routes)
    app.add_routes(live_routes)
    app.add_routes(contact_routes)
    app.add_routes(team_routes)
    app.add_routes(admin_routes)
    app.add_routes(canned_routes)
    app.add_routes(shortcut_routes)
    app.add_routes(report_routes)
    return app
