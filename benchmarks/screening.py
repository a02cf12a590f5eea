"""Benchmark office screening through the web app: a client list of N synthetic cases uploaded over HTTP.

    python benchmarks/screening.py              # 5,000 rows
    python benchmarks/screening.py --rows 7000 --repeat 5

Serves the app on a loopback port (uvicorn, in this process) and times, as a browser would meet them: the upload
(POST /screen: reading the CSV in memory, validating and recomputing every row with the batch kernel, building the
worklist), the worklist page (GET), and the .xlsx and CSV downloads. The list must stay under the 1 MiB upload
limit (about 7,000 rows of the synthetic layout).
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import secrets
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2026-11-25"


def client_list(rows: int, seed: int = 7) -> bytes:
    """N synthetic cases as a CSV an office might keep (the flat columns, written without quotes)."""
    from sentcalc.synthetic import generate
    cols = generate(rows, seed=seed)
    names = list(cols)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(names)
    for k in range(rows):
        w.writerow([_cell(cols[n][k]) for n in names])
    return buf.getvalue().encode()


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return "" if v != v else (str(int(v)) if v.is_integer() else f"{v:g}")
    if hasattr(v, "item"):
        return _cell(v.item())
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, dict(r.getheaders()), data


def upload(port: int, name: str, content: bytes):
    boundary = secrets.token_hex(12)
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return _request(port, "POST", "/screen", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})


def main() -> None:
    from sentcalc.web.app import create_app
    from sentcalc.web.serve import Background

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=5_000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    content = client_list(a.rows)
    if len(content) > 1_048_576:
        sys.exit(f"{a.rows:,} rows make {len(content):,} bytes, over the 1 MiB upload limit; use fewer rows")
    times: dict[str, list[float]] = {"upload and screen": [], "worklist page": [], "xlsx download": [],
                                     "csv download": []}
    with Background(create_app(date.fromisoformat(TODAY))) as url:
        port = int(url.rsplit(":", 1)[1])
        upload(port, "warm.csv", client_list(50, seed=1))  # first-use imports and law loading, not timed
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            status, headers, _ = upload(port, "clients.csv", content)
            times["upload and screen"].append(time.perf_counter() - t0)
            assert status == 303, status
            where = headers.get("location")
            for key, path in (("worklist page", where), ("xlsx download", f"{where}/worklist.xlsx"),
                              ("csv download", f"{where}/worklist.csv")):
                t0 = time.perf_counter()
                status, _, page = _request(port, "GET", path)
                times[key].append(time.perf_counter() - t0)
                assert status == 200, (path, status)
                if key == "worklist page":
                    shown = page.count(b"<tr data-id=")
        total = [sum(ts) for ts in zip(times["upload and screen"], times["worklist page"])]
    print(f"client list               {a.rows:,} rows, {len(content):,} bytes (limit 1,048,576)")
    print(f"worklist                  {shown:,} people eligible for some avenue")
    for k, ts in times.items():
        print(f"{k:25} {statistics.median(ts):7.2f} s  (median of {len(ts)}; best {min(ts):.2f} s)")
    print(f"{'upload to worklist shown':25} {statistics.median(total):7.2f} s  (median; rows/s "
          f"{a.rows / statistics.median(total):,.0f})")


if __name__ == "__main__":
    main()
