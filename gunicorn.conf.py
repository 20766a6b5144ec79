"""Gunicorn, for `make serve` and the benchmark (`make bench`). Values from the environment:

- GUNICORN_BIND (default 127.0.0.1:8000): behind the TLS proxy in production.
- WEB_CONCURRENCY: worker processes. Default: CPU count + 1. Measured on the 2-core bench
  machine (bench/results/workers.md), where PostgreSQL shares the CPUs with the app, cores + 1
  served as many requests per second as 2 * cores + 1 with lower tail latency and less memory.
- GUNICORN_TIMEOUT (default 30 s).

The access log never carries query strings: the API's `?q=` is a patient's name (the pages
search with POST for the same reason). It logs method, path, status, size and duration; the
referrer is left out too, since it can hold a query string.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() + 1)
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Import the app once in the master: workers fork with it loaded (faster start, shared pages).
preload_app = True

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# %(U)s is the path without the query string; %(M)s the request time in milliseconds.
access_log_format = '%(h)s - %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


def pre_fork(server, worker):
    """No database connection may be shared by forked workers: close any the master opened
    while loading the app (DB_CONN_MAX_AGE keeps each worker's own connection open)."""
    from django.db import connections

    connections.close_all()


# The benchmark settings turn off HTTPS-only protections: refuse to serve them beyond loopback.
if os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".bench"):
    host = bind.rsplit(":", 1)[0].strip("[]")
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"clinic.settings.bench serves loopback only, not {bind!r}")
