"""The staff dashboard in the admin: its figures, who sees it, its query count and its cache."""

import datetime
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.orders.choices import OrderStatus
from apps.orders.milestones import order_milestone_update
from apps.reports.dashboard import TOP_ROWS, dashboard_data
from apps.samples.choices import SampleStatus
from tests.factories import UserFactory
from tests.inventory.factories import MaterialFactory, ReceiptFactory, WarehouseFactory
from tests.orders.factories import OrderFactory, order_with_milestones
from tests.samples.factories import SampleFactory, StyleFactory

pytestmark = pytest.mark.django_db

URL = "/admin/dashboard/"
CANVASES = ["chart-orders-status", "chart-orders-month", "chart-orders-value", "chart-samples-pipeline"]


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def month_start(months_back: int) -> datetime.date:
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - months_back
    return datetime.date(index // 12, index % 12 + 1, 1)


def order(status=OrderStatus.DRAFT, *, on: datetime.date, total="0", currency="GBP"):
    return OrderFactory(
        status=status,
        order_date=on,
        ship_date=on + datetime.timedelta(days=60),
        total=Decimal(total),
        currency=currency,
    )


@pytest.fixture
def figures():
    """A small world with known figures: orders in three months, three overdue samples, two materials short."""
    order(on=month_start(0), total="100.00")
    order(on=month_start(0), total="50.50")
    order(OrderStatus.CONFIRMED, on=month_start(1), total="200.00", currency="USD")
    order(OrderStatus.IN_PRODUCTION, on=month_start(1), total="10.00")
    order(OrderStatus.CANCELLED, on=month_start(0), total="999.00")  # counted by status, never by month
    order(OrderStatus.CLOSED, on=month_start(14), total="70.00")  # older than the 12 months

    style = StyleFactory(code="POLO-1", name="Pique polo")
    overdue = [
        SampleFactory(style=style, status=SampleStatus.REQUESTED, due_date=days(-10)),
        SampleFactory(style=style, status=SampleStatus.IN_PROGRESS, due_date=days(-5)),
        SampleFactory(style=style, status=SampleStatus.SUBMITTED, due_date=days(-1)),
    ]
    SampleFactory(style=style, status=SampleStatus.APPROVED, due_date=days(-30))  # decided: never overdue
    SampleFactory(style=style, status=SampleStatus.REQUESTED, due_date=days(0))  # due today: not yet
    SampleFactory(style=style, status=SampleStatus.REQUESTED, due_date=None)

    warehouse, other = WarehouseFactory(), WarehouseFactory()
    short = MaterialFactory(code="TWILL", reorder_level=Decimal("100"))
    ReceiptFactory(material=short, warehouse=warehouse, quantity=Decimal("20"))
    ReceiptFactory(material=short, warehouse=other, quantity=Decimal("10"))  # 30 on hand over both: short by 70
    empty = MaterialFactory(code="BUTTON", reorder_level=Decimal("50"))  # no stock at all: short by 50
    enough = MaterialFactory(code="ZIP", reorder_level=Decimal("10"))
    ReceiptFactory(material=enough, warehouse=warehouse, quantity=Decimal("10"))  # at the level: not low
    MaterialFactory(code="LABEL", reorder_level=Decimal("0"))  # no reorder level
    MaterialFactory(code="OLD", reorder_level=Decimal("100"), is_active=False)
    return {"overdue": overdue, "short": short, "empty": empty}


def test_dashboard_data_orders_by_status_and_month(figures):
    orders = dashboard_data(["orders"])["orders"]
    assert {row["status"]: row["count"] for row in orders["by_status"]} == {
        "draft": 2,
        "confirmed": 1,
        "in_production": 1,
        "shipped": 0,
        "closed": 1,
        "cancelled": 1,
    }
    assert orders["total"] == 6
    assert orders["open"] == 2
    assert len(orders["months"]) == 12
    assert orders["months"][-1]["month"] == month_start(0).strftime("%Y-%m")
    assert orders["count_by_month"] == [0] * 10 + [2, 2]
    assert orders["this_month"] == 2
    # The currency with the most orders first; values are never added across currencies.
    assert list(orders["value_by_month"]) == ["GBP", "USD"]
    assert orders["value_by_month"]["GBP"][-2:] == [10.0, 150.5]
    assert orders["value_by_month"]["USD"][-2:] == [200.0, 0.0]


def test_dashboard_data_sample_pipeline_and_overdue(figures):
    samples = dashboard_data(["samples"])["samples"]
    pipeline = {row["status"]: row for row in samples["pipeline"]}
    assert pipeline["requested"] == {
        "status": "requested",
        "label": "Requested",
        "count": 3,
        "overdue": 1,
        "on_schedule": 2,
        "decided": 0,
    }
    assert (pipeline["approved"]["count"], pipeline["approved"]["overdue"], pipeline["approved"]["decided"]) == (
        1,
        0,
        1,
    )
    assert samples["total"] == 6
    assert samples["open"] == 5
    assert samples["overdue_total"] == 3
    # Oldest first, with how late each one is.
    assert [row["number"] for row in samples["overdue"]] == [sample.number for sample in figures["overdue"]]
    assert [row["days_overdue"] for row in samples["overdue"]] == [10, 5, 1]
    assert samples["overdue"][0]["style"] == "POLO-1 - Pique polo"


def test_dashboard_data_low_stock_is_summed_over_warehouses(figures):
    stock = dashboard_data(["stock"])["stock"]
    assert stock["low_total"] == 2
    assert [(row["code"], row["on_hand"], row["shortfall"]) for row in stock["low"]] == [
        ("TWILL", Decimal("30"), Decimal("70")),
        ("BUTTON", Decimal("0"), Decimal("50")),
    ]


def test_dashboard_tables_show_the_oldest_rows_and_the_total():
    style = StyleFactory()
    SampleFactory.create_batch(TOP_ROWS + 2, style=style, due_date=days(-3))
    oldest = SampleFactory(style=style, due_date=days(-40))
    samples = dashboard_data(["samples"])["samples"]
    assert samples["overdue_total"] == TOP_ROWS + 3
    assert len(samples["overdue"]) == TOP_ROWS
    assert samples["overdue"][0]["number"] == oldest.number


def test_dashboard_page_renders_charts_and_tables_for_staff(staff_client, figures):
    response = staff_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for canvas in CANVASES:
        assert f'id="{canvas}"' in html
    assert 'id="dashboard-data"' in html  # the charts' figures, as JSON
    assert "/static/vendor/chartjs/chart.umd.min.js" in html and "/static/reports/dashboard.js" in html
    assert '<span class="figure-value" id="figure-samples-overdue">3</span>' in html
    assert '<span class="figure-value" id="figure-stock-low">2</span>' in html
    for sample in figures["overdue"]:
        assert f'href="/admin/samples/sample/{sample.pk}/change/"' in html
    assert f'href="/admin/inventory/material/{figures["short"].pk}/change/"' in html
    assert response.context["charts"]["orders"]["count_by_month"][-1] == 2


def test_dashboard_links_list_what_it_counts(staff_client, figures):
    html = unescape(staff_client.get(URL).content.decode())
    overdue_link = f"/admin/samples/sample/?due_date__lt={timezone.localdate().isoformat()}&status__in="
    assert overdue_link in html
    # The admin lists accept those filters and show the same rows.
    query = html.split(overdue_link, 1)[1].split('"', 1)[0]
    listed = staff_client.get(overdue_link + query)
    assert listed.status_code == 200
    assert {sample.number for sample in listed.context["cl"].result_list} == {s.number for s in figures["overdue"]}
    low = staff_client.get("/admin/inventory/material/?below_reorder=yes&is_active__exact=1")
    assert {material.code for material in low.context["cl"].result_list} == {"TWILL", "BUTTON"}


def test_dashboard_is_linked_from_the_admin_index(staff_client):
    html = staff_client.get("/admin/").content.decode()
    assert 'id="dashboard-link"' in html and 'href="/admin/dashboard/"' in html
    assert 'id="content-main"' in html  # the app list is still there


def test_dashboard_requires_staff(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    client.force_login(UserFactory(is_staff=False))
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_dashboard_shows_only_the_blocks_the_user_may_view(client, figures):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="inventory", codename="view_material"))
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    assert set(response.context["data"]) == {"stock"}
    html = response.content.decode()
    assert 'id="low-stock"' in html
    assert "chart-orders-status" not in html and 'id="overdue-samples"' not in html


def test_dashboard_query_count_is_constant(staff_client, assert_queries_constant):
    style, warehouse = StyleFactory(), WarehouseFactory()

    def make(n):
        for index in range(n):
            order(OrderStatus.CONFIRMED, on=month_start(index % 12), total="10.00")
            order_with_milestones(ordered_days_ago=100 + index)
            SampleFactory(style=style, due_date=days(-1 - index))
            material = MaterialFactory(reorder_level=Decimal("100"))
            ReceiptFactory(material=material, warehouse=warehouse, quantity=Decimal(index + 1))

    counts = assert_queries_constant(staff_client, URL, make, ceiling=9)
    print(f"dashboard queries (5 and 50 of each): {counts}")


def test_dashboard_second_request_is_served_from_the_cache(staff_client, figures):
    staff_client.get("/admin/")  # the session and the permission set are cached now too
    with CaptureQueriesContext(connection) as first:
        staff_client.get(URL)
    with CaptureQueriesContext(connection) as second:
        response = staff_client.get(URL)
    assert response.status_code == 200
    tables = ("orders_order", "samples_sample", "inventory_material", "inventory_stocklevel")
    assert not [query["sql"] for query in second if any(table in query["sql"] for table in tables)]
    assert len(second) < len(first)
    print(f"dashboard queries: first {len(first)}, cached {len(second)}")


def test_dashboard_cache_is_invalidated_by_a_write(staff_client, figures):
    assert staff_client.get(URL).context["data"]["samples"]["overdue_total"] == 3
    SampleFactory(status=SampleStatus.REQUESTED, due_date=days(-2))
    assert staff_client.get(URL).context["data"]["samples"]["overdue_total"] == 4
    ReceiptFactory(material=figures["empty"], warehouse=WarehouseFactory(), quantity=Decimal("50"))
    assert staff_client.get(URL).context["data"]["stock"]["low_total"] == 1


def test_dashboard_data_refresh_recomputes_whatever_is_cached(figures):
    before = dashboard_data()
    assert dashboard_data()["orders"]["computed_at"] == before["orders"]["computed_at"]
    refreshed = dashboard_data(refresh=True)
    assert refreshed["orders"]["computed_at"] > before["orders"]["computed_at"]
    assert set(refreshed) == {"orders", "samples", "milestones", "stock"}


def test_dashboard_lists_the_oldest_late_milestones_with_links_to_their_orders(staff_client):
    oldest = order_with_milestones(ships_in_days=-10, ordered_days_ago=120)  # all seven steps past their plan
    newer = order_with_milestones()  # five past their plan
    order_with_milestones(status=OrderStatus.CANCELLED)  # no longer in hand: none late

    milestones = dashboard_data(["milestones"])["milestones"]
    assert milestones["late_total"] == 12
    assert len(milestones["late"]) == TOP_ROWS
    first = milestones["late"][0]
    assert (first["order"], first["buyer"], first["milestone"], first["days_late"]) == (
        oldest.number,
        oldest.buyer.code,
        "Fabric booked",
        100,
    )
    assert [row["days_late"] for row in milestones["late"]] == sorted(
        (row["days_late"] for row in milestones["late"]), reverse=True
    )

    html = unescape(staff_client.get(URL).content.decode())
    assert '<span class="figure-value" id="figure-milestones-late">12</span>' in html
    assert f'href="/admin/orders/order/{oldest.pk}/change/"' in html
    assert f'href="/admin/orders/order/{newer.pk}/change/"' in html
    # "List them all" shows the same milestones in the admin.
    listed = staff_client.get("/admin/orders/ordermilestone/?state=late").context["cl"].result_list
    assert len(listed) == 12


def test_dashboard_late_milestones_follow_a_recorded_actual_date(staff_client):
    order = order_with_milestones()
    assert staff_client.get(URL).context["data"]["milestones"]["late_total"] == 5
    fabric = order.milestones.get(template__code="fabric_booked")
    order_milestone_update(milestone=fabric, data={"actual_date": days(-70)})
    assert staff_client.get(URL).context["data"]["milestones"]["late_total"] == 4
