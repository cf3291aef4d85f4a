from rest_framework.routers import SimpleRouter

from .views import OrderLineViewSet, OrderViewSet

router = SimpleRouter()
router.register("orders", OrderViewSet, basename="order")
router.register("order-lines", OrderLineViewSet, basename="order-line")
