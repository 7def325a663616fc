"""A local webhook endpoint for Alertmanager: records every notification it receives.

Each receiver of the test spec posts to ``http://127.0.0.1:<port>/<receiver name>``, so a delivery
says twice which receiver sent it: by its path and by the payload's ``receiver`` field.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PLACEHOLDER = "http://127.0.0.1:9/"  # the receivers' URL prefix in the test spec, replaced by the sink's


@dataclass(frozen=True)
class Delivery:
    path: str
    receiver: str
    status: str  # firing | resolved
    labels: tuple[tuple[str, str], ...]


@dataclass
class WebhookSink:
    server: ThreadingHTTPServer
    deliveries: list[Delivery] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def snapshot(self) -> list[Delivery]:
        with self.lock:
            return list(self.deliveries)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def serve() -> WebhookSink:
    holder: list[WebhookSink] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            sink = holder[0]
            with sink.lock:
                for alert in body["alerts"]:
                    labels = tuple(sorted(alert["labels"].items()))
                    sink.deliveries.append(Delivery(self.path, body["receiver"], alert["status"], labels))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder.append(WebhookSink(server))
    threading.Thread(target=server.serve_forever, name="e2e-webhook", daemon=True).start()
    return holder[0]
