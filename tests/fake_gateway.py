"""A fake SMS gateway for the tests: an HTTP server on 127.0.0.1 (a free port) in a thread.

It records every request it received (its parameters, idempotency key first) and answers as
told, request by request: ``ok`` (``{"code": "0", "msg_id": …}``), ``refuse`` (a JSON
refusal), ``500``, ``slow`` (sleeps past the client's timeout, then answers ok: the message
went out, the client does not know), ``close`` (reads the request, closes without an answer).
"""

import json
import threading
import time
import urllib.parse
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeGateway:
    def __init__(self, key_param: str = "request_id", slow_seconds: float = 1.0) -> None:
        self.key_param = key_param
        self.slow_seconds = slow_seconds
        self.default = "ok"
        self.plan: deque[str] = deque()  # answers for the next requests, then ``default``
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/sms/send"

    @property
    def keys(self) -> list[str]:
        with self.lock:
            return [r.get(self.key_param, "") for r in self.requests]

    def answer(self, *modes: str) -> None:
        self.plan.extend(modes)

    def start(self) -> "FakeGateway":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _next(self, params: dict) -> str:
        with self.lock:
            self.requests.append(params)
            return self.plan.popleft() if self.plan else self.default

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                if "json" in (self.headers.get("Content-Type") or ""):
                    params = json.loads(raw)
                else:
                    params = {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}
                self._answer(gateway._next(params))

            def do_GET(self) -> None:
                query = urllib.parse.urlsplit(self.path).query
                self._answer(gateway._next({k: v[0] for k, v in urllib.parse.parse_qs(query).items()}))

            def _answer(self, mode: str) -> None:
                if mode == "close":
                    self.close_connection = True
                    self.connection.close()
                    return
                if mode == "500":
                    self._json(500, {"code": "9", "message": "内部错误"})
                    return
                if mode == "slow":
                    time.sleep(gateway.slow_seconds)
                if mode == "refuse":
                    self._json(200, {"code": "17", "message": "号码无效"})
                    return
                self._json(200, {"code": "0", "msg_id": f"gw-{len(gateway.requests)}"})

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    pass

        return Handler
