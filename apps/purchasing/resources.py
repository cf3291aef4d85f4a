"""Suppliers from a spreadsheet (manage.py import_data suppliers FILE), keyed by their code."""

from apps.core.imports.base import Column, register
from apps.core.imports.model_resource import ModelResource

from .api.filters import SupplierFilterSet
from .api.serializers import SupplierSerializer
from .models import Supplier


@register
class SupplierResource(ModelResource):
    name = "suppliers"
    title = "Suppliers"
    model = Supplier
    serializer_class = SupplierSerializer
    filterset_class = SupplierFilterSet
    lookup = "code"
    columns = (
        Column("code", required=True, aliases=("supplier code", "supplier", "vendor code"), example="MILL-01"),
        Column("name", required=True, aliases=("supplier name", "vendor name"), example="Northern Mills"),
        Column("country", required=True, aliases=("country code",), example="IN", help="ISO 3166 code."),
        Column("currency", required=True, aliases=("ccy", "currency code"), example="USD", help="ISO 4217 code."),
        Column("email", aliases=("e-mail", "email address"), example="sales@northern-mills.example"),
        Column("lead_time_days", aliases=("lead time", "lead time (days)"), example="30",
               help="Days from order to delivery; defaults to 30."),
        Column("is_active", aliases=("active",), example="true", help="true or false; defaults to true."),
    )  # fmt: skip
