from rest_framework.routers import SimpleRouter

from .views import SampleViewSet, StyleViewSet

router = SimpleRouter()
router.register("styles", StyleViewSet, basename="style")
router.register("samples", SampleViewSet, basename="sample")
