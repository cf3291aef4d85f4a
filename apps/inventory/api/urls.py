from rest_framework.routers import SimpleRouter

from .views import MaterialViewSet, StockLevelViewSet, StockMovementViewSet, WarehouseViewSet

router = SimpleRouter()
router.register("warehouses", WarehouseViewSet, basename="warehouse")
router.register("materials", MaterialViewSet, basename="material")
router.register("stock-levels", StockLevelViewSet, basename="stock-level")
router.register("stock-movements", StockMovementViewSet, basename="stock-movement")
