"""The deployment files say what docs/DEPLOYMENT.md says: nginx in front, connections within budget."""

import re
import shutil
import subprocess

import pytest
import yaml
from django.conf import settings

from erp import gunicorn as gunicorn_config

NGINX_CONF = settings.BASE_DIR / "deploy" / "nginx.conf"
COMPOSE = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())
POSTGRES_DEFAULT_MAX_CONNECTIONS = 100
RESERVED_CONNECTIONS = 10  # superuser slots, psql sessions, replication


def nginx_directive(name: str) -> list[str]:
    return re.findall(rf"^\s*{name}\s+([^;]+);", NGINX_CONF.read_text(), flags=re.MULTILINE)


def test_compose_puts_nginx_with_our_config_in_front_of_gunicorn():
    proxy, web = COMPOSE["services"]["proxy"], COMPOSE["services"]["web"]
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    assert proxy["ports"] and "ports" not in web  # only nginx is published
    assert web["environment"]["RATELIMIT_PROXY_COUNT"] == "1"  # the client address comes from nginx


def test_nginx_keeps_upstream_connections_alive_compresses_and_limits():
    upstream = re.search(r"upstream app \{(.*?)\}", NGINX_CONF.read_text(), flags=re.DOTALL).group(1)
    assert re.search(r"keepalive \d+;", upstream)
    # gunicorn must not close an idle connection before nginx stops reusing it: a POST sent on it would fail.
    nginx_idle = int(re.search(r"keepalive_timeout (\d+)s;", upstream).group(1))
    assert nginx_idle < gunicorn_config.keepalive
    assert nginx_directive("proxy_http_version") == ["1.1", "1.1"]  # keep-alive needs HTTP/1.1 upstream
    assert nginx_directive("gzip") == ["on"]
    assert nginx_directive("limit_req_zone") and nginx_directive("limit_req")
    size = int(nginx_directive("client_max_body_size")[0].rstrip("m")) * 1024 * 1024
    assert size >= settings.IMPORT_MAX_UPLOAD_SIZE  # imports must reach the app, which gives the clear error
    assert 'add_header Cache-Control "public, max-age=31536000, immutable"' in NGINX_CONF.read_text()


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed")
def test_nginx_accepts_the_config(tmp_path):
    # The upstream's compose host name does not resolve here; everything else is checked as written.
    config = tmp_path / "nginx.conf"
    config.write_text(NGINX_CONF.read_text().replace("server web:8000", "server 127.0.0.1:8000"))
    (tmp_path / "cache").mkdir()
    config.write_text(config.read_text().replace("/var/cache/nginx/static", str(tmp_path / "cache")))
    result = subprocess.run(["nginx", "-t", "-c", str(config)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _pool_size(environment: dict) -> int:
    """The pool a process gets: DB_POOL_MAX_SIZE, else GUNICORN_THREADS (4 unset) + 2 (erp/settings/base.py)."""
    return int(environment.get("DB_POOL_MAX_SIZE") or int(environment.get("GUNICORN_THREADS") or 4) + 2)


def test_compose_connections_stay_within_postgres_max_connections():
    services = COMPOSE["services"]
    web = services["web"]["environment"]
    total = int(web["GUNICORN_WORKERS"]) * _pool_size(web)
    for name in ("worker", "worker-bulk"):
        concurrency = int(re.search(r"--concurrency=(\d+)", services[name]["command"]).group(1))
        total += (concurrency + 1) * _pool_size(services[name]["environment"])  # children and the parent
    total += _pool_size(services["beat"].get("environment", {}))
    assert total <= POSTGRES_DEFAULT_MAX_CONNECTIONS - RESERVED_CONNECTIONS
