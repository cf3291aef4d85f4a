from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from apps.buyers.api.urls import router as buyers_router
from apps.core import health, metrics
from apps.core.api.urls import router as core_router
from apps.inventory.api.urls import router as inventory_router
from apps.orders.api.urls import router as orders_router
from apps.purchasing.api.urls import router as purchasing_router
from apps.reports.admin_views import run_report
from apps.reports.api.urls import router as reports_router
from apps.reports.dashboard import dashboard
from apps.samples.api.urls import router as samples_router

# One browsable API root for every app's routes.
api_router = DefaultRouter()
for app_router in (
    core_router,
    buyers_router,
    inventory_router,
    samples_router,
    orders_router,
    purchasing_router,
    reports_router,
):
    api_router.registry.extend(app_router.registry)

urlpatterns = [
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
    path("metrics", metrics.metrics, name="metrics"),  # allowed addresses or the token only
    path("admin/reports/run/", admin.site.admin_view(run_report), name="admin-run-report"),
    path("admin/dashboard/", dashboard, name="admin-dashboard"),  # before the admin's catch-all
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_router.urls)),
    path("api/v1/auth/token/", obtain_auth_token, name="api-token"),
    path("api/auth/", include("rest_framework.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", login_required(SpectacularSwaggerView.as_view(url_name="api-schema")), name="api-docs"),
]

if settings.SILK_ENABLED:
    urlpatterns.append(path("silk/", include("silk.urls", namespace="silk")))

if "debug_toolbar" in settings.INSTALLED_APPS:
    urlpatterns.append(path("__debug__/", include("debug_toolbar.urls")))

handler400 = "apps.core.errors.bad_request"
handler403 = "apps.core.errors.permission_denied"
handler404 = "apps.core.errors.page_not_found"
handler500 = "apps.core.errors.server_error"
