"""A local OpenAI-compatible server for tests and benchmarks: loopback only, bounded, self-stopping.

``FakeServer(answer)`` serves ``POST /v1/chat/completions`` on 127.0.0.1 at a free port; ``answer``
gets the request JSON and returns ``(status, body, headers)``. Each request may be delayed to stand in
for generation time. The server refuses requests beyond ``max_requests`` and shuts down on exit.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

Answer = Callable[[dict[str, Any]], tuple[int, dict[str, Any], dict[str, str]]]


class FakeServer:
    def __init__(self, answer: Answer, *, delay: float = 0.0, max_requests: int = 500) -> None:
        self.answer = answer
        self.delay = delay
        self.max_requests = max_requests
        self.requests: list[dict[str, Any]] = []
        self.active = 0
        self.peak = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        # The default backlog (5) drops the SYNs of a burst of concurrent calls: each waits a 1 s retry.
        self._server.socket.listen(128)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                with server._lock:
                    server.requests.append(body)
                    over = len(server.requests) > server.max_requests
                    server.active += 1
                    server.peak = max(server.peak, server.active)
                try:
                    if over:
                        status, payload, headers = (
                            503,
                            {"error": {"message": "request limit reached"}},
                            dict[str, str](),
                        )
                    else:
                        time.sleep(server.delay)
                        status, payload, headers = server.answer(body)
                finally:
                    with server._lock:
                        server.active -= 1
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler


def chat_body(content: str, prompt_tokens: int = 50, completion_tokens: int = 20) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "fake",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
