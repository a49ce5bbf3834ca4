"""The FastAPI application: routes from the core and from plugins."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from yuqing import __version__
from yuqing.pluginmanager import flatten
from yuqing.services import Services

from .routes import auth, console, health, incidents, posts, sources


def create_app(services: Services) -> FastAPI:
    app = FastAPI(title="yuqing 舆情", version=__version__, docs_url="/api/docs", openapi_url="/api/openapi.json")
    app.state.services = services
    for router in (health.router, auth.router, posts.router, incidents.router, sources.router, console.router):
        app.include_router(router)
    for router in flatten(services.plugins.hook.register_routes()):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(resources.files("yuqing.api") / "static")), name="static")
    return app
