"""A stakeholder answers while Redis is down: the real site under gunicorn, production settings.

The test creates, migrates and drops its own PostgreSQL database, starts its own `redis-server` on a
free port, and runs gunicorn (DEBUG off, a secret key, static files collected into the test's
temporary directory) against both. It then stops Redis, or replaces it with a server that accepts
connections and never answers, and checks that the stakeholder's answer is stored and thanked for,
that a person can sign in, and that /healthz says "unavailable" within 3 seconds. It needs REDIS_URL
and a PostgreSQL DATABASE_URL (CI sets both) and the `redis-server` program. Every wait is bounded and
every process is killed at the end.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.factories import TEST_PASSWORD
from tests.integration.test_reminders_end_to_end import DATABASE_URL, REDIS_URL, _admin, _with_database
from tests.silent_server import silent_server

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
REDIS_SERVER = shutil.which("redis-server")
HEALTH_BOUND = 3.0
# Seconds, not gunicorn's 30-second worker timeout: one Redis socket timeout at most, with room for a
# busy machine.
REQUEST_BOUND = 10.0

if not REDIS_SERVER:
    pytest.skip(
        "Needs the redis-server program (Debian: redis-server) to stop a Redis of its own.", allow_module_level=True
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects; every request has a 30 s limit."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect)

    def request(self, path: str, data: dict | None = None) -> tuple[int, dict, str, float]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        started = time.monotonic()
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                status, headers, text = response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            status, headers, text = error.code, dict(error.headers), error.read().decode()
        return status, headers, text, time.monotonic() - started


class Site:
    """A fresh database with a seeded feedback round, and gunicorns started against it."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.database = f"coaching_it_{uuid.uuid4().hex[:10]}"
        self.processes: list[subprocess.Popen] = []
        self.env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("DJANGO_", "PYTEST", "CELERY_"))
                and k not in {"DEBUG", "SECRET_KEY", "REDIS_URL", "DATABASE_URL", "EMAIL_URL"}
            },
            "DJANGO_SETTINGS_MODULE": "tests.integration.web_settings",
            "SECRET_KEY": "integration-" + uuid.uuid4().hex * 2,
            "DATABASE_URL": _with_database(DATABASE_URL, self.database),
            "REDIS_URL": REDIS_URL,
            "INTEGRATION_TMP": str(tmp),
            "PYTHONUNBUFFERED": "1",
        }

    def prepare(self) -> dict:
        _admin(f'CREATE DATABASE "{self.database}"')
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")
        return self.run("seed")

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True, timeout=180, capture_output=True
        )

    def run(self, *args: str):
        result = subprocess.run(
            [sys.executable, "-m", "tests.integration.answer_scenario", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return json.loads(result.stdout.strip().splitlines()[-1])

    def spawn(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)
        return process

    def log(self, name: str) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def redis(self, port: int) -> subprocess.Popen:
        process = self.spawn(
            "redis",
            [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            self.env,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return process
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"redis-server did not start:\n{self.log('redis')[-2000:]}")

    def gunicorn(self, name: str, *, redis_url: str) -> str:
        port = _free_port()
        control = Path(tempfile.mkdtemp(dir=self.tmp, prefix="gunicorn-"))
        self.spawn(
            name,
            [
                GUNICORN,
                "coaching.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--control-socket",
                str(control / "gunicorn.ctl"),
            ],
            {**self.env, "REDIS_URL": redis_url},
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base + "/accounts/login/", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return base
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        raise AssertionError(f"gunicorn did not start:\n{self.log(name)[-3000:]}")

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)

    def stop(self) -> None:
        for process in self.processes:
            self.kill(process)
        _admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("outage"))
    try:
        site.seeded = site.prepare()
        yield site
    finally:
        site.stop()


def _answer(seeded: dict, suggestion: str) -> dict:
    first, second = seeded["goals"]
    return {f"score_{first}": "2", f"score_{second}": "-1", f"suggestion_{first}": suggestion}


def _sign_in(base: str) -> tuple[int, dict, Browser, float]:
    browser = Browser(base)
    status, _, page, _ = browser.request("/accounts/login/")
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, headers, _, elapsed = browser.request(
        "/accounts/login/", {"csrfmiddlewaretoken": token, "login": "lee@example.com", "password": TEST_PASSWORD}
    )
    return status, headers, browser, elapsed


def test_a_stakeholder_answers_after_redis_stopped_and_the_answer_is_stored(site):
    link = site.seeded["links"][0]
    redis_port = _free_port()
    redis = site.redis(redis_port)
    base = site.gunicorn("web-stopped", redis_url=f"redis://127.0.0.1:{redis_port}/0")
    stakeholder = Browser(base)
    path = f"/f/{link['token']}/"

    status, _, form, _ = stakeholder.request(path)  # Redis up: the request is counted there
    assert status == 200 and "How is Lee Lindqvist doing?" in form
    counted = subprocess.run(
        ["redis-cli", "-p", str(redis_port), "--scan", "--pattern", "*stakeholders:link-rate*"],
        capture_output=True,
        text=True,
        timeout=10,
    ).stdout
    assert f"stakeholders:link-rate:{link['request']}:" in counted

    site.kill(redis)
    status, headers, page, elapsed = stakeholder.request(path, _answer(site.seeded, "Ask the quiet ones first."))

    assert status == 200, page[-2000:]
    assert "Thank you" in page and headers["Cache-Control"] == "no-store"
    assert elapsed < REQUEST_BOUND
    first, second = site.seeded["goals"]
    assert site.run("stored", str(link["request"])) == {
        "scores": {str(first): 2, str(second): -1},
        "suggestions": {str(first): "Ask the quiet ones first.", str(second): ""},
    }
    status, _, body, elapsed = Browser(base).request("/healthz")
    assert (status, json.loads(body)) == (503, {"status": "unavailable"})
    assert elapsed < HEALTH_BOUND
    assert "Cache unreachable" in site.log("web-stopped")


def test_with_redis_hung_a_stakeholder_answers_and_a_leader_signs_in_within_seconds(site):
    link = site.seeded["links"][1]
    with silent_server() as port:
        base = site.gunicorn("web-hung", redis_url=f"redis://127.0.0.1:{port}/0")
        path = f"/f/{link['token']}/"

        status, _, page, elapsed = Browser(base).request(path, _answer(site.seeded, "Keep the Monday huddle."))
        assert status == 200 and "Thank you" in page, page[-2000:]
        assert elapsed < REQUEST_BOUND

        status, _, body, elapsed = Browser(base).request("/healthz")
        assert (status, json.loads(body)) == (503, {"status": "unavailable"})
        assert elapsed < HEALTH_BOUND

        status, headers, browser, elapsed = _sign_in(base)
        assert (status, headers["Location"]) == (302, "/")
        assert elapsed < REQUEST_BOUND
        status, _, home, _ = browser.request("/")
        assert status == 200 and "Lee Lindqvist" in home

    assert site.run("stored", str(link["request"]))["suggestions"][str(site.seeded["goals"][0])] == (
        "Keep the Monday huddle."
    )
