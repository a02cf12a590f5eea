"""What stands between the network and the app (a pure ASGI middleware):

- the Host header must name this server (a page on another site cannot rebind its DNS name onto 127.0.0.1
  and read the answers);
- a request body over the limit is refused with 413 before the app parses or spools any of it (a declared
  Content-Length is refused unread; a chunked body is counted as it arrives and refused at the first byte
  over), so an upload is held in memory whole and never reaches a temporary file;
- every answer says: do not store it (no case data in the browser's cache), no framing, no referrer, and a
  content security policy that allows only this server's own scripts and styles.
"""

from __future__ import annotations

from collections.abc import Iterable

LOOPBACK = ("127.0.0.1", "localhost", "::1")

HEADERS = [
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                 b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
]


def host_name(header: str) -> str:
    """The host of a Host header, without the port, lower case ('[::1]:8000' -> '::1')."""
    h = header.strip().lower()
    if h.startswith("["):
        return h[1:h.find("]")] if "]" in h else h
    return h.rsplit(":", 1)[0] if h.count(":") == 1 else h


class Guard:
    def __init__(self, app, allowed_hosts: Iterable[str], max_body: int) -> None:
        self.app = app
        self.allowed = {host_name(h) for h in allowed_hosts}
        self.max_body = max_body

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        host = host_name(headers.get(b"host", b"").decode("latin-1"))
        if host not in self.allowed:
            await _plain(send, 400, f"Host {host!r} is not allowed: this server answers only to "
                         f"{', '.join(sorted(self.allowed))} (start it with --allow-host NAME to add a name).")
            return
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await _plain(send, 413, self._too_large())
            return
        body, more = [], True
        size = 0
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await _plain(send, 413, self._too_large())
                return
            body.append(chunk)
            more = message.get("more_body", False)
        whole = b"".join(body)
        sent = False

        async def replay():
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": whole, "more_body": False}

        async def secured(message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message, headers=[*message.get("headers", []), *HEADERS])
            await send(message)

        await self.app(scope, replay, secured)

    def _too_large(self) -> str:
        return (f"The upload is larger than {self.max_body:,} bytes (1 MiB); case files and client lists are limited to "
                "that. Split a longer list into parts.")


async def _plain(send, status: int, text: str) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), *HEADERS]})
    await send({"type": "http.response.body", "body": text.encode()})
