"""Buyers from a spreadsheet (manage.py import_data buyers FILE), keyed by their code."""

from apps.core.imports.base import Column, register
from apps.core.imports.model_resource import ModelResource

from .api.filters import BuyerFilterSet
from .api.serializers import BuyerSerializer
from .choices import PaymentTerms
from .models import Buyer


@register
class BuyerResource(ModelResource):
    name = "buyers"
    title = "Buyers"
    model = Buyer
    serializer_class = BuyerSerializer
    filterset_class = BuyerFilterSet
    lookup = "code"
    columns = (
        Column("code", required=True, aliases=("buyer code", "buyer", "customer code"), example="ACME",
               help="Capital letters, digits, '-' and '_'; the buyer's key, never changed."),
        Column("name", required=True, aliases=("buyer name", "trading name"), example="Acme Apparel"),
        Column("company", aliases=("company name", "legal name"), example="Acme Apparel Ltd"),
        Column("country", required=True, aliases=("country code",), example="GB", help="ISO 3166 code."),
        Column("currency", required=True, aliases=("ccy", "currency code"), example="GBP", help="ISO 4217 code."),
        Column("email", aliases=("e-mail", "email address"), example="orders@acme.example"),
        Column("payment_terms", aliases=("terms",), example=PaymentTerms.NET_60.value,
               help=f"One of {', '.join(PaymentTerms.values)}; defaults to {PaymentTerms.NET_60.value}."),
        Column("is_active", aliases=("active",), example="true", help="true or false; defaults to true."),
    )  # fmt: skip
