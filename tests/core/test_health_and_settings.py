"""The settings' strictness about the environment (the health endpoint: test_healthz.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _settings_with(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"}}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='coaching.settings'; django.setup()",
        ],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _settings_with({})
    assert result.returncode != 0 and "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be true or false"),
        ({"DEBUG": "1", "REDIS_URL": "http://x"}, "REDIS_URL must start with"),
        ({"DEBUG": "1", "INVITATION_DAYS": "two"}, "INVITATION_DAYS must be a whole number"),
        ({"DEBUG": "1", "DEFAULT_USER_TIME_ZONE": "Mars/Base"}, "DEFAULT_USER_TIME_ZONE must be an IANA time zone"),
        ({"DEBUG": "1", "DB_CONNECT_TIMEOUT": "soon"}, "DB_CONNECT_TIMEOUT must be a whole number"),
        ({"DEBUG": "1", "REDIS_SOCKET_TIMEOUT": "1"}, "REDIS_SOCKET_TIMEOUT must be at least 2"),
        ({"DEBUG": "1", "RETENTION_DEFAULT_MONTHS": "121"}, "RETENTION_DEFAULT_MONTHS must be at most 120"),
        ({"DEBUG": "1", "RETENTION_NOTICE_DAYS": "0"}, "RETENTION_NOTICE_DAYS must be at least 1"),
    ],
)
def test_a_malformed_variable_stops_start_up_with_a_clear_message(env, message):
    result = _settings_with(env)
    assert result.returncode != 0 and message in result.stderr


def test_check_deploy_passes_with_production_settings(tmp_path):
    env = {
        "SECRET_KEY": "x" * 64 + "production-like-secret-key-for-the-check-only",
        "SITE_URL": "https://coaching.example.com",
        "ALLOWED_HOSTS": "coaching.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_migration_files_can_be_checked_without_a_production_secret():
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        env=clean,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _site_url_with(env: dict) -> str:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SITE_URL", "PORT"}
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='coaching.settings'; django.setup();"
            "from django.conf import settings; print(settings.SITE_URL)",
        ],
        env={**clean, "DEBUG": "1", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_site_url_follows_the_port_the_site_runs_on_when_unset():
    assert _site_url_with({"PORT": "8001"}) == "http://127.0.0.1:8001"
    assert _site_url_with({}) == "http://127.0.0.1:8000"


def test_an_explicit_site_url_wins_over_the_port():
    assert _site_url_with({"PORT": "8001", "SITE_URL": "https://coaching.example.com/"}) == (
        "https://coaching.example.com"
    )


def test_a_malformed_port_stops_start_up_with_a_clear_message():
    result = _settings_with({"DEBUG": "1", "PORT": "eighty"})
    assert result.returncode != 0 and "PORT must be a whole number" in result.stderr
