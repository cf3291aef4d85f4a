"""What staff see in a real browser: the admin, the browsable API and the API docs."""

import pytest

from tests.browser.helpers import log_in_as_staff
from tests.buyers.factories import BuyerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_admin_login_and_buyer_search(page, live_server):
    BuyerFactory(code="ZARA01", name="Zara Espana")
    BuyerFactory(code="NEXT01", name="Next Retail")
    log_in_as_staff(page, live_server)
    page.goto(f"{live_server.url}/admin/buyers/buyer/")
    page.fill("#searchbar", "zara")
    page.press("#searchbar", "Enter")
    page.wait_for_url("**q=zara**")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert "ZARA01" in rows.first.inner_text()


def test_browsable_api_after_login_and_docs_page(page, live_server):
    BuyerFactory(code="HM01", name="H and M")
    log_in_as_staff(page, live_server)
    page.goto(f"{live_server.url}/api/v1/buyers/")
    assert "Buyer List" in page.title() or "Buyer" in page.locator("h1").inner_text()
    assert "HM01" in page.locator(".response-info").inner_text()

    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .information-container")  # drawn by Swagger UI from our static files
    assert "Threadline ERP API" in page.locator(".swagger-ui .title").inner_text()
