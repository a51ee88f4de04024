"""A real HTTP server on a thread of the test process that records what it receives.

`answers` lists the status codes it gives, one per request; the last one repeats.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict
    body: bytes


@dataclass
class Receiver:
    answers: list[int]
    requests: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    url: str = ""

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(Received(headers=dict(self.headers), body=body))
                index = min(len(receiver.requests), len(receiver.answers)) - 1
                self.send_response(receiver.answers[index])
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        host, port = self.server.server_address[:2]
        self.url = f"http://{host}:{port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
