from rest_framework.routers import SimpleRouter

from .milestones import OrderMilestoneViewSet
from .views import OrderLineViewSet, OrderViewSet

router = SimpleRouter()
router.register("orders", OrderViewSet, basename="order")
router.register("order-lines", OrderLineViewSet, basename="order-line")
router.register("order-milestones", OrderMilestoneViewSet, basename="order-milestone")
