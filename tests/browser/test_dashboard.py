"""The staff dashboard in a real browser: Chart.js (from our own static files) draws every chart,
the tables list what is late or short, and a screenshot is kept among the test artefacts."""

import datetime
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from apps.orders.choices import OrderStatus
from apps.samples.choices import SampleStatus, SampleType
from tests.browser.helpers import log_in_as_staff
from tests.inventory.factories import MaterialFactory, ReceiptFactory, WarehouseFactory
from tests.orders.factories import OrderFactory
from tests.samples.factories import SampleFactory, StyleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Screenshots and other files for people to look at after a run (var/ is not committed).
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS_DIR", settings.BASE_DIR / "var" / "test-artifacts"))
CANVASES = ["chart-orders-status", "chart-orders-month", "chart-orders-value", "chart-samples-pipeline"]
ALL_DRAWN = """ids => ids.every(id => {
    const canvas = document.getElementById(id);
    return canvas !== null && Chart.getChart(canvas) !== undefined && canvas.width > 0 && canvas.height > 0;
})"""


@pytest.fixture
def busy_world():
    """Orders over the last year in two currencies, a sample pipeline with some late, some materials short."""
    today = timezone.localdate()
    # (months back at most, the two statuses orders of that age are in)
    ages = [
        (0, (OrderStatus.DRAFT, OrderStatus.CONFIRMED)),
        (2, (OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION)),
        (5, (OrderStatus.IN_PRODUCTION, OrderStatus.SHIPPED)),
        (11, (OrderStatus.SHIPPED, OrderStatus.CLOSED)),
    ]
    for months_back in range(12):
        index = today.year * 12 + today.month - 1 - months_back
        month = datetime.date(index // 12, index % 12 + 1, 1)
        for number in range(2 + (months_back * 7) % 5):
            OrderFactory(
                status=next(statuses for limit, statuses in ages if months_back <= limit)[number % 2],
                order_date=month,
                ship_date=month + datetime.timedelta(days=75),
                currency="USD" if number % 3 else "EUR",
                total=Decimal(1500 + 700 * number + 90 * months_back),
            )
    OrderFactory(status=OrderStatus.CANCELLED, order_date=today, ship_date=today, total=Decimal(800))

    style = StyleFactory(code="POLO-1", name="Pique polo")
    late = [
        SampleFactory(
            style=style,
            type=SampleType.PROTO,
            status=SampleStatus.REQUESTED,
            due_date=today - datetime.timedelta(days=12),
        ),
        SampleFactory(
            style=style,
            type=SampleType.FIT,
            status=SampleStatus.IN_PROGRESS,
            due_date=today - datetime.timedelta(days=4),
        ),
        SampleFactory(
            style=style, type=SampleType.PP, status=SampleStatus.SUBMITTED, due_date=today - datetime.timedelta(days=1)
        ),
    ]
    for status, count in [
        (SampleStatus.REQUESTED, 4),
        (SampleStatus.IN_PROGRESS, 6),
        (SampleStatus.SUBMITTED, 3),
        (SampleStatus.APPROVED, 7),
        (SampleStatus.REJECTED, 2),
    ]:
        SampleFactory.create_batch(count, style=style, status=status, due_date=today + datetime.timedelta(days=9))

    warehouse = WarehouseFactory()
    for code, level, on_hand in [("TWILL-NAVY", "500", "120"), ("BTN-18L", "2000", "1500"), ("ZIP-5", "300", "0")]:
        material = MaterialFactory(code=code, reorder_level=Decimal(level))
        if Decimal(on_hand):
            ReceiptFactory(material=material, warehouse=warehouse, quantity=Decimal(on_hand))
    ReceiptFactory(material=MaterialFactory(code="POLY-BAG", reorder_level=Decimal("100")), warehouse=warehouse)
    return {"late": late}


def test_dashboard_draws_its_charts_from_our_static_files(page, live_server, busy_world):
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Every file the page needs is served (the browser's own favicon.ico guess aside).
    page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico") and errors.append(r.url))
    page.set_viewport_size({"width": 1400, "height": 900})
    page.emulate_media(reduced_motion="reduce")  # no animation: the screenshot shows the finished charts
    log_in_as_staff(page, live_server)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "admin-index.png")

    page.click("#dashboard-link a.button")  # the way in from the admin index
    page.wait_for_url("**/admin/dashboard/")
    page.wait_for_function(ALL_DRAWN, arg=CANVASES)

    assert page.locator("#figure-samples-overdue").inner_text() == "3"
    assert page.locator("#figure-stock-low").inner_text() == "3"
    overdue = page.locator("#overdue-samples tbody tr")
    assert overdue.count() == 3
    assert [overdue.nth(i).locator("td").first.inner_text() for i in range(3)] == [s.number for s in busy_world["late"]]
    assert overdue.first.locator("td").last.inner_text() == "12"
    low = page.locator("#low-stock tbody tr")
    assert [low.nth(i).locator("td").first.inner_text() for i in range(3)] == ["BTN-18L", "TWILL-NAVY", "ZIP-5"]

    # The status chart has a bar per status; the value chart switches currency without a reload.
    assert page.evaluate("Chart.getChart('chart-orders-status').data.labels.length") == len(OrderStatus)
    assert page.evaluate("Chart.getChart('chart-orders-value').data.datasets[0].label") == "USD"
    page.select_option("#orders-value-currency", "EUR")
    assert page.evaluate("Chart.getChart('chart-orders-value').data.datasets[0].label") == "EUR"
    page.select_option("#orders-value-currency", "USD")

    page.screenshot(path=ARTIFACTS / "dashboard.png", full_page=True)
    page.emulate_media(color_scheme="dark", reduced_motion="reduce")  # the admin's dark theme, charts included
    page.reload()
    page.wait_for_function(ALL_DRAWN, arg=CANVASES)
    page.screenshot(path=ARTIFACTS / "dashboard-dark.png", full_page=True)
    assert not errors, errors
    assert all(url.startswith(live_server.url) for url in requests), [u for u in requests if live_server.url not in u]

    # A late sample's row leads to its admin page.
    overdue.first.locator("a").click()
    page.wait_for_url(f"**/admin/samples/sample/{busy_world['late'][0].pk}/change/")
