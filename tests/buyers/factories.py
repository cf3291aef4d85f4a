import factory

from apps.buyers.choices import PaymentTerms
from apps.buyers.models import Buyer


class BuyerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Buyer
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"B{n:05d}")
    name = factory.Sequence(lambda n: f"Buyer {n:05d}")
    company = factory.LazyAttribute(lambda buyer: f"{buyer.name} Ltd")
    country = "GB"
    currency = "GBP"
    email = factory.LazyAttribute(lambda buyer: f"{buyer.code.lower()}@example.com")
    payment_terms = PaymentTerms.NET_60
