"""The content security policy in a real browser: staff pages work under it and it blocks nothing they need.

Chromium reports every refused script, style or image as a `securitypolicyviolation` event on the
document; the pages below must raise none, and still do their job (charts drawn, autocomplete
opened, the order grid drawn, Swagger UI listing the operations).
"""

import pytest

from tests.browser.helpers import log_in_as_staff, pick
from tests.buyers.factories import BuyerFactory
from tests.samples.factories import StyleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Collects violations from the moment each document starts, before any of its own scripts run.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", event => {
    const where = `${event.sourceFile}:${event.lineNumber}`;
    window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
});
"""


@pytest.fixture
def staff_page(page, live_server):
    page.add_init_script(RECORD_VIOLATIONS)
    log_in_as_staff(page, live_server)
    return page


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def test_admin_pages_work_under_the_policy(staff_page, live_server):
    page = staff_page
    BuyerFactory(code="ZARA01", name="Zara Espana")
    StyleFactory(code="POLO-1")
    assert page.evaluate("document.contentType") == "text/html"
    assert violations(page) == []

    page.goto(f"{live_server.url}/admin/orders/order/add/")
    pick(page, "id_buyer", "ZARA01")  # the buyer autocomplete (select2, jQuery)
    pick(page, "id_blocks-0-style", "POLO-1")  # the order grid's script fetches and draws the style's table
    page.wait_for_selector(".order-grid-table input")
    assert violations(page) == []

    page.goto(f"{live_server.url}/admin/dashboard/")
    page.wait_for_function("() => typeof Chart !== 'undefined' && Chart.getChart('chart-orders-status') !== undefined")
    assert violations(page) == []


def test_swagger_ui_and_the_browsable_api_work_under_the_policy(staff_page, live_server):
    page = staff_page
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock")  # operations listed: the inline start-up script ran
    assert page.locator(".swagger-ui .opblock").count() > 50
    assert violations(page) == []

    page.goto(f"{live_server.url}/api/v1/buyers/")
    page.wait_for_selector(".response-info")
    assert violations(page) == []

    page.click(".navbar .dropdown-toggle")  # log out from the browsable API: a plain form, no inline script
    page.click("#logoutForm button")
    page.wait_for_load_state()
    assert page.goto(f"{live_server.url}/api/v1/buyers/").status == 401  # signed out
    assert violations(page) == []
