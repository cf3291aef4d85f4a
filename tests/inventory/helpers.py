from django.db.models import Sum

from apps.inventory.models import StockLevel, StockMovement


def assert_ledger_matches_levels() -> None:
    """Every level's on-hand equals the sum of its ledger lines and the balance after its latest line."""
    sums = {
        (row["material_id"], row["warehouse_id"]): row["total"]
        for row in StockMovement.objects.order_by()
        .values("material_id", "warehouse_id")
        .annotate(total=Sum("quantity"))
    }
    levels = {(level.material_id, level.warehouse_id): level.on_hand for level in StockLevel.objects.all()}
    assert set(sums) <= set(levels), "ledger lines for a material and warehouse without a level"
    for (material_id, warehouse_id), on_hand in levels.items():
        assert sums.get((material_id, warehouse_id), 0) == on_hand, (material_id, warehouse_id)
        latest = (
            StockMovement.objects.filter(material_id=material_id, warehouse_id=warehouse_id).order_by("-id").first()
        )
        assert (latest.balance_after if latest else 0) == on_hand, (material_id, warehouse_id)
