"""A real streaming replica for the read-replica tests (tests/core/test_replica.py).

The system PostgreSQL accepts no replication connections (pg_hba.conf) and CI must not edit it, so
this builds a private pair in a temporary directory: a primary made by initdb, which allows
replication from 127.0.0.1, and a standby cloned from it with `pg_basebackup -R`, each on a free TCP
port. Binaries come from /usr/lib/postgresql/*/bin, else from the pgserver wheel. Durability is off:
the pair lives for one test session.
"""

import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections

from apps.core.replica import REPLICA

DATABASE = "threadline"
_SERVER_SETTINGS = """
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 40
shared_buffers = 16MB
fsync = off
synchronous_commit = off
full_page_writes = off
"""


def _bin_dir() -> Path | None:
    """The newest system PostgreSQL with pg_basebackup, else the pgserver wheel's."""
    system = sorted(
        Path("/usr/lib/postgresql").glob("[0-9]*/bin"), key=lambda path: float(path.parent.name), reverse=True
    )
    spec = importlib.util.find_spec("pgserver")
    bundled = [Path(spec.origin).parent / "pginstall" / "bin"] if spec else []
    return next((path for path in [*system, *bundled] if (path / "pg_basebackup").exists()), None)


def _server_user() -> str | None:
    """PostgreSQL refuses to run as root: run it as an ordinary system user then."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "pgserver"):
        try:
            return pwd.getpwnam(name).pw_name
        except KeyError:
            continue
    return ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class StreamingPair:
    """A primary and a hot standby streaming from it."""

    def __init__(self, bin_dir: Path, user: str | None):
        self.bin_dir = bin_dir
        self.user = user
        self.root = Path(tempfile.mkdtemp(prefix="threadline-replica-"))
        if user:
            owner = pwd.getpwnam(user)
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self.primary_dir = self.root / "primary"
        self.replica_dir = self.root / "replica"
        self.primary_port = _free_port()
        self.replica_port = _free_port()

    def _run(self, program: str, *args: str) -> None:
        result = subprocess.run(
            [str(self.bin_dir / program), *args], user=self.user, capture_output=True, text=True, timeout=60
        )
        if result.returncode != 0:
            raise RuntimeError(f"{program} failed ({result.returncode}): {result.stderr or result.stdout}")

    def _start(self, data_dir: Path) -> None:
        self._run("pg_ctl", "-D", str(data_dir), "-l", str(self.root / f"{data_dir.name}.log"), "-w", "start")

    def start(self) -> None:
        cluster = ["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]
        self._run("initdb", "-D", str(self.primary_dir), *cluster)
        with (self.primary_dir / "postgresql.conf").open("a") as conf:
            conf.write(_SERVER_SETTINGS + f"port = {self.primary_port}\n")
        self._start(self.primary_dir)
        self._run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
            "-D", str(self.replica_dir), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync",
        )  # fmt: skip
        with (self.replica_dir / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {self.replica_port}\n")  # the copied file names the primary's port first
        self.start_replica()
        self.primary(f"CREATE DATABASE {DATABASE}", database="postgres")
        self.wait_for_replay()

    def start_replica(self) -> None:
        self._start(self.replica_dir)
        streaming = "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"
        self.wait_until(lambda: self.primary(streaming, database="postgres"))

    def stop_replica(self) -> None:
        self._run("pg_ctl", "-D", str(self.replica_dir), "-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        for data_dir in (self.replica_dir, self.primary_dir):
            if (data_dir / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(data_dir), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def _query(self, port: int, sql: str, params, database: str):
        with psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", dbname=database, autocommit=True, connect_timeout=5
        ) as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchone()[0] if cursor.description else None

    def primary(self, sql: str, params=None, *, database: str = DATABASE):
        """The first column of the first row `sql` returns on the primary."""
        return self._query(self.primary_port, sql, params, database)

    def replica(self, sql: str, params=None, *, database: str = DATABASE):
        """The first column of the first row `sql` returns on the standby."""
        return self._query(self.replica_port, sql, params, database)

    def wait_for_replay(self) -> None:
        """Until the standby has replayed everything the primary has written so far."""
        lsn = self.primary("SELECT pg_current_wal_lsn()::text", database="postgres")
        replayed = "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn"
        self.wait_until(lambda: self.replica(replayed, [lsn], database="postgres"))

    def pause_replay(self) -> None:
        self.replica("SELECT pg_wal_replay_pause()")
        self.wait_until(lambda: self.replica("SELECT pg_get_wal_replay_pause_state() = 'paused'"))

    def resume_replay(self) -> None:
        self.replica("SELECT pg_wal_replay_resume()")

    @staticmethod
    def wait_until(predicate, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("the streaming replica did not get there in time")
            time.sleep(0.05)


def _disconnect(alias: str) -> None:
    connections[alias].close()
    connections[alias].close_pool()


def _point_django_at(pair: StreamingPair) -> dict:
    """Aim "default" at the pair's primary and add "replica" for its standby, as DATABASE_REPLICA_URL
    would; migrate the primary. Returns the settings to restore."""
    default = connections[DEFAULT_DB_ALIAS]
    saved = dict(default.settings_dict)
    _disconnect(DEFAULT_DB_ALIAS)
    options = {key: value for key, value in saved["OPTIONS"].items() if key != "host"}  # the embedded server's
    default.settings_dict.update(
        NAME=DATABASE, USER="postgres", PASSWORD="", HOST="127.0.0.1", PORT=pair.primary_port, OPTIONS=options
    )
    connections.settings[REPLICA] = {
        **default.settings_dict,
        "PORT": pair.replica_port,
        "OPTIONS": {**options, "connect_timeout": settings.REPLICA_CONNECT_TIMEOUT},
        "TEST": {**saved["TEST"], "MIRROR": DEFAULT_DB_ALIAS},  # so tests flush only the primary
    }
    ContentType.objects.clear_cache()  # its ids are cached per alias, and the database behind it changed
    call_command("migrate", verbosity=0)
    return saved


def _restore_django(saved: dict) -> None:
    _disconnect(REPLICA)
    del connections[REPLICA]
    del connections.settings[REPLICA]
    _disconnect(DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS].settings_dict.clear()
    connections[DEFAULT_DB_ALIAS].settings_dict.update(saved)
    ContentType.objects.clear_cache()


@pytest.fixture(scope="session", name="replica_pair")
def replica_pair_fixture():
    """The running pair; skipped where no PostgreSQL server binaries exist, unless REQUIRE_REPLICA_TEST is set."""
    bin_dir, user = _bin_dir(), _server_user()
    missing = (
        "no PostgreSQL server binaries with pg_basebackup (/usr/lib/postgresql/*/bin or pgserver)" if not bin_dir
        else "running as root, and no 'postgres' or 'pgserver' user to run PostgreSQL as" if user == ""
        else ""
    )  # fmt: skip
    if missing:
        if os.environ.get("REQUIRE_REPLICA_TEST"):
            pytest.fail(f"The streaming replica test is required here (REQUIRE_REPLICA_TEST), but {missing}.")
        pytest.skip(f"No streaming replica: {missing}.")
    pair = StreamingPair(bin_dir, user)
    try:
        pair.start()
        yield pair
    finally:
        pair.stop()


@pytest.fixture(scope="module", name="replica_databases")
def replica_databases_fixture(replica_pair, django_db_setup, django_db_blocker):
    """Django's "default" and "replica" aliases on the pair, for one test module; the test database after."""
    with django_db_blocker.unblock():
        saved = _point_django_at(replica_pair)
    yield replica_pair
    with django_db_blocker.unblock():
        _restore_django(saved)
