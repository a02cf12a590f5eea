"""Support for the web tests: the app served on a free loopback port, and plain HTTP requests to it (http.client,
so a test controls every header)."""

from __future__ import annotations

import http.client
import json
import secrets
import subprocess
import sys
from datetime import date
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from helpers import TODAY

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "examples" / "cases"
ELIGIBLE_782 = CASES / "fentanyl-oxycodone-782-2013.yaml"        # eligible under Amendment 782 (lowest 135 months)
CAREER_OFFENDER = CASES / "heroin-career-offender-782-2013.yaml"  # a career offender: no avenue open


def app():
    from sentcalc.web.app import create_app
    return create_app(date.fromisoformat(TODAY))


class Reply:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def request(url: str, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Reply:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    finally:
        conn.close()


def get(url: str, path: str, **headers: str) -> Reply:
    return request(url, "GET", path, headers=headers)


def post_form(url: str, path: str, fields: list[tuple[str, str]] | dict[str, str]) -> Reply:
    items = list(fields.items()) if isinstance(fields, dict) else fields
    return request(url, "POST", path, urlencode(items).encode(),
                   {"Content-Type": "application/x-www-form-urlencoded"})


def post_file(url: str, path: str, filename: str, content: bytes, fields: dict[str, str] | None = None) -> Reply:
    boundary = secrets.token_hex(12)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in (fields or {}).items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return request(url, "POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})


def cli(*args: str) -> subprocess.CompletedProcess:
    """The installed CLI, as a user runs it (the conftest fixes SENTCALC_TODAY)."""
    return subprocess.run([sys.executable, "-m", "sentcalc", *args], capture_output=True, text=True, timeout=300)


def retro_json(path: Path) -> dict:
    r = cli("retro", str(path), "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)
