"""Material requirements: what confirmed orders need, less what is on hand and on order."""

from decimal import ROUND_UP, Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Func, OuterRef, Q, Subquery, Sum, TextField, Value
from django.db.models.functions import Cast, Coalesce, Greatest

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


def _consumption_for_size() -> Coalesce:
    """A bill line's consumption in the size of the order line it is joined to: its graded value
    (size_consumption ->> size, a key chosen per row) if there is one, else its consumption per piece."""
    graded = Func(
        F("size_consumption"),
        F("style__order_lines__size"),
        function="jsonb_extract_path_text",
        output_field=TextField(),
    )
    return Coalesce(Cast(graded, QUANTITY), F("consumption_per_piece"), output_field=QUANTITY)


def material_requirements(*, shortages_only: bool = True):
    """Materials with required, on_hand, on_order and shortage, plus their preferred supplier.

    required = sum over lines of confirmed and in-production orders, and over the lines of their
               style's bill of materials for every colourway (blank colour) or the order line's colour
               (compared case-insensitively), of quantity x consumption x (1 + wastage % / 100), where
               consumption is the bill line's consumption for the order line's size if graded
               (size_consumption), else its consumption per piece;
    on_hand  = stock in all warehouses; on_order = ordered but not yet received on open purchase orders;
    shortage = max(0, required - on_hand - on_order). One query. The preferred supplier (id, code,
    unit price) is the active supplier marked preferred for the material, or None.
    """
    demand = StyleMaterial.objects.filter(
        # In one filter() call, so that every condition and the quantity below are of the same order line.
        Q(colour="") | Q(colour__iexact=F("style__order_lines__colour")),
        style__order_lines__order__status__in=DEMAND_STATUSES,
    )
    # An inactive supplier takes no orders (purchase_order_create refuses it), so its preference does not count.
    preferred = SupplierMaterial.objects.filter(material=OuterRef("pk"), is_preferred=True, supplier__is_active=True)
    materials = (
        Material.objects.annotate(
            required=_sum_per_material(
                demand,
                F("style__order_lines__quantity") * _consumption_for_size() * (1 + F("wastage_percent") / 100),
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
