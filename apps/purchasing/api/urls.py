from rest_framework.routers import SimpleRouter

from .views import (
    MaterialRequirementViewSet,
    PurchaseOrderLineViewSet,
    PurchaseOrderViewSet,
    SupplierMaterialViewSet,
    SupplierViewSet,
)

router = SimpleRouter()
router.register("suppliers", SupplierViewSet, basename="supplier")
router.register("supplier-materials", SupplierMaterialViewSet, basename="supplier-material")
router.register("purchase-orders", PurchaseOrderViewSet, basename="purchase-order")
router.register("purchase-order-lines", PurchaseOrderLineViewSet, basename="purchase-order-line")
router.register("material-requirements", MaterialRequirementViewSet, basename="material-requirement")
