"""Material requirements: what confirmed orders need, less what is on hand and on order."""

from decimal import ROUND_UP, Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest

from apps.inventory.models import Material, StockLevel
from apps.orders.choices import DEMAND_STATUSES
from apps.samples.models import StyleMaterial

from .choices import OPEN_STATUSES
from .models import PurchaseOrderLine, SupplierMaterial

QUANTITY = DecimalField(max_digits=20, decimal_places=6)
ZERO = Value(Decimal(0), output_field=QUANTITY)


def _sum_per_material(rows, expression, material_field: str = "material") -> Coalesce:
    """A subquery summing `expression` over `rows` for the outer material (0 when there are none)."""
    total = (
        rows.filter(**{material_field: OuterRef("pk")})
        .order_by()
        .values(material_field)
        .annotate(total=Sum(ExpressionWrapper(expression, output_field=QUANTITY)))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=QUANTITY), ZERO)


def material_requirements(*, shortages_only: bool = True):
    """Materials with required, on_hand, on_order and shortage, plus their preferred supplier.

    required = sum over lines of confirmed and in-production orders of
               quantity x consumption per piece x (1 + wastage % / 100), from the style's bill of materials;
    on_hand  = stock in all warehouses; on_order = ordered but not yet received on open purchase orders;
    shortage = max(0, required - on_hand - on_order). One query. The preferred supplier (id, code,
    unit price) is the active supplier marked preferred for the material, or None.
    """
    demand = StyleMaterial.objects.filter(style__order_lines__order__status__in=DEMAND_STATUSES)
    # An inactive supplier takes no orders (purchase_order_create refuses it), so its preference does not count.
    preferred = SupplierMaterial.objects.filter(material=OuterRef("pk"), is_preferred=True, supplier__is_active=True)
    materials = (
        Material.objects.annotate(
            required=_sum_per_material(
                demand,
                F("style__order_lines__quantity") * F("consumption_per_piece") * (1 + F("wastage_percent") / 100),
            ),
            on_hand=_sum_per_material(StockLevel.objects.all(), F("on_hand")),
            on_order=_sum_per_material(
                PurchaseOrderLine.objects.filter(purchase_order__status__in=OPEN_STATUSES),
                F("quantity") - F("received_quantity"),
            ),
            preferred_supplier_id=Subquery(preferred.values("supplier_id")[:1]),
            preferred_supplier_code=Subquery(preferred.values("supplier__code")[:1]),
            preferred_unit_price=Subquery(preferred.values("unit_price")[:1]),
        )
        .annotate(shortage=Greatest(F("required") - F("on_hand") - F("on_order"), ZERO))
        .filter(required__gt=0)
        .order_by("code", "id")
    )
    return materials.filter(shortage__gt=0) if shortages_only else materials


def order_quantity(shortage: Decimal) -> Decimal:
    """What to buy for a shortage: rounded up to the material's 3 decimal places."""
    return shortage.quantize(Decimal("0.001"), rounding=ROUND_UP)
