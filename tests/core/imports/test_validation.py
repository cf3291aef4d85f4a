"""validate_rows: the API serializer's rules over a batch, without a query per row."""

from decimal import Decimal

import pytest

from apps.buyers.api.serializers import BuyerSerializer
from apps.core.imports.validation import row_errors, validate_rows
from apps.purchasing.api.serializers import SupplierMaterialSerializer
from tests.buyers.factories import BuyerFactory
from tests.inventory.factories import MaterialFactory
from tests.purchasing.factories import SupplierFactory

pytestmark = pytest.mark.django_db


def test_validate_rows_resolves_related_rows_by_natural_key_without_queries(django_assert_num_queries):
    supplier, material = SupplierFactory(code="MILL"), MaterialFactory(code="TWILL")
    resolved = {"supplier": {"MILL": supplier}, "material": {"TWILL": material}}
    rows = [
        {"supplier": "MILL", "material": "TWILL", "unit_price": "3.5"},
        {"supplier": "NOPE", "material": "TWILL", "unit_price": "x"},
        {"supplier": "MILL", "material": "", "unit_price": "1"},
    ] * 50

    with django_assert_num_queries(0):
        results = validate_rows(SupplierMaterialSerializer, rows, resolved=resolved)

    assert results[0] == ("ok", {"supplier": supplier, "material": material, "unit_price": Decimal("3.5")})
    assert results[1] == (
        "error",
        {"supplier": ["Unknown supplier 'NOPE'."], "unit_price": ["A valid number is required."]},
    )
    assert results[2] == ("error", {"material": ["This field is required."]})


def test_validate_rows_leaves_the_natural_key_s_uniqueness_to_the_resource(django_assert_num_queries):
    BuyerFactory(code="ACME")
    row = {"code": "ACME", "name": "Acme", "country": "GB", "currency": "GBP", "is_active": ""}

    with django_assert_num_queries(0):
        [(status, data)] = validate_rows(BuyerSerializer, [row])

    assert status == "ok" and data["code"] == "ACME" and "is_active" not in data


def test_validate_rows_keeps_blank_text_where_the_field_allows_it():
    row = {"code": "ACME", "name": "Acme", "company": "", "country": "GB", "currency": "GBP", "email": ""}
    [(_, data)] = validate_rows(BuyerSerializer, [row])
    assert (data["company"], data["email"]) == ("", "")


def test_row_errors_flattens_field_row_and_nested_errors():
    errors = {"country": ["Bad.", "Worse."], "non_field_errors": ["Row."], "lines": [{}, {"size": ["No."]}]}
    found = [(e.row, e.column, e.value, e.message) for e in row_errors(7, errors, {"country": "gb", "lines": ""})]
    assert found == [
        (7, "country", "gb", "Bad."),
        (7, "country", "gb", "Worse."),
        (7, "", "", "Row."),
        (7, "lines", "", "size: No."),
    ]
