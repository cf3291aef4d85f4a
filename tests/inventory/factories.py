from decimal import Decimal

import factory

from apps.inventory import services
from apps.inventory.choices import MaterialKind, Unit
from apps.inventory.models import Material, StockMovement, Warehouse
from tests.factories import UserFactory


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"WH{n:04d}")
    name = factory.Sequence(lambda n: f"Store {n:04d}")
    address = "Plot 7, EPZ, Dhaka"


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"MAT{n:05d}")
    name = factory.Sequence(lambda n: f"Cotton twill {n:05d}")
    kind = MaterialKind.FABRIC
    unit = Unit.METRE
    standard_cost = Decimal("2.5000")
    reorder_level = Decimal("0")


class ReceiptFactory(factory.Factory):
    """A receipt posted through stock_receive, so the level and the ledger agree: never a bare row."""

    class Meta:
        model = StockMovement

    material = factory.SubFactory(MaterialFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    quantity = Decimal("100")
    note = ""
    user = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.stock_receive(**kwargs)
