import factory

from apps.samples.choices import Category, SampleType
from apps.samples.models import (
    Colourway,
    MeasurementPoint,
    Sample,
    SizeRange,
    Style,
    StyleMaterial,
    TechPack,
)
from tests.buyers.factories import BuyerFactory
from tests.inventory.factories import MaterialFactory

DEFAULT_COLOURWAYS = ("Navy", "White", "Black", "Red")


class SizeRangeFactory(factory.django.DjangoModelFactory):
    """XS-XXL unless told otherwise; one row per code, however often it is asked for."""

    class Meta:
        model = SizeRange
        django_get_or_create = ["code"]

    code = "XS-XXL"
    name = factory.LazyAttribute(lambda o: f"Sizes {o.code}")
    sizes = factory.LazyFunction(lambda: ["XS", "S", "M", "L", "XL", "XXL"])


class StyleFactory(factory.django.DjangoModelFactory):
    """A style orders can be taken for: the XS-XXL range and the colourways Navy, White, Black, Red.

    StyleFactory(colourways=["Ecru"]) names others; StyleFactory(size_range=None, colourways=[]) has neither.
    """

    class Meta:
        model = Style
        django_get_or_create = ["code"]
        skip_postgeneration_save = True  # the hook writes the colourways; the style needs no second save

    code = factory.Sequence(lambda n: f"ST{n:05d}")
    name = factory.Sequence(lambda n: f"Style {n}")
    buyer = factory.SubFactory(BuyerFactory)
    season = "SS27"
    category = Category.SHIRTS
    target_price = 12
    size_range = factory.SubFactory(SizeRangeFactory)

    @factory.post_generation
    def colourways(self, create, extracted, **kwargs):
        if not create:
            return
        names = DEFAULT_COLOURWAYS if extracted is None else extracted
        # One INSERT; a style got (not created) by its code keeps the colourways it has.
        Colourway.objects.bulk_create([Colourway(style=self, name=name) for name in names], ignore_conflicts=True)


class ColourwayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Colourway

    style = factory.SubFactory(StyleFactory, colourways=[])
    name = factory.Sequence(lambda n: f"Colour {n}")


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


class TechPackFactory(factory.django.DjangoModelFactory):
    """Version 1 of a style's tech pack, graded over the style's sizes from M."""

    class Meta:
        model = TechPack

    style = factory.SubFactory(StyleFactory)
    version = 1
    sizes = factory.LazyAttribute(lambda o: list(o.style.size_range.sizes))
    base_size = "M"


class MeasurementPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeasurementPoint

    tech_pack = factory.SubFactory(TechPackFactory)
    code = factory.Sequence(lambda n: f"P{n}")
    description = factory.Sequence(lambda n: f"Point {n}")
    base_value = "50.00"
    tolerance = "1.00"
    position = factory.Sequence(lambda n: n)
