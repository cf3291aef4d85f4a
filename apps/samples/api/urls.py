from rest_framework.routers import SimpleRouter

from .techpacks import TechPackViewSet
from .views import SampleViewSet, SizeRangeViewSet, StyleViewSet

router = SimpleRouter()
router.register("size-ranges", SizeRangeViewSet, basename="size-range")
router.register("styles", StyleViewSet, basename="style")
router.register("samples", SampleViewSet, basename="sample")
router.register("tech-packs", TechPackViewSet, basename="tech-pack")
