"""The dashboard and JSON API: ``create_app(settings)`` builds a FastAPI app over one store.

Every page of ``pages.PAGES`` is served as HTML and as JSON under ``/api/`` from the same
builder call. The app only reads the store (short read-only connections that wait out an
import's write lock); every asset — scripts, styles, geometry — is served by the app itself,
and the OpenAPI description and its reader page are local (no Swagger UI from a CDN).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from peacemonitor.errors import PeacemonitorError
from peacemonitor.settings import Settings
from peacemonitor.web import downloads, indicator
from peacemonitor.web.answers import CACHEABLE, AnswerCache, Answers
from peacemonitor.web.context import STALE, Caches, Context, PinnedStore
from peacemonitor.web.errors import ApiError, error_json, status_of
from peacemonitor.web.filters import Filters
from peacemonitor.web.i18n import DEFAULT_LANGUAGE, translators
from peacemonitor.web.pages import PAGES, Page, outline_for
from peacemonitor.web.render import Renderer

FiltersQuery = Annotated[Filters, Query()]


def plotly_js() -> Path:
    """plotly.js as bundled in the plotly package (served, never fetched from a CDN)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def create_app(settings: Settings) -> FastAPI:
    """The app for ``settings.db``; no state outside the returned app."""
    app = FastAPI(
        title="peacemonitor",
        summary="Colombia's Total Peace process, territory by territory: JSON API",
        docs_url=None,
        responses={400: {"model": ApiError}, 404: {"model": ApiError}, 422: {"model": ApiError}},
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    caches, renderer = Caches(), Renderer(translators(), PAGES)
    store = settings.store()
    app.state.settings = settings
    app.state.caches = caches
    app.state.answers = Answers()
    app.add_middleware(AnswerCache, path=store.path, caches=caches, answers=app.state.answers)

    @contextmanager
    def context(filters: Filters) -> Iterator[Context]:
        """A request's context: its reads share one connection, closed when it is done."""
        pinned = PinnedStore(store.path, timeout=store.timeout)
        try:
            yield Context(store=pinned, filters=filters, caches=caches)
        finally:
            pinned.close()

    for page in PAGES:
        _add_page(app, page, context, renderer)
    downloads.register(app, context)
    indicator.register(app, context, answer_headers)
    _add_assets(app, renderer)
    _add_errors(app, renderer)
    return app


def _add_page(app: FastAPI, page: Page, context: Any, renderer: Renderer) -> None:
    """The HTML route and its JSON twin, both calling ``page.build`` once."""

    def build(ctx: Context, key: str | None) -> Any:
        compute = (lambda: page.build(ctx, key)) if page.keyed else (lambda: page.build(ctx))
        return ctx.cached(page.name, compute, key)

    def html(request: Request, filters: Filters, key: str | None) -> HTMLResponse:
        with context(filters) as ctx:

            def draw() -> str:
                data = build(ctx, key)
                outline = outline_for(page.name, data, ctx)
                return renderer.page(page, data, filters, request, outline)

            body = ctx.cached(f"html:{page.name}", draw, key, filters.lang)
            return HTMLResponse(body, headers=answer_headers(ctx))

    def api(filters: Filters, key: str | None) -> Response:
        """The model as JSON, serialised once per store version (the model is the page's)."""
        with context(filters) as ctx:
            body = ctx.cached(f"json:{page.name}", lambda: build(ctx, key).model_dump_json(), key)
            return Response(body, media_type="application/json", headers=answer_headers(ctx))

    if page.keyed:

        @app.get(page.path, response_class=HTMLResponse, include_in_schema=False, name=page.name)
        def keyed_html(request: Request, key: str, filters: FiltersQuery) -> HTMLResponse:
            return html(request, filters, key)

        @app.get(page.api_path, response_model=page.model, name=f"api-{page.name}")
        def keyed_api(key: str, filters: FiltersQuery) -> Any:
            return api(filters, key)

        keyed_api.__doc__ = f"{page.title}: the data of the page {page.path}."
    else:

        @app.get(page.path, response_class=HTMLResponse, include_in_schema=False, name=page.name)
        def plain_html(request: Request, filters: FiltersQuery) -> HTMLResponse:
            return html(request, filters, None)

        @app.get(page.api_path, response_model=page.model, name=f"api-{page.name}")
        def plain_api(filters: FiltersQuery) -> Any:
            return api(filters, None)

        plain_api.__doc__ = f"{page.title}: the data of the page {page.path}."


def answer_headers(ctx: Context) -> dict[str, str]:
    """Says so when an answer is the last one read because an import held the store; else
    marks it for ``AnswerCache`` (it depends only on the URL and the store's state)."""
    return dict([STALE]) if ctx.stale[0] else {CACHEABLE: "1"}


def _static_dir() -> str:
    return str(resources.files("peacemonitor") / "web" / "static")


def _add_assets(app: FastAPI, renderer: Renderer) -> None:
    app.mount("/static", StaticFiles(directory=_static_dir()), name="static")

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly() -> FileResponse:
        return FileResponse(
            plotly_js(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"}
        )

    @app.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs(request: Request, filters: FiltersQuery) -> HTMLResponse:
        return HTMLResponse(renderer.api_docs(app.openapi(), filters, request))


# --- one error shape -------------------------------------------------------------------------


def _add_errors(app: FastAPI, renderer: Renderer) -> None:
    def respond(
        request: Request, status: int, kind: str, message: str, details: Any = None
    ) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(error_json(status, kind, message, details), status_code=status)
        lang = request.query_params.get("lang") or DEFAULT_LANGUAGE
        return HTMLResponse(renderer.error(status, message, lang, request), status_code=status)

    @app.exception_handler(PeacemonitorError)
    async def library_error(request: Request, error: PeacemonitorError) -> Response:
        return respond(request, status_of(error), type(error).__name__, str(error))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError) -> Response:
        details = [
            {"where": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in error.errors()
        ]
        message = "; ".join(f"{d['where']}: {d['message']}" for d in details)
        return respond(request, 422, "InvalidRequest", message, details)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        return respond(request, error.status_code, "HTTPError", str(error.detail))
