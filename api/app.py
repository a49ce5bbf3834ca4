"""The FastAPI application: routes from the core and from plugins."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from yuqing import __version__
from yuqing.alerting.errors import WorkflowError
from yuqing.pluginmanager import flatten
from yuqing.services import Services

from .routes import admin, auth, console, feedback, health, incidents, live, posts, silences, sources, statements, stats


def create_app(services: Services) -> FastAPI:
    app = FastAPI(title="yuqing 舆情", version=__version__, docs_url="/api/docs", openapi_url="/api/openapi.json")
    app.state.services = services
    routers = (health, auth, posts, feedback, incidents, statements, silences, sources, stats, live, admin, console)
    for module in routers:
        app.include_router(module.router)
    app.include_router(admin.public)
    app.add_exception_handler(WorkflowError, _workflow_error)
    for router in flatten(services.plugins.hook.register_routes()):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(resources.files("yuqing.api") / "static")), name="static")
    return app


async def _workflow_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, WorkflowError)
    return JSONResponse(status_code=exc.status, content={"detail": str(exc)})
