import pytest
from django.core.management import call_command
from django.db.models import F, Sum

from apps.buyers.models import Buyer
from apps.inventory.models import StockLevel, StockMovement
from apps.orders.models import Order
from apps.purchasing.models import PurchaseOrder
from apps.samples.models import Sample

pytestmark = pytest.mark.django_db


def test_generate_data_small_is_consistent_and_adds_nothing_on_rerun(capsys):
    call_command("generate_data", scale="small", seed=7)
    counts = (
        Buyer.objects.count(),
        Sample.objects.count(),
        Order.objects.count(),
        PurchaseOrder.objects.count(),
        StockMovement.objects.count(),
    )
    assert counts[:4] == (50, 60, 40, 10) and counts[4] > 0

    # Every order's total is the sum of its lines; every level equals its ledger.
    assert not Order.objects.annotate(lines_total=Sum("lines__amount")).exclude(total=F("lines_total")).exists()
    for level in StockLevel.objects.all():
        ledger = StockMovement.objects.filter(material=level.material_id, warehouse=level.warehouse_id)
        assert ledger.aggregate(total=Sum("quantity"))["total"] == level.on_hand

    call_command("generate_data", scale="small", seed=7)
    assert "purchasing: 0 rows created" in capsys.readouterr().out
    assert (
        Buyer.objects.count(),
        Sample.objects.count(),
        Order.objects.count(),
        PurchaseOrder.objects.count(),
        StockMovement.objects.count(),
    ) == counts
