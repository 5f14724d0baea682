"""The web app: a search page, document pages and a JSON API over the one SearchService."""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from archive.errors import ArchiveError, UnauthorizedError
from archive.settings import Settings

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def create_app(settings: Settings | None = None, service=None, test_config: dict | None = None) -> Flask:
    """The app for one archive. `service` lets tests share one loaded SearchService (model and indexes)."""
    from indexer.search import SearchService

    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=settings.max_upload_bytes)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if test_config:
        app.config.update(test_config)
    app.extensions["archive.settings"] = settings
    app.extensions["archive.search"] = service or SearchService(settings)

    from web import api, batch, feeds, mail, originals, pages, upload

    if settings.rate_limit:
        from flask_limiter import Limiter
        from flask_limiter.util import get_remote_address

        limiter = Limiter(get_remote_address, app=app, storage_uri="memory://", headers_enabled=True)
        limiter.limit(settings.rate_limit)(api.bp)
        limiter.limit(settings.rate_limit)(mail.api_bp)
        limiter.limit(settings.rate_limit)(originals.bp)
        limiter.limit(settings.rate_limit)(batch.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp, url_prefix="/api")
    app.register_blueprint(mail.bp)
    app.register_blueprint(mail.api_bp, url_prefix="/api")
    app.register_blueprint(originals.bp, url_prefix="/api")
    app.register_blueprint(batch.bp, url_prefix="/api")
    app.register_blueprint(batch.page_bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(upload.bp)

    @app.errorhandler(ArchiveError)
    def archive_error(exc: ArchiveError):
        response = error_response(exc.status, exc.message)
        if isinstance(exc, UnauthorizedError):
            response[0].headers["WWW-Authenticate"] = 'Bearer realm="archive"'
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return error_response(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        app.logger.exception("unexpected error")
        return error_response(500, "internal error: the archive could not answer this request; see the server log")

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    return app


def error_response(status: int, message: str):
    """One error shape: JSON under /api/, an error page elsewhere."""
    if request.path.startswith("/api/"):
        return make_response(jsonify({"error": {"status": status, "message": message}}), status), status
    return make_response(render_template("error.html", status=status, message=message), status), status
