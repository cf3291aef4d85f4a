"""gunicorn settings: `gunicorn -c python:erp.gunicorn erp.wsgi`. Values come from the environment.

Why these values (docs/DEPLOYMENT.md has the measurements behind them):
- workers = 2 x cores. Python runs one thread at a time per process, so CPU parallelism needs
  processes; twice the cores keeps a core busy while another worker waits on the database.
- threads = 4 (gthread). Requests spend part of their time waiting on PostgreSQL and Redis;
  threads fill that wait without another process's memory. Each thread holds at most one
  database connection at a time, so the pool never needs more connections than threads:
  DB_POOL_MAX_SIZE defaults to GUNICORN_THREADS + 2 (the health checks), erp/settings/base.py.
- Connections: nodes x workers x pool max + Celery processes x their pool must stay below
  PostgreSQL's max_connections (less a few for admins and replication); when_ready() prints
  this node's share at start.
- timeout 30 s, above the 15 s statement timeout, so the database gives up first and the
  request ends in a clear 503 rather than a killed worker.
- max_requests 20,000 with jitter: workers are recycled now and then, at different moments,
  capping slow memory growth without all of them restarting at once; rarely, because each
  recycling can fail a request sent on a keep-alive connection as it closes.
- preload_app: the app is imported once in the master and forked, so workers start in
  milliseconds (recycling is cheap) and share the imported code's memory. Nothing opens a
  connection at import, so no socket is shared across the fork. A code change needs a full
  restart (not HUP), which a deploy does anyway.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() == "true"
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))  # above DB_STATEMENT_TIMEOUT_MS, so the database gives up first
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Longer than the idle timeout of whatever keeps connections to us open (nginx's upstream 60 s, a
# cloud load balancer's 60 s): if gunicorn closed first, a request sent on the closing connection
# would fail, and a POST is not retried. Idle connections cost a socket, not a thread.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
# Recycle workers now and then, at different moments, to cap slow memory growth. Rarely: a
# recycling worker closes its idle keep-alive connections, and a request sent on one just then
# fails (one POST in 48,000 at 1,000 users, when 2,000 recycled each worker every minute).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "2000"))
# No request-line log by default: nginx (or the load balancer) logs every request already,
# and the app logs errors with their request id. GUNICORN_ACCESSLOG=- turns it on.
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"


def on_starting(server):
    """With PROMETHEUS_MULTIPROC_DIR, start from an empty directory: files of an earlier run would add old counts."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):
            if name.endswith(".db"):
                os.remove(os.path.join(directory, name))


def when_ready(server):
    """Say how many PostgreSQL connections this node may open, to check against max_connections."""
    from django.conf import settings

    pool = settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"]
    server.log.info(
        "%d workers x %d threads; up to %d x %d = %d PostgreSQL connections from this node",
        workers, threads, workers, pool, workers * pool,
    )  # fmt: skip


def child_exit(server, worker):
    """Drop a finished worker's live gauges from the summed metrics; its counters stay counted."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
