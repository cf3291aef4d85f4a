"""gunicorn settings: `gunicorn -c python:erp.gunicorn erp.wsgi`. Values come from the environment.

Threads suit this app: requests spend much of their time waiting on PostgreSQL and Redis,
and each worker process keeps one connection pool shared by its threads. Keep
GUNICORN_WORKERS x DB_POOL_MAX_SIZE (x every web node) below PostgreSQL's max_connections.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))  # above DB_STATEMENT_TIMEOUT_MS, so the database gives up first
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then, at different moments, to cap slow memory growth.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
accesslog = "-"
errorlog = "-"


def on_starting(server):
    """With PROMETHEUS_MULTIPROC_DIR, start from an empty directory: files of an earlier run would add old counts."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):
            if name.endswith(".db"):
                os.remove(os.path.join(directory, name))


def child_exit(server, worker):
    """Drop a finished worker's live gauges from the summed metrics; its counters stay counted."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
