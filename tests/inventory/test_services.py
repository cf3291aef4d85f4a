from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from apps.inventory import services
from apps.inventory.models import Material, StockLevel, StockMovement, Warehouse
from tests.factories import UserFactory
from tests.inventory.factories import MaterialFactory, WarehouseFactory
from tests.inventory.helpers import assert_ledger_matches_levels

pytestmark = pytest.mark.django_db


@pytest.fixture
def material():
    return MaterialFactory()


@pytest.fixture
def warehouse():
    return WarehouseFactory()


def on_hand(material, warehouse) -> Decimal:
    return StockLevel.objects.get(material=material, warehouse=warehouse).on_hand


def receive(material, warehouse, quantity) -> StockMovement:
    return services.stock_receive(material=material, warehouse=warehouse, quantity=Decimal(quantity))


def error_messages(error: pytest.ExceptionInfo, field: str) -> str:
    return " ".join(error.value.message_dict[field])


# --- stock_receive -------------------------------------------------------------------------


def test_stock_receive_creates_the_level_and_a_receipt_line(material, warehouse):
    user = UserFactory()
    movement = services.stock_receive(
        material=material,
        warehouse=warehouse,
        quantity=Decimal("12.5"),
        reference_type="goods_receipt",
        reference_id=7,
        note="GRN 7",
        user=user,
    )
    movement.refresh_from_db()
    assert (movement.kind, movement.quantity, movement.balance_after) == ("receipt", Decimal("12.5"), Decimal("12.5"))
    assert (movement.reference_type, movement.reference_id, movement.note) == ("goods_receipt", 7, "GRN 7")
    assert movement.created_by == user
    assert on_hand(material, warehouse) == Decimal("12.5")


def test_stock_receive_adds_to_an_existing_level(material, warehouse):
    receive(material, warehouse, "10")
    movement = receive(material, warehouse, "2.25")
    assert movement.balance_after == Decimal("12.25")
    assert on_hand(material, warehouse) == Decimal("12.25")
    assert StockLevel.objects.filter(material=material, warehouse=warehouse).count() == 1


def test_stock_receive_records_no_author_for_an_anonymous_user(material, warehouse):
    from django.contrib.auth.models import AnonymousUser

    movement = services.stock_receive(material=material, warehouse=warehouse, quantity=Decimal(1), user=AnonymousUser())
    assert movement.created_by is None


@pytest.mark.parametrize("quantity", ["0", "-1", "-0.001"])
def test_stock_receive_refuses_zero_or_negative_quantity(material, warehouse, quantity):
    with pytest.raises(ValidationError) as error:
        receive(material, warehouse, quantity)
    assert "greater than zero" in error_messages(error, "quantity")
    assert not StockLevel.objects.exists() and not StockMovement.objects.exists()


def test_stock_receive_refuses_more_than_three_decimal_places(material, warehouse):
    with pytest.raises(ValidationError) as error:
        receive(material, warehouse, "1.0005")
    assert "3 decimal places" in error_messages(error, "quantity")
    assert not StockMovement.objects.exists() and not StockLevel.objects.exists()


def test_stock_receive_refuses_to_exceed_the_largest_storable_on_hand(material, warehouse):
    receive(material, warehouse, "99999999999")
    with pytest.raises(ValidationError) as error:
        receive(material, warehouse, "1")
    assert "largest quantity" in error_messages(error, "quantity")
    assert on_hand(material, warehouse) == Decimal("99999999999")


def test_stock_receive_refuses_a_note_longer_than_the_ledger_keeps(material, warehouse):
    with pytest.raises(ValidationError) as error:
        services.stock_receive(material=material, warehouse=warehouse, quantity=Decimal(1), note="x" * 256)
    assert "note" in error.value.message_dict
    assert not StockMovement.objects.exists()


# --- stock_issue ---------------------------------------------------------------------------


def test_stock_issue_lowers_on_hand_and_records_a_negative_line(material, warehouse):
    receive(material, warehouse, "10")
    movement = services.stock_issue(
        material=material, warehouse=warehouse, quantity=Decimal("4"), reference_type="cutting_order", reference_id=3
    )
    assert (movement.kind, movement.quantity, movement.balance_after) == ("issue", Decimal("-4"), Decimal("6"))
    assert (movement.reference_type, movement.reference_id) == ("cutting_order", 3)
    assert on_hand(material, warehouse) == Decimal("6")


def test_stock_issue_may_take_everything_on_hand(material, warehouse):
    receive(material, warehouse, "10")
    assert services.stock_issue(material=material, warehouse=warehouse, quantity=Decimal("10")).balance_after == 0
    assert on_hand(material, warehouse) == 0


def test_stock_issue_refuses_more_than_on_hand(material, warehouse):
    receive(material, warehouse, "10")
    with pytest.raises(ValidationError) as error:
        services.stock_issue(material=material, warehouse=warehouse, quantity=Decimal("10.001"))
    assert error.value.error_dict["quantity"][0].code == "insufficient_stock"
    assert "Only 10.000 on hand" in error_messages(error, "quantity")
    assert on_hand(material, warehouse) == Decimal("10")
    assert StockMovement.objects.count() == 1


def test_stock_issue_refuses_from_a_warehouse_that_never_had_the_material(material, warehouse):
    with pytest.raises(ValidationError) as error:
        services.stock_issue(material=material, warehouse=warehouse, quantity=Decimal("1"))
    assert error.value.error_dict["quantity"][0].code == "insufficient_stock"
    assert not StockLevel.objects.exists()  # the level row made for the attempt is rolled back with it


@pytest.mark.parametrize("quantity", ["0", "-5"])
def test_stock_issue_refuses_zero_or_negative_quantity(material, warehouse, quantity):
    receive(material, warehouse, "10")
    with pytest.raises(ValidationError) as error:
        services.stock_issue(material=material, warehouse=warehouse, quantity=Decimal(quantity))
    assert "greater than zero" in error_messages(error, "quantity")
    assert on_hand(material, warehouse) == Decimal("10")


# --- stock_adjust --------------------------------------------------------------------------


def test_stock_adjust_up_and_down_with_a_reason(material, warehouse):
    receive(material, warehouse, "10")
    found = services.stock_adjust(material=material, warehouse=warehouse, quantity=Decimal("1.5"), note="Count found")
    lost = services.stock_adjust(material=material, warehouse=warehouse, quantity=Decimal("-3"), note="Water damage")
    assert (found.kind, found.quantity, found.balance_after) == ("adjustment", Decimal("1.5"), Decimal("11.5"))
    assert (lost.kind, lost.quantity, lost.balance_after, lost.note) == (
        "adjustment",
        Decimal("-3"),
        Decimal("8.5"),
        "Water damage",
    )
    assert on_hand(material, warehouse) == Decimal("8.5")


def test_stock_adjust_refuses_zero(material, warehouse):
    with pytest.raises(ValidationError) as error:
        services.stock_adjust(material=material, warehouse=warehouse, quantity=Decimal("0"), note="Recount")
    assert "must change" in error_messages(error, "quantity")
    assert not StockMovement.objects.exists()


@pytest.mark.parametrize("note", ["", "   "])
def test_stock_adjust_refuses_without_a_reason(material, warehouse, note):
    with pytest.raises(ValidationError) as error:
        services.stock_adjust(material=material, warehouse=warehouse, quantity=Decimal("1"), note=note)
    assert "why" in error_messages(error, "note")
    assert not StockMovement.objects.exists()


def test_stock_adjust_refuses_to_go_below_zero(material, warehouse):
    receive(material, warehouse, "2")
    with pytest.raises(ValidationError) as error:
        services.stock_adjust(material=material, warehouse=warehouse, quantity=Decimal("-2.5"), note="Count")
    assert error.value.error_dict["quantity"][0].code == "insufficient_stock"
    assert on_hand(material, warehouse) == Decimal("2")


# --- stock_transfer ------------------------------------------------------------------------


def test_stock_transfer_moves_stock_with_two_linked_lines(material):
    source, destination = WarehouseFactory(code="MAIN"), WarehouseFactory(code="CUT")
    receive(material, source, "10")
    outgoing, incoming = services.stock_transfer(
        material=material, from_warehouse=source, to_warehouse=destination, quantity=Decimal("4")
    )
    assert (outgoing.kind, outgoing.warehouse, outgoing.quantity, outgoing.balance_after) == (
        "transfer",
        source,
        Decimal("-4"),
        Decimal("6"),
    )
    assert (incoming.kind, incoming.warehouse, incoming.quantity, incoming.balance_after) == (
        "transfer",
        destination,
        Decimal("4"),
        Decimal("4"),
    )
    assert (incoming.reference_type, incoming.reference_id) == ("stock_movement", outgoing.id)
    assert (outgoing.note, incoming.note) == ("to CUT", "from MAIN")
    assert (on_hand(material, source), on_hand(material, destination)) == (Decimal("6"), Decimal("4"))


def test_stock_transfer_keeps_a_given_note_on_both_lines(material):
    source, destination = WarehouseFactory(), WarehouseFactory()
    receive(material, source, "10")
    lines = services.stock_transfer(
        material=material, from_warehouse=source, to_warehouse=destination, quantity=Decimal("1"), note="For line 4"
    )
    assert [line.note for line in lines] == ["For line 4", "For line 4"]


def test_stock_transfer_refuses_the_same_warehouse(material, warehouse):
    receive(material, warehouse, "10")
    with pytest.raises(ValidationError) as error:
        services.stock_transfer(
            material=material, from_warehouse=warehouse, to_warehouse=warehouse, quantity=Decimal(1)
        )
    assert "different warehouse" in error_messages(error, "to_warehouse")
    assert StockMovement.objects.count() == 1


def test_stock_transfer_refuses_more_than_on_hand_and_writes_neither_line(material):
    source, destination = WarehouseFactory(), WarehouseFactory()
    receive(material, source, "3")
    with pytest.raises(ValidationError) as error:
        services.stock_transfer(material=material, from_warehouse=source, to_warehouse=destination, quantity=Decimal(4))
    assert error.value.error_dict["quantity"][0].code == "insufficient_stock"
    assert StockMovement.objects.count() == 1
    assert not StockLevel.objects.filter(warehouse=destination).exists()
    assert on_hand(material, source) == Decimal("3")


@pytest.mark.parametrize("quantity", ["0", "-1"])
def test_stock_transfer_refuses_zero_or_negative_quantity(material, quantity):
    source, destination = WarehouseFactory(), WarehouseFactory()
    receive(material, source, "3")
    with pytest.raises(ValidationError) as error:
        services.stock_transfer(
            material=material, from_warehouse=source, to_warehouse=destination, quantity=Decimal(quantity)
        )
    assert "greater than zero" in error_messages(error, "quantity")
    assert StockMovement.objects.count() == 1


# --- stock_post (what the API and the admin form call) -----------------------------------------


@pytest.mark.parametrize(
    ("kind", "quantity", "note", "expected"),
    [
        ("receipt", "5", "", [("receipt", Decimal("5"), Decimal("15"))]),
        ("issue", "5", "", [("issue", Decimal("-5"), Decimal("5"))]),
        ("adjustment", "-1", "Recount", [("adjustment", Decimal("-1"), Decimal("9"))]),
    ],
)
def test_stock_post_dispatches_each_kind_to_its_service(material, warehouse, kind, quantity, note, expected):
    receive(material, warehouse, "10")
    movements = services.stock_post(
        kind=kind, material=material, warehouse=warehouse, quantity=Decimal(quantity), note=note
    )
    assert [(m.kind, m.quantity, m.balance_after) for m in movements] == expected


def test_stock_post_transfer_returns_outgoing_then_incoming(material):
    source, destination = WarehouseFactory(), WarehouseFactory()
    receive(material, source, "10")
    movements = services.stock_post(
        kind="transfer", material=material, warehouse=source, to_warehouse=destination, quantity=Decimal("2")
    )
    assert [(m.warehouse, m.quantity) for m in movements] == [(source, Decimal("-2")), (destination, Decimal("2"))]


def test_stock_post_transfer_requires_a_destination(material, warehouse):
    receive(material, warehouse, "10")
    with pytest.raises(ValidationError) as error:
        services.stock_post(kind="transfer", material=material, warehouse=warehouse, quantity=Decimal("2"))
    assert "needs a warehouse" in error_messages(error, "to_warehouse")
    assert StockMovement.objects.count() == 1


@pytest.mark.parametrize("kind", ["receipt", "issue", "adjustment"])
def test_stock_post_refuses_a_destination_except_for_transfers(material, warehouse, kind):
    receive(material, warehouse, "10")
    with pytest.raises(ValidationError) as error:
        services.stock_post(
            kind=kind,
            material=material,
            warehouse=warehouse,
            to_warehouse=WarehouseFactory(),
            quantity=Decimal("1"),
            note="x",
        )
    assert "Only a transfer" in error_messages(error, "to_warehouse")
    assert StockMovement.objects.count() == 1


def test_stock_post_refuses_an_unknown_kind(material, warehouse):
    with pytest.raises(ValidationError) as error:
        services.stock_post(kind="loan", material=material, warehouse=warehouse, quantity=Decimal("1"))
    assert "kind" in error.value.message_dict
    assert not StockMovement.objects.exists()


# --- the ledger ------------------------------------------------------------------------------


def test_ledger_sums_to_on_hand_after_a_mixed_sequence():
    fabric, trim = MaterialFactory(), MaterialFactory()
    main, cutting, sewing = WarehouseFactory(), WarehouseFactory(), WarehouseFactory()
    receive(fabric, main, "500")
    receive(trim, main, "1000")
    services.stock_transfer(material=fabric, from_warehouse=main, to_warehouse=cutting, quantity=Decimal("120.5"))
    services.stock_issue(material=fabric, warehouse=cutting, quantity=Decimal("100"))
    services.stock_adjust(material=fabric, warehouse=cutting, quantity=Decimal("-0.5"), note="Offcuts")
    services.stock_transfer(material=trim, from_warehouse=main, to_warehouse=sewing, quantity=Decimal("400"))
    services.stock_issue(material=trim, warehouse=sewing, quantity=Decimal("399"))
    services.stock_adjust(material=trim, warehouse=main, quantity=Decimal("2"), note="Found a box")
    receive(fabric, main, "10.125")
    with pytest.raises(ValidationError):  # a refusal in the middle leaves no trace
        services.stock_issue(material=trim, warehouse=sewing, quantity=Decimal("2"))
    services.stock_transfer(material=fabric, from_warehouse=cutting, to_warehouse=main, quantity=Decimal("20"))

    assert_ledger_matches_levels()
    levels = {(lv.material_id, lv.warehouse_id): lv.on_hand for lv in StockLevel.objects.all()}
    assert levels == {
        (fabric.pk, main.pk): Decimal("409.625"),
        (fabric.pk, cutting.pk): Decimal("0"),
        (trim.pk, main.pk): Decimal("602"),
        (trim.pk, sewing.pk): Decimal("1"),
    }


def test_ledger_model_refuses_to_save_an_existing_line(material, warehouse):
    movement = receive(material, warehouse, "5")
    movement.quantity = Decimal("50")
    with pytest.raises(ValueError, match="append-only"):
        movement.save()


def test_ledger_database_refuses_update_even_bypassing_the_model(material, warehouse):
    movement = receive(material, warehouse, "5")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        StockMovement.objects.filter(pk=movement.pk).update(quantity=Decimal("50"))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE inventory_stockmovement SET note = 'edited' WHERE id = %s", [movement.id])
    movement.refresh_from_db()
    assert (movement.quantity, movement.note) == (Decimal("5"), "")


def test_ledger_database_refuses_delete_even_bypassing_the_model(material, warehouse):
    movement = receive(material, warehouse, "5")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        StockMovement.objects.filter(pk=movement.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM inventory_stockmovement WHERE id = %s", [movement.id])
    assert StockMovement.objects.filter(pk=movement.pk).exists()


def test_stock_level_database_refuses_negative_on_hand_even_bypassing_services(material, warehouse):
    receive(material, warehouse, "5")
    with pytest.raises(IntegrityError, match="stock_level_not_negative"), transaction.atomic():
        StockLevel.objects.filter(material=material, warehouse=warehouse).update(on_hand=Decimal("-1"))
    assert on_hand(material, warehouse) == Decimal("5")


def test_ledger_database_refuses_a_zero_line_or_a_negative_balance(material, warehouse):
    line = {"material": material, "warehouse": warehouse, "kind": "adjustment"}
    with pytest.raises(IntegrityError, match="movement_quantity_not_zero"), transaction.atomic():
        StockMovement.objects.create(**line, quantity=0, balance_after=0)
    with pytest.raises(IntegrityError, match="movement_balance_not_negative"), transaction.atomic():
        StockMovement.objects.create(**line, quantity=-1, balance_after=-1)
    assert not StockMovement.objects.exists()


# --- master data -------------------------------------------------------------------------------


def test_warehouse_create_saves_a_valid_warehouse():
    warehouse = services.warehouse_create(code="DHK1", name="Dhaka main store")
    assert Warehouse.objects.get(code="DHK1") == warehouse and warehouse.is_active


def test_warehouse_create_refuses_a_duplicate_code_and_a_blank_name():
    WarehouseFactory(code="DHK1")
    with pytest.raises(ValidationError) as error:
        services.warehouse_create(code="DHK1", name="")
    assert set(error.value.message_dict) == {"code", "name"}


def test_warehouse_update_changes_details_but_refuses_the_code():
    warehouse = WarehouseFactory(code="KEEP", name="Old")
    assert services.warehouse_update(warehouse=warehouse, data={"name": "New", "is_active": False}).name == "New"
    with pytest.raises(ValueError, match="code"):
        services.warehouse_update(warehouse=warehouse, data={"code": "OTHER"})
    warehouse.refresh_from_db()
    assert (warehouse.code, warehouse.name, warehouse.is_active) == ("KEEP", "New", False)


def test_material_create_saves_a_valid_material():
    material = services.material_create(code="FAB-001", name="Denim 12oz", kind="fabric", unit="m")
    assert Material.objects.get(code="FAB-001") == material
    assert (material.standard_cost, material.reorder_level, material.is_active) == (0, 0, True)


@pytest.mark.parametrize(
    ("field", "value"),
    [("kind", "leather"), ("unit", "bale"), ("standard_cost", Decimal("-1")), ("reorder_level", Decimal("-1"))],
)
def test_material_create_refuses_invalid_values(field, value):
    data = {"code": "FAB-001", "name": "Denim", "kind": "fabric", "unit": "m", field: value}
    with pytest.raises(ValidationError) as error:
        services.material_create(**data)
    assert field in error.value.message_dict
    assert not Material.objects.exists()


def test_material_update_changes_details_but_refuses_the_code():
    material = MaterialFactory(code="KEEP", reorder_level=Decimal("0"))
    assert services.material_update(material=material, data={"reorder_level": Decimal("50")}).reorder_level == 50
    with pytest.raises(ValueError, match="code"):
        services.material_update(material=material, data={"code": "OTHER"})
    with pytest.raises(ValidationError):
        services.material_update(material=material, data={"kind": "leather"})
    material.refresh_from_db()
    assert (material.code, material.kind, material.reorder_level) == ("KEEP", "fabric", Decimal("50"))
