"""Serves the large practice with gunicorn (production settings, two workers) and loads each page with wrk.

Pages that need a sign-in get a session cookie made here (the same session store the site uses). Each
page is loaded right after a run of the trivial page, and its ratio is to that run: both sides of the
ratio come from the same minute on the same machine. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    """BENCH_PORT when set (a port kept for the benchmark), otherwise any free one."""
    if os.environ.get("BENCH_PORT"):
        return int(os.environ["BENCH_PORT"])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cookie(user_id: int | None) -> str:
    from django.conf import settings

    from bench.subjects import signed_in_client

    if user_id is None:
        return ""
    client = signed_in_client(user_id)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _headers(cookie: str, extra: dict[str, str]) -> dict[str, str]:
    """The session cookie of a signed-in page and the page's own headers (the API's token)."""
    return {**({"Cookie": cookie} if cookie else {}), **extra}


def _get(url: str, cookie: str, extra: dict[str, str] | None = None) -> int:
    headers = _headers(cookie, extra or {})
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - local URL
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local URL
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return round(float(value) * _UNITS[unit], 2)


def _wrk(url: str, cookie: str, extra: dict[str, str], *, seconds: int, threads: int, connections: int) -> dict:
    # As a browser asks: compressed pages where the site compresses them.
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", "Accept-Encoding: gzip",
               url]  # fmt: skip
    for name, value in _headers(cookie, extra).items():
        command[1:1] = ["-H", f"{name}: {value}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    result = {"requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for label, key in (("50%", "latency_p50_ms"), ("99%", "latency_p99_ms")):
        match = re.search(rf"^\s+{re.escape(label)}\s+(\S+)", output, re.M)
        result[key] = _ms(match.group(1)) if match else None
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    result["non_2xx"] = int(errors.group(1)) if errors else 0
    result["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    return result


def run(*, seconds: int, threads: int, connections: int, workers: int) -> dict:
    from bench.subjects import TRIVIAL, pages

    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk).")
    targets = [(page, _cookie(page.user_id)) for page in pages()]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    # gunicorn's control socket in a folder of the benchmark's own, never the shared default.
    control = ROOT / "bench" / "data" / "gunicorn"
    control.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(gunicorn),
            "bench.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--control-socket",
            str(control / "gunicorn.ctl"),
        ],  # fmt: skip
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=sys.stderr,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(base + "/bench/trivial/", "") == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.3)
        results: dict = {"workers": workers, "threads": threads, "connections": connections, "seconds": seconds}
        trivial = next((page, cookie) for page, cookie in targets if page.key == TRIVIAL)

        def load(page, cookie) -> dict:
            statuses = {_get(base + page.path, cookie, page.headers) for _ in range(10)}  # warm both workers
            entry = _wrk(
                base + page.path, cookie, page.headers, seconds=seconds, threads=threads, connections=connections
            )
            entry["warm_up_statuses"] = sorted(statuses)
            return entry

        # Each page right after its own run of the trivial page: the pair sees the same machine,
        # whatever else it is doing, and the ratio compares like with like.
        pages_out: dict = {}
        floors = []
        for page, cookie in targets:
            if page.key == TRIVIAL:
                continue
            floor = load(*trivial)
            floors.append(floor["requests_per_second"])
            entry = load(page, cookie)
            entry["trivial_requests_per_second"] = floor["requests_per_second"]
            entry["ratio_to_trivial"] = round(entry["requests_per_second"] / floor["requests_per_second"], 3)
            pages_out[page.key] = entry
        pages_out[TRIVIAL] = {
            **floor,
            "requests_per_second": round(sum(floors) / len(floors), 1),
            "runs_requests_per_second": floors,
            "ratio_to_trivial": 1.0,
        }
        results["pages"] = pages_out
        return results
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    result = run(seconds=args.seconds, threads=args.threads, connections=args.connections, workers=args.workers)
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
