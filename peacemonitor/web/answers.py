"""Finished answers, served again without opening the store: the bytes of a page or API answer
per URL and store version, in front of the whole app.

A cached page still cost a request its routing, filter validation, a worker thread and the
page's own cache lookup; under twenty clients that queueing was most of the latency. Here a GET
whose URL was answered under the same store version is sent from memory on the event loop (two
``stat`` calls, one dictionary lookup), with an ``ETag`` so a browser that has it gets a 304.

Only answers the app marks as cacheable are kept (``CACHEABLE``: pages, JSON twins and the
indicator, the same answer for the same URL and store state), never errors, never a stale
answer. While an import is running (``Caches.importing``) an answer of an earlier version is sent
marked stale, as the app itself would; otherwise the request goes to the app, which recomputes.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peacemonitor.web.context import STALE, Caches, store_version

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

CACHEABLE = "x-peacemonitor-cacheable"  # set by the app on answers that depend on URL and store
_MARK = CACHEABLE.encode()
_STALE = [(STALE[0].lower().encode(), STALE[1].encode())]


@dataclass(frozen=True)
class Answer:
    version: tuple[Any, ...]
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes


@dataclass
class Answers:
    """The LRU of finished answers, bounded by count and by bytes (map pages are large)."""

    size: int = 1024
    budget: int = 256 * 2**20
    kept: OrderedDict[tuple[str, bytes], Answer] = field(default_factory=OrderedDict)
    used: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: tuple[str, bytes]) -> Answer | None:
        with self.lock:
            found = self.kept.get(key)
            if found is not None:
                self.kept.move_to_end(key)
            return found

    def put(self, key: tuple[str, bytes], answer: Answer) -> None:
        with self.lock:
            old = self.kept.pop(key, None)
            self.used += len(answer.body) - (len(old.body) if old else 0)
            self.kept[key] = answer
            while self.kept and (len(self.kept) > self.size or self.used > self.budget):
                _, dropped = self.kept.popitem(last=False)
                self.used -= len(dropped.body)


class AnswerCache:
    """ASGI middleware: sends a kept answer, or asks the app and keeps what it marks cacheable."""

    def __init__(self, app: App, path: Path, caches: Caches, answers: Answers) -> None:
        self.app, self.path, self.caches, self.answers = app, path, caches, answers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        key = (scope["path"], scope["query_string"])
        version = store_version(self.path)
        importing = self.caches.importing(version)  # every request notes the store's changes
        hit = self.answers.get(key)
        if hit is not None and hit.version == version:
            await _send(hit, scope, send, stale=False)
        elif hit is not None and importing:
            await _send(hit, scope, send, stale=True)
        else:
            await self.app(scope, receive, self._keeping(key, version, send))

    def _keeping(self, key: tuple[str, bytes], version: tuple[Any, ...], send: Send) -> Send:
        """A ``send`` that passes the answer on, keeping it when the app marked it cacheable."""
        start: Message | None = None
        parts: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start" and _marked(message):
                start = message
                return  # held back until the body is known, to add its ETag
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            parts.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            answer = _answer(version, start, b"".join(parts))
            if answer.status == 200:
                self.answers.put(key, answer)
            await send({"type": "http.response.start", "status": answer.status,
                        "headers": [*answer.headers, (b"etag", answer.etag)]})  # fmt: skip
            await send({"type": "http.response.body", "body": answer.body})

        return keep


def _marked(start: Message) -> bool:
    return any(name == _MARK for name, _ in start.get("headers", []))


def _answer(version: tuple[Any, ...], start: Message, body: bytes) -> Answer:
    headers = [(n, v) for n, v in start.get("headers", []) if n != _MARK]
    etag = b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"'
    return Answer(version, int(start["status"]), headers, body, etag)


async def _send(answer: Answer, scope: Scope, send: Send, stale: bool) -> None:
    """The kept answer, or 304 when the client already holds these bytes."""
    extra = [(b"etag", answer.etag), *(_STALE if stale else [])]
    if _etag_matches(scope, answer.etag):
        await send({"type": "http.response.start", "status": 304, "headers": extra})
        await send({"type": "http.response.body", "body": b""})
        return
    headers = [*answer.headers, *extra]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


def _etag_matches(scope: Scope, etag: bytes) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"if-none-match":
            return etag in [v.strip().removeprefix(b"W/") for v in value.split(b",")]
    return False
