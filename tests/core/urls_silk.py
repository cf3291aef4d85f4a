"""The project's URLs with Silk switched on, as SILK_ENABLED=true does."""

from django.urls import include, path

from erp.urls import urlpatterns

urlpatterns = [*urlpatterns, path("silk/", include("silk.urls", namespace="silk"))]
