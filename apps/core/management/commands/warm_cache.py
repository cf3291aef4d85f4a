from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIRequestFactory, force_authenticate

from apps.core import cache
from apps.core.roles import ROLES


def cached_list_views():
    """(url name, view) for every list endpoint served through the view cache."""

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(
                    pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                )
            elif isinstance(pattern, URLPattern) and pattern.name:
                view_class = getattr(pattern.callback, "cls", None)
                actions = getattr(pattern.callback, "actions", {})
                if view_class and issubclass(view_class, cache.CachedListMixin) and actions.get("get") == "list":
                    yield f"{namespace}{pattern.name}", pattern.callback

    seen = set()
    for name, view in walk(get_resolver().url_patterns):
        if name not in seen:  # the router lists each route twice (with and without a format suffix)
            seen.add(name)
            yield name, view


def role_user(role: str | None):
    """An unsaved user standing for a role (None: a superuser), with its permissions preloaded."""
    user = get_user_model()(username=f"warm-cache-{role or 'superuser'}", is_active=True, is_superuser=role is None)
    if role is not None:
        permissions = Group.objects.get(name=role).permissions.values_list("content_type__app_label", "codename")
        user._perm_cache = {f"{app_label}.{codename}" for app_label, codename in permissions}
    return user


class Command(BaseCommand):
    help = "Fill the view cache with the first page of every cached lookup list, for each role and for superusers."

    def add_arguments(self, parser):
        parser.add_argument("--stats", action="store_true", help="Print the hit/miss counters and stop.")
        parser.add_argument(
            "--url", default="http://localhost:8000", help="Scheme and host staff use (cached pages link absolutely)."
        )

    def handle(self, *args, stats, url, **options):
        if stats:
            for name, value in cache.stats().items():
                self.stdout.write(f"{name}: {value}")
            return
        scheme, _, host = url.partition("://")
        factory = APIRequestFactory()
        users = [role_user(role) for role in (*ROLES, None)]
        warmed = 0
        for name, view in cached_list_views():
            path = reverse(name)
            for user in users:
                request = factory.get(path, HTTP_ACCEPT="application/json", HTTP_HOST=host, secure=scheme == "https")
                force_authenticate(request, user=user)
                if view(request).status_code == 200:
                    warmed += 1
        self.stdout.write(f"Warmed {warmed} cached pages.")
