"""manage.py export_data: the import's columns, the API's filters, and a file that imports back unchanged."""

import codecs
import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from apps.orders.models import Order, OrderLine
from apps.samples.models import Style
from tests.buyers.factories import BuyerFactory
from tests.orders.factories import order_with_lines
from tests.samples.factories import StyleMaterialFactory

pytestmark = pytest.mark.django_db

BUYER_HEADER = ["code", "name", "company", "country", "currency", "email", "payment_terms", "is_active"]


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def export(*args) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("export_data", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_export_data_filters_as_the_api_does(tmp_path):
    kept = [BuyerFactory(code="FR1", country="FR"), BuyerFactory(code="FR2", country="FR")]
    BuyerFactory(code="FR3", country="FR", is_active=False)
    BuyerFactory(code="GB1", country="GB")
    target = tmp_path / "buyers.csv"

    export("buyers", "--filter", "country=fr", "--filter", "is_active=true", "--output", str(target))

    data = target.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    header, *rows = read_csv(data)
    assert header == BUYER_HEADER
    assert [row[0] for row in rows] == [buyer.code for buyer in kept]
    assert rows[0] == ["FR1", kept[0].name, kept[0].company, "FR", "GBP", kept[0].email, "net_60", "True"]


def test_export_data_writes_csv_to_stdout_without_a_bom():
    BuyerFactory(code="ACME")
    text = export("buyers")
    assert not text.startswith("\ufeff")
    assert [row[0] for row in csv.reader(io.StringIO(text))] == ["code", "ACME"]


def test_export_data_writes_xlsx_from_the_output_extension(tmp_path):
    BuyerFactory(code="ACME", name="Acme")
    target = tmp_path / "buyers.xlsx"

    export("buyers", "-o", str(target))

    rows = list(load_workbook(target, read_only=True).active.iter_rows(values_only=True))
    assert rows[0] == tuple(BUYER_HEADER)
    assert rows[1][:2] == ("ACME", "Acme")
    assert rows[1][-1] is True  # typed, not the text "True"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["buyers", "--filter", "colour=red"], "Unknown filter 'colour' for buyers; known: .*country"),
        (["buyers", "--filter", "payment_terms=someday"], "Bad filter: payment_terms: Select a valid choice"),
        (["buyers", "--filter", "country"], "--filter takes NAME=VALUE"),
        (["buyers", "--format", "xlsx"], "XLSX is written to a file"),
        (["widgets"], "Unknown resource 'widgets'"),
    ],
)
def test_export_data_refuses_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        export(*args)


def test_export_data_leaves_no_partial_file_when_it_fails(tmp_path, monkeypatch):
    from apps.core import writers

    BuyerFactory.create_batch(3)
    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 2)
    target = tmp_path / "buyers.xlsx"
    with pytest.raises(CommandError, match="at most 2 rows"):
        export("buyers", "-o", str(target))
    assert not target.exists()


def import_file(resource: str, path) -> str:
    out = io.StringIO()
    try:
        call_command("import_data", resource, str(path), stdout=out, stderr=out)
    except CommandError as error:
        raise AssertionError(f"{resource}: {error}\n{out.getvalue()}") from error
    return out.getvalue()


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_an_exported_file_imports_back_unchanged(tmp_path, extension):
    BuyerFactory.create_batch(3)
    BuyerFactory(code="ODD", name='Zürich, "Moda"', company="", email="", is_active=False)
    StyleMaterialFactory.create_batch(2, style=StyleMaterialFactory().style)  # a style with a bill of 3 lines
    order_with_lines(lines=3, buyer_reference="PO-1")  # the natural key of an imported order
    counts = (Order.objects.count(), OrderLine.objects.count(), Style.objects.count())
    for resource in ("buyers", "materials", "styles", "orders"):
        target = tmp_path / f"{resource}.{extension}"
        export(resource, "-o", str(target))

        output = import_file(resource, target)

        assert "Nothing changed." in output, (resource, output)
        assert "Created 0, updated 0" in output, (resource, output)
    assert (Order.objects.count(), OrderLine.objects.count(), Style.objects.count()) == counts


def test_export_data_orders_takes_the_api_s_repeatable_filters():
    confirmed = order_with_lines(lines=2, status="confirmed", buyer_reference="PO-C")
    order_with_lines(lines=1, status="in_production", buyer_reference="PO-P")
    order_with_lines(lines=1, status="draft", buyer_reference="PO-D")

    rows = list(
        csv.reader(io.StringIO(export("orders", "--filter", "status=confirmed", "--filter", "status=in_production")))
    )

    reference = rows[0].index("buyer_reference")
    assert sorted(row[reference] for row in rows[1:]) == ["PO-C", "PO-C", "PO-P"]
    assert confirmed.lines.count() == 2
