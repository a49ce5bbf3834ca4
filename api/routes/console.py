"""The alert console (控制台): server-rendered pages that call the same API.

The pages carry no data: after login the browser keeps the bearer token in
sessionStorage and reads the API like any client, so the console has the
same role checks as the API. Crawled text is put on the page with
``textContent`` only, never as HTML.
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

templates = Jinja2Templates(directory=str(resources.files("yuqing.api") / "templates"))

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "console.html", {"title": "舆情监控"})


@router.get("/vendor/plotly.min.js")
def plotly_js() -> FileResponse:
    """The charting library, from the installed ``plotly`` package: no CDN, nothing copied into the repo."""
    return FileResponse(
        resources.files("plotly") / "package_data" / "plotly.min.js",  # type: ignore[arg-type]
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )
