"""``/v2/docs``: Swagger UI served from the installed ``swagger-ui-bundle-v2`` package, offline.

FastAPI's own docs page loads Swagger UI from a CDN, so it is blank without a network. This page
names only URLs on the emulator itself; the assets are read from the package's folder, and only
the three the page uses are served.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from swagger_ui_bundle import swagger_ui_path

from scribe_eval.emulator._problems import ApiProblem

DOCS_PATH: Final = "/v2/docs"
_ASSETS: Final = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}


def docs_router(app: FastAPI) -> APIRouter:
    """The docs page and its assets (none of them in the OpenAPI document)."""
    router = APIRouter(include_in_schema=False)
    assets = f"{DOCS_PATH}/assets"

    async def page() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/v2/openapi.json",
            title=f"{app.title} {app.version}",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon-32x32.png",
        )

    async def asset(name: str) -> FileResponse:
        media_type = _ASSETS.get(name)
        if media_type is None:
            raise ApiProblem(404, f"no docs asset {name!r}")
        return FileResponse(swagger_ui_path / name, media_type=media_type)

    router.add_api_route(DOCS_PATH, page, methods=["GET"])
    router.add_api_route(f"{assets}/{{name}}", asset, methods=["GET"])
    return router
