"""Per-view caching of lookup lists in Redis, invalidated by model versions.

A cached response is stored under a key built from the view, the absolute URL,
the caller's permissions and the current *version* of every model the response depends on.
A write bumps its model's version (at once and again after the transaction commits), so the
next request builds a new key: no stale list is served after a save, and nothing has to be
deleted. Entries
also expire after a TTL per data type (settings.VIEW_CACHE_TTLS).

The hit path reads the versions and the entry (two Redis round trips) and returns the stored
bytes: no serializer, no ORM. Redis errors are swallowed by the cache backend, so an outage
means every request is a miss, answered from the database.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import quote_etag

from .replica import read_from_primary

logger = logging.getLogger(__name__)


def _version_key(label: str) -> str:
    return f"version:{label}"


def bump(*models) -> None:
    """Invalidate every cached response that depends on these models.

    Saves and deletes call this through signals; code that writes with queryset.update() or
    bulk_create() must call it itself.
    """
    labels = [model._meta.label for model in models]
    # Now, so this process's next read misses; and again after commit, because a request
    # running between the two may have cached the old rows under the first new version.
    _bump_now(labels)
    transaction.on_commit(lambda: _bump_now(labels))


def _bump_now(labels: list[str]) -> None:
    for label in labels:
        try:
            cache.incr(_version_key(label))
        except ValueError:  # no version yet: start one
            cache.set(_version_key(label), 1, timeout=None)


def _on_write(sender, **kwargs):
    # Every model of ours, not just the cached ones: a worker or command may write before any
    # view that caches it was imported. The cost is two Redis INCRs per saved row.
    if sender.__module__.startswith("apps."):
        bump(sender)


post_save.connect(_on_write, dispatch_uid="core.cache.post_save")
post_delete.connect(_on_write, dispatch_uid="core.cache.post_delete")


def versions(models) -> str:
    """The current versions of these models, as one string for a cache key."""
    keys = [_version_key(model._meta.label) for model in models]
    found = cache.get_many(keys)
    return ".".join(str(found.get(key, 0)) for key in keys)


def permission_fingerprint(user) -> str:
    """What decides which rows and fields a user may see: superuser, or the exact permission set."""
    if user.is_superuser:
        return "superuser"
    return hashlib.sha256(",".join(sorted(user.get_all_permissions())).encode()).hexdigest()[:16]


def _count(name: str, outcome: str) -> None:
    key = f"stats:view_cache:{name}:{outcome}"
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=None)


def stats() -> dict[str, int]:
    """Hit and miss counters per cached view since Redis started (or the counters were cleared)."""
    values = cache.get_many(list(cache.iter_keys("stats:view_cache:*")))
    return {key.removeprefix("stats:view_cache:"): int(value) for key, value in sorted(values.items())}


class CachedResponse:
    """One cacheable GET: looks itself up, answers hits and 304s, stores misses."""

    def __init__(self, request, *, name: str, depends_on, ttl: int, extra: str = ""):
        self.request = request
        self.name = name
        self.ttl = ttl
        raw = "|".join(
            [
                request.build_absolute_uri(),  # scheme and host too: pages link to each other absolutely
                getattr(request, "accepted_media_type", ""),  # the negotiated format, not the raw header
                permission_fingerprint(request.user),
                versions(depends_on),
                extra,
            ]
        )
        self.key = f"view:{name}:{hashlib.sha256(raw.encode()).hexdigest()}"

    def hit(self) -> HttpResponse | None:
        entry = cache.get(self.key)
        if entry is None:
            _count(self.name, "miss")
            read_from_primary()  # what is built next is cached for everyone: never from a lagging replica
            return None
        _count(self.name, "hit")
        etag, content_type, body = entry
        return self._answer(etag, content_type, body, hit=True)

    def store(self, content_type: str, body: bytes) -> HttpResponse:
        etag = quote_etag(hashlib.md5(body, usedforsecurity=False).hexdigest())
        cache.set(self.key, (etag, content_type, body), timeout=self.ttl)
        return self._answer(etag, content_type, body, hit=False)

    def _answer(self, etag: str, content_type: str, body: bytes, *, hit: bool) -> HttpResponse:
        if etag in [tag.strip() for tag in self.request.headers.get("If-None-Match", "").split(",")]:
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(body, content_type=content_type)
        response["ETag"] = etag
        response["X-Cache"] = "hit" if hit else "miss"
        # Private: the answer depends on who asks.
        response["Cache-Control"] = "private, no-cache"
        response["Vary"] = "Accept, Authorization, Cookie"
        return response


class CachedListMixin:
    """For a DRF viewset: answer JSON list requests from the view cache.

    Set `cache_name` (a key of settings.VIEW_CACHE_TTLS) and `cache_depends_on` (every model
    whose rows the list shows). The browsable API (HTML) is never cached.
    """

    cache_name: str = ""
    cache_depends_on: tuple = ()

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format != "json":
            return super().list(request, *args, **kwargs)
        entry = CachedResponse(
            request,
            name=self.cache_name,
            depends_on=self.cache_depends_on,
            ttl=settings.VIEW_CACHE_TTLS[self.cache_name],
        )
        cached = entry.hit()
        if cached is not None:
            return cached
        response = super().list(request, *args, **kwargs)
        if response.status_code != 200:
            return response
        response.accepted_renderer = request.accepted_renderer
        response.accepted_media_type = request.accepted_media_type
        response.renderer_context = self.get_renderer_context()
        response.render()
        return entry.store(response["Content-Type"], response.content)


def clear() -> None:
    """Drop every cached view, version and counter (tests, and after bulk loads)."""
    for pattern in ("view:*", "version:*", "stats:view_cache:*"):
        cache.delete_pattern(pattern)
