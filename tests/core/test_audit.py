"""The audit trail: who changed which record, when and what, for API and admin writes alike."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.buyers.models import Buyer
from apps.core.audit import delete_with_history
from apps.core.models import User
from apps.orders.models import Order, OrderLine
from apps.samples.models import SizeRange, StyleMaterial
from tests.buyers.factories import BuyerFactory
from tests.factories import UserFactory
from tests.inventory.factories import MaterialFactory, WarehouseFactory
from tests.orders.factories import OrderFactory, OrderLineFactory
from tests.purchasing.factories import (
    PurchaseOrderFactory,
    PurchaseOrderLineFactory,
    SupplierFactory,
    SupplierMaterialFactory,
)
from tests.samples.factories import (
    ColourwayFactory,
    MeasurementPointFactory,
    SampleFactory,
    SizeRangeFactory,
    StyleFactory,
    StyleMaterialFactory,
    TechPackFactory,
)

pytestmark = pytest.mark.django_db

BUYER_AUDIT = "/admin/buyers/historicalbuyer/"


def token_client(user) -> APIClient:
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def last_change(model, pk):
    """The newest history row of a record and the field changes against the one before it."""
    newest = model.history.filter(id=pk).first()
    delta = newest.diff_against(newest.prev_record)
    return newest, {change.field: (change.old, change.new) for change in delta.changes}


def test_audit_api_edit_by_token_names_the_user_and_the_changed_fields():
    buyer = BuyerFactory(name="Old Name", email="old@example.com", country="GB")
    user = UserFactory(roles=["merchandiser"])
    before = timezone.now()
    response = token_client(user).patch(
        f"/api/v1/buyers/{buyer.pk}/", {"name": "New Name", "email": "new@example.com"}, format="json"
    )
    assert response.status_code == 200, response.content
    entry, changes = last_change(Buyer, buyer.pk)
    assert (entry.history_type, entry.history_user) == ("~", user)
    assert before <= entry.history_date <= timezone.now()
    assert entry.history_change_reason == f"PATCH /api/v1/buyers/{buyer.pk}/"
    assert changes == {"name": ("Old Name", "New Name"), "email": ("old@example.com", "new@example.com")}


def test_audit_api_edit_by_session_names_the_user():
    buyer = BuyerFactory(payment_terms="net_60")
    user = UserFactory(roles=["merchandiser"])
    client = APIClient()
    client.force_login(user)
    response = client.patch(f"/api/v1/buyers/{buyer.pk}/", {"payment_terms": "net_30"}, format="json")
    assert response.status_code == 200, response.content
    entry, changes = last_change(Buyer, buyer.pk)
    assert (entry.history_type, entry.history_user, changes) == ("~", user, {"payment_terms": ("net_60", "net_30")})


def test_audit_records_a_create_with_its_user_and_a_write_outside_a_request_without_one():
    user = UserFactory(roles=["merchandiser"])
    response = token_client(user).post(
        "/api/v1/buyers/", {"code": "AUD1", "name": "Audited", "country": "GB", "currency": "GBP"}, format="json"
    )
    assert response.status_code == 201, response.content
    created = Buyer.history.get(code="AUD1")
    assert (created.history_type, created.history_user, created.name) == ("+", user, "Audited")
    assert BuyerFactory().history.get().history_user is None  # a script or task: no request, no user


def test_audit_admin_edit_names_the_user_and_the_changed_fields(staff_client):
    buyer = BuyerFactory(name="Before", currency="GBP")
    form = {
        "name": "After",
        "company": buyer.company,
        "is_active": "on",
        "country": buyer.country,
        "currency": "EUR",
        "payment_terms": buyer.payment_terms,
        "email": buyer.email,
    }
    response = staff_client.post(f"/admin/buyers/buyer/{buyer.pk}/change/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry, changes = last_change(Buyer, buyer.pk)
    assert entry.history_user.username == "admin"
    assert entry.history_change_reason == f"POST /admin/buyers/buyer/{buyer.pk}/change/"
    assert changes == {"name": ("Before", "After"), "currency": ("GBP", "EUR")}


def test_audit_admin_bulk_deactivation_records_each_buyer(staff_client):
    buyers = BuyerFactory.create_batch(2, is_active=True)
    staff_client.post("/admin/buyers/buyer/", {"action": "deactivate", "_selected_action": [b.pk for b in buyers]})
    for buyer in buyers:
        entry, changes = last_change(Buyer, buyer.pk)
        assert (entry.history_user.username, changes) == ("admin", {"is_active": (True, False)})


def test_audit_order_created_with_lines_through_the_api_records_the_lines():
    style = StyleFactory()
    user = UserFactory(roles=["sales"])
    lines = [
        {"style": style.pk, "colour": "Navy", "size": "M", "quantity": 120, "unit_price": "6.40"},
        {"style": style.pk, "colour": "Navy", "size": "L", "quantity": 80, "unit_price": "6.60"},
    ]
    body = {"buyer": style.buyer_id, "ship_date": "2027-03-01", "lines": lines}
    response = token_client(user).post("/api/v1/orders/", body, format="json")
    assert response.status_code == 201, response.content
    order = Order.objects.get(pk=response.json()["id"])
    assert list(order.history.values_list("history_type", "history_user")) == [("+", user.pk)]
    recorded = OrderLine.history.filter(order_id=order.pk).order_by("size")
    assert [(row.history_type, row.history_user, row.size, row.quantity) for row in recorded] == [
        ("+", user, "L", 80),
        ("+", user, "M", 120),
    ]
    assert {row.id for row in recorded} == set(order.lines.values_list("pk", flat=True))
    assert {row.history_change_reason for row in recorded} == {"POST /api/v1/orders/"}


def test_audit_replacing_order_lines_records_removals_and_additions():
    style = StyleFactory()
    user = UserFactory(roles=["sales"])
    client = token_client(user)
    line = {"style": style.pk, "colour": "Navy", "size": "M", "quantity": 10, "unit_price": "1.00"}
    order_id = client.post(
        "/api/v1/orders/", {"buyer": style.buyer_id, "ship_date": "2027-03-01", "lines": [line]}, format="json"
    ).json()["id"]
    (old_line,) = OrderLine.objects.filter(order_id=order_id)
    response = client.patch(f"/api/v1/orders/{order_id}/", {"lines": [{**line, "quantity": 12}]}, format="json")
    assert response.status_code == 200, response.content
    rows = OrderLine.history.filter(order_id=order_id)
    removed = rows.get(history_type="-")
    assert (removed.id, removed.quantity, removed.history_user) == (old_line.pk, 10, user)
    assert list(rows.filter(history_type="+").values_list("quantity", flat=True).order_by("history_id")) == [10, 12]


def test_audit_replacing_lines_writes_history_in_the_same_statements_for_2_and_20_lines():
    style = StyleFactory()
    client = token_client(UserFactory(roles=["sales"]))

    skus = [(colour, size) for colour in ("Navy", "White", "Black", "Red") for size in ("XS", "S", "M", "L", "XL")]

    def lines(count):
        return [
            {"style": style.pk, "colour": colour, "size": size, "quantity": 1, "unit_price": "1.00"}
            for colour, size in skus[:count]
        ]

    counts = []
    for count in (2, 20):
        order_id = client.post(
            "/api/v1/orders/", {"buyer": style.buyer_id, "ship_date": "2027-03-01", "lines": lines(count)}
        ).json()["id"]
        with CaptureQueriesContext(connection) as queries:
            assert client.patch(f"/api/v1/orders/{order_id}/", {"lines": lines(count)}).status_code == 200
        counts.append(sum("historical" in query["sql"] for query in queries))
    assert counts == [2, 2]  # the removed lines in one INSERT, the new ones in another


def test_audit_style_bill_of_materials_replaced_through_the_api_is_recorded():
    style = StyleFactory()
    old = StyleMaterialFactory(style=style)
    new_material = MaterialFactory()
    user = UserFactory(roles=["merchandiser"])
    materials = [{"material": new_material.pk, "consumption_per_piece": "0.5000", "wastage_percent": "2.00"}]
    response = token_client(user).patch(f"/api/v1/styles/{style.pk}/", {"materials": materials}, format="json")
    assert response.status_code == 200, response.content
    rows = StyleMaterial.history.filter(style_id=style.pk, history_user=user)
    assert sorted((row.history_type, row.material_id) for row in rows) == sorted(
        [("-", old.material_id), ("+", new_material.pk)]
    )


def test_audit_delete_with_history_writes_one_row_per_deleted_line_in_one_insert():
    order = OrderFactory()
    OrderLineFactory.create_batch(3, order=order)
    with CaptureQueriesContext(connection) as queries:
        assert delete_with_history(order.lines.all()) == 3
    inserts = [query["sql"] for query in queries if query["sql"].startswith('INSERT INTO "orders_historicalorderline"')]
    assert len(inserts) == 1
    assert OrderLine.history.filter(order_id=order.pk, history_type="-").count() == 3


def test_audit_history_page_of_a_record_shows_the_change_and_the_user(staff_client):
    buyer = BuyerFactory(name="Plain Name")
    editor = UserFactory(username="editor", roles=["merchandiser"])
    token_client(editor).patch(f"/api/v1/buyers/{buyer.pk}/", {"name": "Fancy Name"}, format="json")
    response = staff_client.get(f"/admin/buyers/buyer/{buyer.pk}/history/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Plain Name" in page and "Fancy Name" in page and "editor" in page
    (newest, *_) = response.context["page_obj"]
    assert [change["field"] for change in newest.history_delta_changes] == ["Name"]


def test_audit_history_page_of_an_order_links_to_its_line_changes(staff_client):
    order = OrderLineFactory().order
    response = staff_client.get(f"/admin/orders/order/{order.pk}/history/")
    assert response.status_code == 200
    assert f"/admin/orders/historicalorderline/?order={order.pk}" in response.content.decode()
    lines = staff_client.get("/admin/orders/historicalorderline/", {"order": order.pk})
    assert [row.order_id for row in lines.context["cl"].result_list] == [order.pk]


def test_audit_stored_versions_can_be_viewed_but_not_reverted(staff_client):
    buyer = BuyerFactory(name="Original")
    version = buyer.history.get()
    buyer.name = "Changed"
    buyer.save()
    url = f"/admin/buyers/buyer/{buyer.pk}/history/{version.history_id}/"
    assert staff_client.get(url).status_code == 200
    assert staff_client.post(url, {"name": "Original"}).status_code == 403
    buyer.refresh_from_db()
    assert buyer.name == "Changed"


def test_audit_changelist_shows_who_changed_what(staff_client):
    buyer = BuyerFactory(name="Alpha")
    editor = UserFactory(username="editor", roles=["merchandiser"])
    token_client(editor).patch(f"/api/v1/buyers/{buyer.pk}/", {"name": "Beta"}, format="json")
    response = staff_client.get(BUYER_AUDIT)
    newest = response.context["cl"].result_list[0]
    assert (newest.history_type, newest.history_user, [c.field for c in newest.audit_changes]) == (
        "~",
        editor,
        ["name"],
    )
    page = response.content.decode()
    assert "Alpha" in page and "Beta" in page and f"/admin/buyers/buyer/{buyer.pk}/history/" in page


def test_audit_changelist_filters_by_user_and_by_date(staff_client):
    first, second = UserFactory(roles=["merchandiser"]), UserFactory(roles=["merchandiser"])
    buyers = BuyerFactory.create_batch(3)
    for user, buyer in [(first, buyers[0]), (second, buyers[1]), (first, buyers[2])]:
        token_client(user).patch(f"/api/v1/buyers/{buyer.pk}/", {"name": f"By {user.username}"}, format="json")
    old = Buyer.history.get(id=buyers[2].pk, history_type="~")
    Buyer.history.filter(pk=old.pk).update(history_date=timezone.now() - datetime.timedelta(days=40))

    def shown(params):
        response = staff_client.get(BUYER_AUDIT, params)
        assert response.status_code == 200
        return sorted((row.id, row.history_type) for row in response.context["cl"].result_list)

    assert shown({"history_user__id__exact": first.pk}) == [(buyers[0].pk, "~"), (buyers[2].pk, "~")]
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    recent = {  # what the filter's "Past 7 days" link sends
        "history_date__gte": str(today - datetime.timedelta(days=7)),
        "history_date__lt": str(today + datetime.timedelta(days=1)),
    }
    assert shown({**recent, "history_user__id__exact": first.pk}) == [(buyers[0].pk, "~")]
    assert (buyers[2].pk, "~") not in shown({**recent, "history_type": "~"})


def test_audit_changelist_is_readable_by_whoever_may_view_the_model(client):
    BuyerFactory()
    viewer = UserFactory(roles=["viewer"], is_staff=True)
    client.force_login(viewer)
    assert client.get(BUYER_AUDIT).status_code == 200
    assert client.get("/admin/core/historicaluser/").status_code == 403  # staff accounts: not a viewer's business


def test_audit_user_history_records_group_changes_but_neither_password_nor_logins(client):
    user = UserFactory(roles=["viewer"])
    first = user.history.order_by("history_id").first()
    _, changes = last_change(User, user.pk)
    assert list(changes) == ["groups"]
    assert "password" not in {field.name for field in User.history.model._meta.fields}
    count = user.history.count()
    assert client.login(username=user.username, password="s3cret-pass!")  # stamps last_login
    assert user.history.count() == count
    assert first.history_type == "+"


def test_audit_user_admin_change_of_groups_shows_in_the_trail(staff_client):
    from django.contrib.auth.models import Group

    user = UserFactory(roles=["viewer"])
    form = {
        "username": user.username,
        "email": user.email,
        "is_active": "on",
        "groups": [Group.objects.get(name="sales").pk],
        "date_joined_0": "2026-11-01",
        "date_joined_1": "10:00:00",
        "initial-date_joined_0": "2026-11-01",
        "initial-date_joined_1": "10:00:00",
    }
    response = staff_client.post(f"/admin/core/user/{user.pk}/change/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    trail = staff_client.get("/admin/core/historicaluser/", {"id": user.pk})
    changed = {change.field for row in trail.context["cl"].result_list for change in row.audit_changes}
    assert "groups" in changed
    by_admin = [
        row for row in trail.context["cl"].result_list if row.history_user and row.history_user.username == "admin"
    ]
    assert "groups" in {change.field for row in by_admin for change in row.audit_changes}


def _changed(factory):
    def make(count):
        for _ in range(count):
            row = factory()
            row.save()  # a second history row, so each page row is compared with a previous one

    return make


# Per changelist: session user, the user filter's choices, estimated count, count, page, previous
# rows (and for users the groups and permissions of those rows).
AUDIT_CHANGELISTS = [
    ("buyers/historicalbuyer", _changed(BuyerFactory), 6),
    ("inventory/historicalwarehouse", _changed(WarehouseFactory), 6),
    ("inventory/historicalmaterial", _changed(MaterialFactory), 6),
    ("samples/historicalstyle", _changed(StyleFactory), 6),
    ("samples/historicalstylematerial", _changed(StyleMaterialFactory), 6),
    ("samples/historicalsample", _changed(SampleFactory), 6),
    ("samples/historicalsizerange", _changed(lambda: SizeRangeFactory(code=f"R{SizeRange.objects.count()}")), 6),
    ("samples/historicalcolourway", _changed(ColourwayFactory), 6),
    ("samples/historicaltechpack", _changed(TechPackFactory), 6),
    ("samples/historicalmeasurementpoint", _changed(MeasurementPointFactory), 6),
    ("orders/historicalorder", _changed(OrderFactory), 6),
    ("orders/historicalorderline", _changed(OrderLineFactory), 6),
    ("purchasing/historicalsupplier", _changed(SupplierFactory), 6),
    ("purchasing/historicalsuppliermaterial", _changed(SupplierMaterialFactory), 6),
    ("purchasing/historicalpurchaseorder", _changed(PurchaseOrderFactory), 6),
    ("purchasing/historicalpurchaseorderline", _changed(PurchaseOrderLineFactory), 6),
    ("core/historicaluser", lambda count: UserFactory.create_batch(count, roles=["viewer"]), 8),
]


@pytest.mark.parametrize(
    ("path", "make_rows", "ceiling"), AUDIT_CHANGELISTS, ids=[path for path, *_ in AUDIT_CHANGELISTS]
)
def test_audit_changelist_query_count_is_the_same_for_5_and_50_rows(
    staff_client, assert_queries_constant, path, make_rows, ceiling
):
    assert_queries_constant(staff_client, f"/admin/{path}/", make_rows, ceiling=ceiling)


AUDITED_ADMINS = [
    ("buyers/buyer", BuyerFactory),
    ("inventory/warehouse", WarehouseFactory),
    ("inventory/material", MaterialFactory),
    ("samples/style", StyleFactory),
    ("samples/sample", SampleFactory),
    ("samples/sizerange", SizeRangeFactory),
    ("samples/techpack", TechPackFactory),
    ("orders/order", lambda: OrderLineFactory().order),
    ("purchasing/supplier", SupplierFactory),
    ("purchasing/suppliermaterial", SupplierMaterialFactory),
    ("purchasing/purchaseorder", lambda: PurchaseOrderLineFactory().purchase_order),
    ("core/user", lambda: UserFactory(roles=["viewer"])),
]


@pytest.mark.parametrize(("path", "make"), AUDITED_ADMINS, ids=[path for path, _ in AUDITED_ADMINS])
def test_audit_history_page_and_stored_versions_render_for_every_audited_admin(staff_client, path, make):
    record = make()
    record.save()
    response = staff_client.get(f"/admin/{path}/{record.pk}/history/")
    assert response.status_code == 200
    assert len(response.context["page_obj"]) >= 2
    oldest = record.history.order_by("history_id").first()
    assert staff_client.get(f"/admin/{path}/{record.pk}/history/{oldest.history_id}/").status_code == 200


def test_audit_of_purchase_orders_leaves_out_totals_and_received_quantities():
    line = PurchaseOrderLineFactory(quantity=Decimal("10"))
    fields = {field.name for field in line.history.model._meta.fields}
    assert "received_quantity" not in fields and "quantity" in fields
    assert "total" not in {field.name for field in line.purchase_order.history.model._meta.fields}
