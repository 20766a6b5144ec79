"""Benchmarking only: production settings served over plain HTTP on loopback.

`make bench` runs gunicorn with these settings on 127.0.0.1 (gunicorn.conf.py refuses any other
address with them). Everything is as in production (DEBUG off, hashed static files through
whitenoise, the same middleware) except:
- the HTTPS-only parts, which plain HTTP on loopback cannot use: the redirect to HTTPS, Secure
  cookies, HSTS;
- a middleware that reports the SQL queries of each request in an `X-Bench-Queries` header;
- the URLconf `clinic.bench_urls`: the application's URLs plus two baselines, a bare page and a
  Django admin changelist that searches patients.
Never use them for anything but a benchmark on loopback.
"""

from clinic.settings.production import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
CSRF_TRUSTED_ORIGINS = []

ROOT_URLCONF = "clinic.bench_urls"
MIDDLEWARE = ["clinic.bench_middleware.QueryCountMiddleware", *MIDDLEWARE]  # noqa: F405
