"""Our admin site: Django's, with branding and cached autocomplete for the lookup models."""

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import PermissionDenied

from .cache import CachedResponse

# Autocomplete answers for these models come from the view cache: their VIEW_CACHE_TTLS entry, and
# the other models their search reads (a style is found by its buyer's code and name too).
CACHED_AUTOCOMPLETE = {
    "buyers.buyer": ("buyers", ()),
    "purchasing.supplier": ("suppliers", ()),
    "samples.style": ("styles", ("buyers.Buyer",)),
    "inventory.material": ("materials", ()),
    "inventory.warehouse": ("warehouses", ()),
}


class CachedAutocompleteJsonView(AutocompleteJsonView):
    """Django's autocomplete endpoint; permission is checked first, then lookups hit the cache."""

    def get(self, request, *args, **kwargs):
        self.term, self.model_admin, self.source_field, _ = self.process_request(request)
        if not self.has_perm(request):
            raise PermissionDenied
        model = self.model_admin.model
        if model._meta.label_lower not in CACHED_AUTOCOMPLETE:
            return super().get(request, *args, **kwargs)
        ttl_name, related = CACHED_AUTOCOMPLETE[model._meta.label_lower]
        depends_on = (model, *(apps.get_model(label) for label in related))
        entry = CachedResponse(
            request, name=f"autocomplete:{ttl_name}", depends_on=depends_on, ttl=settings.VIEW_CACHE_TTLS[ttl_name]
        )
        cached = entry.hit()
        if cached is not None:
            return cached
        response = super().get(request, *args, **kwargs)
        return entry.store(response["Content-Type"], response.content)


class AdminSite(admin.AdminSite):
    site_header = "Threadline ERP"
    site_title = "Threadline ERP"
    index_title = "Administration"

    def autocomplete_view(self, request):
        return CachedAutocompleteJsonView.as_view(admin_site=self)(request)


class AdminConfig(DjangoAdminConfig):
    default_site = "apps.core.admin_site.AdminSite"
