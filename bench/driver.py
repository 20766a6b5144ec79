"""The load driver: keep-alive HTTP clients on threads, loopback only, bounded in requests and
time. Standard library only (http.client), so it measures the server and not a client library.
"""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def queries(self) -> int | None:
        value = self.headers.get("x-bench-queries")
        return int(value) if value is not None else None


class Client:
    """One keep-alive connection with its own cookies (a browser tab) and optional API token."""

    def __init__(self, host: str, port: int) -> None:
        if host not in LOOPBACK:
            raise ValueError(f"the benchmark only talks to loopback, not {host!r}")
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.token: str | None = None
        self.conn = http.client.HTTPConnection(host, port, timeout=60)

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        json_body: object = None,
        api: bool = False,
    ) -> Response:
        headers = {"Host": f"{self.host}:{self.port}", "Connection": "keep-alive"}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        if api and self.token:
            headers["Authorization"] = f"Token {self.token}"
        elif self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST" and not api and "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                raw = self.conn.getresponse()
                data = raw.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: reconnect once.
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                if attempt == 2:
                    raise
        for name, value in raw.getheaders():
            if name.lower() == "set-cookie":
                cookie = value.split(";", 1)[0]
                key, _, val = cookie.partition("=")
                if val:
                    self.cookies[key.strip()] = val.strip()
                else:
                    self.cookies.pop(key.strip(), None)
        return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, data)

    def sign_in(self, username: str, password: str) -> None:
        self.request("GET", "/accounts/login/")
        response = self.request(
            "POST",
            "/accounts/login/",
            form={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
            },
        )
        if response.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"sign-in as {username} failed: HTTP {response.status}")

    def api_sign_in(self, username: str, password: str) -> None:
        response = self.request(
            "POST",
            "/api/v1/auth/token/",
            json_body={"username": username, "password": password},
            api=True,
        )
        if response.status != 200:
            raise RuntimeError(f"API sign-in as {username} failed: HTTP {response.status}")
        self.token = json.loads(response.body)["token"]

    def close(self) -> None:
        self.conn.close()


# A scenario step: (client, n) -> (method, path, kwargs for Client.request, expected status)
Step = Callable[[Client, int], tuple[str, str, dict, int]]


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0

    def summary(self) -> dict:
        lat = sorted(self.latencies)
        if not lat:
            return {"requests": 0, "errors": len(self.errors), "error_samples": self.errors[:3]}

        def pct(p: float) -> float:
            k = max(0, min(len(lat) - 1, round(p / 100 * (len(lat) - 1))))
            return round(lat[k] * 1000, 1)

        queries = sorted(set(self.queries))
        return {
            "requests": len(lat),
            "errors": len(self.errors),
            "p50_ms": pct(50),
            "p95_ms": pct(95),
            "mean_ms": round(statistics.fmean(lat) * 1000, 1),
            "max_ms": round(lat[-1] * 1000, 1),
            "rps": round(len(lat) / self.wall, 1) if self.wall else None,
            "queries": statistics.median_low(self.queries) if self.queries else None,
            "queries_seen": queries,
            **({"error_samples": self.errors[:3]} if self.errors else {}),
        }


def run_load(
    clients: list[Client],
    step: Step,
    *,
    seconds: float,
    max_requests: int,
    warmup: int = 3,
) -> Run:
    """Each client on its own thread sends requests back to back (no think time) until
    `seconds` pass or `max_requests` (all threads together) are done; `warmup` requests per
    client first, not recorded."""
    result = Run()
    lock = threading.Lock()
    counter = [0]
    start_gate = threading.Barrier(len(clients) + 1)
    deadline = [0.0]

    def work(index: int, client: Client) -> None:
        for w in range(warmup):
            method, path, kwargs, _ = step(client, index * 100_000 + w)
            client.request(method, path, **kwargs)
        start_gate.wait()
        n = 0
        while True:
            with lock:
                if counter[0] >= max_requests or time.perf_counter() >= deadline[0]:
                    return
                counter[0] += 1
            n += 1
            method, path, kwargs, expected = step(client, index * 100_000 + warmup + n)
            t0 = time.perf_counter()
            try:
                response = client.request(method, path, **kwargs)
            except Exception as exc:  # noqa: BLE001 - reported, not raised
                with lock:
                    result.errors.append(f"{type(exc).__name__}")
                continue
            elapsed = time.perf_counter() - t0
            with lock:
                if response.status != expected:
                    result.errors.append(f"HTTP {response.status} for {method} {path[:60]}")
                    continue
                result.latencies.append(elapsed)
                if response.queries is not None:
                    result.queries.append(response.queries)

    threads = [
        threading.Thread(target=work, args=(i, c), daemon=True) for i, c in enumerate(clients)
    ]
    for t in threads:
        t.start()
    deadline[0] = time.perf_counter() + 3600  # until the gate opens
    start_gate.wait()
    began = time.perf_counter()
    deadline[0] = began + seconds
    for t in threads:
        t.join()
    result.wall = time.perf_counter() - began
    return result
