"""A local stand-in for publishers' web servers (127.0.0.1 only), for the fetch tests.

A test gives a ``route`` function: the request → a ``Reply`` (status, headers, body). A reply
can be cut after ``cut`` bytes (the connection closes with the full Content-Length announced:
a download that breaks off halfway). Every request is kept in ``server.requests``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""

    @property
    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    cut: int | None = None


Route = Callable[[Request], Reply]


@dataclass
class Server:
    base: str
    requests: list[Request]


def _handler(route: Route, requests: list[Request]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parsed = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(
                self.command,
                parsed.path,
                {k: v[0] for k, v in parse_qs(parsed.query, keep_blank_values=True).items()},
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length) if length else b"",
            )
            requests.append(request)
            reply = route(request)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body if reply.cut is None else reply.body[: reply.cut])
            if reply.cut is not None:
                self.wfile.flush()
                self.close_connection = True

        do_GET = do_POST = _serve  # noqa: N815 - the http.server API

        def log_message(self, *args: object) -> None:
            return

    return Handler


@contextmanager
def serve(route: Route) -> Iterator[Server]:
    requests: list[Request] = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(route, requests))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}", requests)
    finally:
        httpd.shutdown()
        httpd.server_close()


def ranged(request: Request, body: bytes, headers: dict[str, str] | None = None) -> Reply:
    """``body``, or the part a ``Range: bytes=N-`` asks for (206)."""
    asked = request.headers.get("range", "")
    if asked.startswith("bytes="):
        start = int(asked.removeprefix("bytes=").split("-")[0])
        extra = {"Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}"}
        return Reply(206, body[start:], (headers or {}) | extra)
    return Reply(200, body, headers or {})
