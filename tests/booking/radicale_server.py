"""A real CalDAV server for tests: Radicale (from PyPI) in a subprocess, on a free local port, with one
user and an empty storage folder of its own."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

USER, PASSWORD = "cora", "calendar-app-password"


#: Ports the test server may take (RADICALE_TEST_PORTS, "first-last"); the first free one is used.
PORTS = os.environ.get("RADICALE_TEST_PORTS", "8120-8129")


def _free_port() -> int:
    first, last = (int(n) for n in PORTS.split("-"))
    for port in range(first, last + 1):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {PORTS} for the test CalDAV server (set RADICALE_TEST_PORTS).")


@dataclass
class Radicale:
    base: str
    process: subprocess.Popen

    @property
    def calendar_url(self) -> str:
        return f"{self.base}/{USER}/work/"

    def request(self, method: str, url: str, body: bytes | None = None, **headers) -> tuple[int, bytes]:
        request = urllib.request.Request(url, data=body, method=method)  # noqa: S310 - a local test server
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
        for name, value in headers.items():
            request.add_header(name.replace("_", "-"), value)
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - a local test server
            return response.status, response.read()

    def make_calendar(self) -> None:
        body = b"""<?xml version="1.0" encoding="utf-8"?>
<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:set><d:prop><d:displayname>Work</d:displayname></d:prop></d:set>
</c:mkcalendar>"""
        self.request("MKCALENDAR", self.calendar_url, body, Content_Type="application/xml")

    def put_event(self, uid: str, ics: str) -> None:
        self.request("PUT", f"{self.calendar_url}{uid}.ics", ics.encode(), Content_Type="text/calendar")

    def events(self) -> str:
        """Every event in the calendar, as the concatenated iCalendar text the server holds."""
        body = b"""<?xml version="1.0" encoding="utf-8"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:prop><c:calendar-data/></d:prop>
  <c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"/></c:comp-filter></c:filter>
</c:calendar-query>"""
        _, content = self.request("REPORT", self.calendar_url, body, Depth="1", Content_Type="application/xml")
        return content.decode()


def start(folder: Path) -> Radicale:
    htpasswd = folder / "users"
    htpasswd.write_text(f"{USER}:{PASSWORD}\n")
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "radicale",
            "--config",
            "",
            "--server-hosts",
            f"127.0.0.1:{port}",
            "--auth-type",
            "htpasswd",
            "--auth-htpasswd-filename",
            str(htpasswd),
            "--auth-htpasswd-encryption",
            "plain",
            "--rights-type",
            "owner_only",
            "--storage-filesystem-folder",
            str(folder / "collections"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Radicale stopped: {process.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return Radicale(base=f"http://127.0.0.1:{port}", process=process)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("Radicale did not start listening within 20 seconds.")
