"""Run the app under uvicorn (`sentcalc serve`)."""

from __future__ import annotations

import sys
import threading
import time
import webbrowser
from datetime import date

import uvicorn

from .app import create_app
from .guard import LOOPBACK

WILDCARD = ("0.0.0.0", "::", "")


def run_server(host: str, port: int, open_browser: bool, allow_hosts: list[str], today: date | None) -> None:
    """Serve until interrupted. Off the loopback address, warn that anyone who can reach the port sees the form."""
    names = [*allow_hosts, *([host] if host not in WILDCARD else [])]
    app = create_app(today, names)
    shown = "127.0.0.1" if host in WILDCARD else host
    url = f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}/"
    if host not in LOOPBACK:
        print(f"warning: listening on {host}:{port}, not on 127.0.0.1: anyone who can reach this port sees the form "
              "and every case typed into it. Stop with Ctrl-C; without --host only this computer can connect.",
              file=sys.stderr)
        if host in WILDCARD and not allow_hosts:
            print("note: from other computers, open the app by a name given with --allow-host NAME (the Host header is "
                  "checked).", file=sys.stderr)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, access_log=False, log_level="warning",
                                           server_header=False))
    print(f"sentcalc serving on {url} (Ctrl-C stops it)", file=sys.stderr)
    if open_browser:
        threading.Thread(target=_open_when_up, args=(server, url), daemon=True).start()
    server.run()


def _open_when_up(server: uvicorn.Server, url: str) -> None:
    for _ in range(200):
        if server.started:
            webbrowser.open(url)
            return
        time.sleep(0.05)


class Background:
    """The app served from a thread on a free loopback port (for the browser tests and the screenshot script):
    `with Background(app) as url: ...`."""

    def __init__(self, app) -> None:
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, access_log=False,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        for _ in range(400):
            if self.server.started:
                return f"http://127.0.0.1:{self.port}"
            time.sleep(0.025)
        raise RuntimeError("the app did not start")

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)
