"""A TCP server that accepts every connection and never answers: a hung Redis or PostgreSQL.

A refused port fails fast; a server that accepts the connection and then says nothing is the outage
that turns pages into worker timeouts. `with silent_server() as port:` listens on 127.0.0.1:`port`
and closes every connection it accepted when the block ends.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def silent_server() -> Iterator[int]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    listener.settimeout(0.1)  # so the accepting thread notices the end of the block
    accepted: list[socket.socket] = []
    stopping = threading.Event()

    def accept_forever() -> None:
        while not stopping.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:  # the listener was closed
                return
            accepted.append(conn)  # kept open, never read from, never written to

    thread = threading.Thread(target=accept_forever, name="silent-server", daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stopping.set()
        thread.join(timeout=5)
        listener.close()
        for conn in accepted:
            conn.close()


def closed_port() -> int:
    """A port on 127.0.0.1 with nobody listening: connections are refused at once."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port
