"""The production web server, started for real: no `Server` header, the site's headers, and access and
error logs that never hold a working private link.

The test migrates its own SQLite database, seeds the demo practice (which has an open feedback round),
makes an invitation, starts gunicorn with `gunicorn.conf.py` on a free port, requests a real
stakeholder link and a real invitation link, and reads the log files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.integration.smtp_sink import free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))

MAKE_LINKS = """
import json
from accounts.models import Invitation, User
from accounts.services import invitation_create, invitation_token, user_get_or_invite_target
from stakeholders.models import FeedbackRequest
from stakeholders.services import link_token
request = next(r for r in FeedbackRequest.objects.filter(round__status="open") if r.is_pending)
nia = user_get_or_invite_target(email="nia@example.com", full_name="Nia Nakamura")
ada = User.objects.get(email="ada@example.com")
invitation = invitation_create(user=nia, role=Invitation.Role.LEADER, invited_by=ada)
print(json.dumps({"stakeholder": link_token(request=request), "invitation": invitation_token(invitation=invitation)}))
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gunicorn")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_SETTINGS", "PYTEST", "DATABASE_URL"))},
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_URL": "",
    }
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        subprocess.run([*manage, *command], env=env, cwd=ROOT, check=True, capture_output=True, timeout=180)
    made = subprocess.run(
        [*manage, "shell", "-c", MAKE_LINKS], env=env, cwd=ROOT, check=True, capture_output=True, text=True, timeout=60
    )
    tokens = json.loads(made.stdout.strip().splitlines()[-1])
    port = free_port()
    control = tmp / "control"
    control.mkdir()
    access_log, error_log = tmp / "access.log", tmp / "error.log"
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            GUNICORN,
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "120",
            "--access-logfile",
            str(access_log),
            "--error-logfile",
            str(error_log),
            "--control-socket",
            str(control / "gunicorn.ctl"),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp / "stderr.log", "w"),  # noqa: SIM115 - closed with the process
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/accounts/login/", timeout=30)  # noqa: S310 - our own server
                break
            except (urllib.error.URLError, OSError):  # not listening yet, or a slow first answer
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)
        yield {"base": base, "tokens": tokens, "logs": [access_log, error_log, tmp / "stderr.log"]}
    finally:
        server.terminate()
        server.wait(timeout=30)


def _get(url: str):
    try:
        return urllib.request.urlopen(url, timeout=60)  # noqa: S310 - our own server
    except urllib.error.HTTPError as error:
        return error


def test_gunicorn_does_not_announce_itself_and_sends_the_sites_headers(served):
    response = _get(f"{served['base']}/accounts/login/")
    assert response.status == 200
    assert response.headers.get("Server") is None
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"


def test_private_link_tokens_never_reach_the_access_or_error_log(served):
    stakeholder, invitation = served["tokens"]["stakeholder"], served["tokens"]["invitation"]
    forged = "A" * 43
    answered = _get(f"{served['base']}/f/{stakeholder}/")
    invited = _get(f"{served['base']}/account/invitation/{invitation}/")
    unknown = _get(f"{served['base']}/f/{forged}/?from=mail")
    signed_out = _get(f"{served['base']}/accounts/login/?next=/account/invitation/{invitation}/")
    assert (answered.status, invited.status, unknown.status, signed_out.status) == (200, 200, 404, 200)
    time.sleep(0.5)  # the access log is written after the response
    text = "".join(path.read_text() for path in served["logs"] if path.exists())
    assert "/f/[redacted]/" in text and "/account/invitation/[redacted]/" in text
    for token in (stakeholder, invitation, forged):
        assert token not in text
