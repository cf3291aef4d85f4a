import factory

from apps.samples.choices import Category, SampleType
from apps.samples.models import Sample, Style, StyleMaterial
from tests.buyers.factories import BuyerFactory
from tests.inventory.factories import MaterialFactory


class StyleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Style
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"ST{n:05d}")
    name = factory.Sequence(lambda n: f"Style {n}")
    buyer = factory.SubFactory(BuyerFactory)
    season = "SS27"
    category = Category.SHIRTS
    target_price = 12


class StyleMaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StyleMaterial

    style = factory.SubFactory(StyleFactory)
    material = factory.SubFactory(MaterialFactory)
    consumption_per_piece = "1.2000"
    wastage_percent = "5.00"


class SampleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sample

    number = factory.Sequence(lambda n: f"T{n:07d}")
    style = factory.SubFactory(StyleFactory)
    buyer = factory.SelfAttribute("style.buyer")
    type = SampleType.FIT
