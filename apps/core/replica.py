"""Read replica: safe reads of API pages and admin changelists go to the replica, all else to the primary.

Only with a "replica" database alias (settings: DATABASE_REPLICA_URL). A request may read from the
replica when it is a GET or HEAD under /api/v1/ or of an admin changelist, and then only outside a
transaction, before it writes, when its user has not written in the last REPLICA_STICKY_SECONDS, and
while the replica is up and at most REPLICA_MAX_LAG_SECONDS behind. Everything else — writes,
select_for_update, other pages, tasks, commands, migrations — uses the primary.

Read-your-writes: a write marks its user in Redis for REPLICA_STICKY_SECONDS, shared by every worker
and node. A cookie would need no Redis, but token clients (scripts, integrations) rarely keep cookies,
and they are the ones that write and read back at once; a key per user follows the user whatever
the client. If Redis cannot say, the read goes to the primary.

Each process checks the replica at most once per REPLICA_CHECK_INTERVAL, so a replica that dies
between two checks fails the requests routed to it until the next check sends them to the primary.
"""

import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar

import psycopg
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, connections
from redis.exceptions import RedisError

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
_READ_METHODS = {"GET", "HEAD"}
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
_API_PREFIX = "/api/v1/"
# Who the caller is and what they may do: a new login, token or role must work at once, and these
# are small indexed lookups, so they are always read on the primary.
_PRIMARY_ONLY_APPS = {"auth", "authtoken", "sessions"}
# Writes no user reads back, so they do not keep anyone on the primary: Silk records every request.
_UNREAD_WRITE_APPS = {"silk"}

# Seconds the replica's data is behind the primary's: 0 when it has replayed everything the primary
# had written a moment before, else the age of the last transaction it replayed (an upper bound).
# NULL when it is not a standby or has replayed nothing yet. The replay timestamp alone would count an
# idle primary as lag, as nothing new arrives to replay. The bound errs one way only: checked a few
# milliseconds after the first write following a quiet spell, the replica looks as old as that spell,
# and reads stay on the primary until the next check.
_LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN NULL
    WHEN pg_last_wal_replay_lsn() >= %s::pg_lsn THEN 0
    ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float
END
"""


def replica_lag() -> float | None:
    """Seconds the replica is behind the primary; None when it is down, unreachable or not a standby."""
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (primary_lsn,) = cursor.fetchone()
    # A connection of its own, outside the pool: a dead replica costs one connect timeout, and the
    # pool is not left waiting on reconnection attempts.
    try:
        with psycopg.connect(**connections[REPLICA].get_connection_params(), autocommit=True) as probe:
            (lag,) = probe.execute(_LAG_SQL, [primary_lsn]).fetchone()
    except psycopg.Error:
        return None
    return lag


class _Health:
    """The replica's last known state, checked at most once per REPLICA_CHECK_INTERVAL in each process."""

    def __init__(self):
        self.usable = False
        self.checked_at = float("-inf")
        self._lock = threading.Lock()

    def replica_usable(self) -> bool:
        if time.monotonic() - self.checked_at < settings.REPLICA_CHECK_INTERVAL:
            return self.usable
        # One thread checks; the others go on with the last answer rather than wait for it.
        if not self._lock.acquire(blocking=False):
            return self.usable
        try:
            lag = replica_lag()
            usable = lag is not None and lag <= settings.REPLICA_MAX_LAG_SECONDS
            if not usable:
                # Connections to a dead replica are useless, and the pool would retry them with growing
                # back-off for minutes after it returns; a fresh pool opens on the next replica read.
                connections[REPLICA].close_pool()
            self.usable, self.checked_at = usable, time.monotonic()
            return usable
        finally:
            self._lock.release()


_health = _Health()


def _sticky_key(user) -> str:
    return f"replica:sticky:{user.pk}"


def _wrote_recently(user) -> bool:
    if not user.is_authenticated:
        return False
    # The raw client: the cache backend turns a Redis error into "no such key", which would be wrong here.
    try:
        return bool(cache.client.get_client(write=False).exists(cache.client.make_key(_sticky_key(user))))
    except RedisError:
        return True


def _mark_wrote(user) -> None:
    if user is not None and user.is_authenticated:
        cache.set(_sticky_key(user), 1, timeout=settings.REPLICA_STICKY_SECONDS)


def _replica_page(request) -> bool:
    """A safe read of an API page or an admin changelist (known once the URL has been resolved)."""
    if request.method not in _READ_METHODS:
        return False
    if request.path_info.startswith(_API_PREFIX):
        return True
    match = request.resolver_match
    return match is not None and match.namespace == "admin" and (match.url_name or "").endswith("_changelist")


class _RequestRouting:
    """Where one request's reads go; decided at its first read that may use the replica."""

    def __init__(self, request):
        self.request = request
        self.wrote = False
        self.primary_only = False  # code that needs the latest rows asked for them
        self._use_replica: bool | None = None

    def read_alias(self) -> str:
        if self.wrote or self.primary_only or connections[PRIMARY].in_atomic_block or not _replica_page(self.request):
            return PRIMARY
        if self._use_replica is None:
            self._use_replica = not _wrote_recently(self.request.user) and _health.replica_usable()
        return REPLICA if self._use_replica else PRIMARY


_routing: ContextVar[_RequestRouting | None] = ContextVar("replica_routing", default=None)


@contextmanager
def request_routing(request):
    """Route this request's reads (the middleware's scope; code outside any request reads the primary)."""
    routing = _RequestRouting(request)
    token = _routing.set(routing)
    try:
        yield routing
    finally:
        _routing.reset(token)


def read_from_primary() -> None:
    """Send the rest of the current request's reads to the primary, e.g. to build a response that is
    then cached for everyone: a replica could store rows older than the write that invalidated it."""
    routing = _routing.get()
    if routing is not None:
        routing.primary_only = True


def _always_primary(model) -> bool:
    return model._meta.app_label in _PRIMARY_ONLY_APPS or model._meta.label == settings.AUTH_USER_MODEL


class ReplicaRouter:
    """Reads go where the current request's routing says, writes and migrations to the primary."""

    def db_for_read(self, model, **hints):
        routing = _routing.get()
        if routing is None or _always_primary(model):
            return PRIMARY
        return routing.read_alias()

    def db_for_write(self, model, **hints):
        # Also asked for select_for_update() and get_or_create(): the rows read to write are the primary's.
        routing = _routing.get()
        if routing is not None and model._meta.app_label not in _UNREAD_WRITE_APPS:
            routing.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The same rows, whichever server they were read from.
        return {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA} or None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None


class ReplicaRoutingMiddleware:
    """Scope the router to each request; a request that writes keeps its user on the primary for a while."""

    def __init__(self, get_response):
        if REPLICA not in connections:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        with request_routing(request) as routing:
            response = self.get_response(request)
        # Any unsafe request counts, even one that failed: cheaper than proving nothing was written.
        if request.method not in _SAFE_METHODS or routing.wrote:
            _mark_wrote(getattr(request, "user", None))
        return response
