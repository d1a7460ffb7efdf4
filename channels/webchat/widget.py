"""What a website embeds: the widget's script and style, served to any origin."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

STATIC = Path(__file__).parent / "static"
routes = web.RouteTableDef()


@routes.get("/widget.js")
async def widget_js(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "widget.js", headers={"Content-Type": "text/javascript; charset=utf-8",
                                                           "Cache-Control": "public, max-age=300",
                                                           "Access-Control-Allow-Origin": "*"})


@routes.get("/widget.css")
async def widget_css(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "widget.css", headers={"Content-Type": "text/css; charset=utf-8",
                                                            "Cache-Control": "public, max-age=300",
                                                            "Access-Control-Allow-Origin": "*"})
