"""The T&A calendar over the API: an order's milestones, the cross-order list and its filters, and
recording actual dates."""

import datetime

import pytest
from django.utils import timezone

from apps.orders.models import OrderMilestone
from tests.helpers import assert_error_shape
from tests.orders.factories import order_with_milestones

pytestmark = pytest.mark.django_db

MILESTONES = "/api/v1/order-milestones/"
IN_PLAN_ORDER = [
    "fabric_booked",
    "lab_dip_approved",
    "pp_sample_approved",
    "production_start",
    "inline_inspection",
    "final_inspection",
    "ex_factory",
]


def days(n: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


def row(order, code: str) -> OrderMilestone:
    return order.milestones.get(template__code=code)


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    return [milestone["template_code"] for milestone in response.json()["results"]]


def test_an_order_s_milestones_in_plan_order(client_for):
    order = order_with_milestones()
    response = client_for("viewer").get(f"/api/v1/orders/{order.pk}/milestones/")
    assert response.status_code == 200
    body = response.json()
    assert [m["template_code"] for m in body] == IN_PLAN_ORDER
    first = body[0]
    assert first["order_number"] == order.number and first["buyer_code"] == order.buyer.code
    assert (first["planned_date"], first["actual_date"], first["state"], first["days_late"]) == (
        days(-80),
        None,
        "late",
        80,
    )
    assert [m["state"] for m in body[-2:]] == ["pending", "pending"]


def test_an_unknown_order_s_milestones_are_404(client_for):
    assert_error_shape(client_for("viewer").get("/api/v1/orders/999999/milestones/"), 404, "not_found")


def test_the_plan_follows_a_ship_date_changed_through_the_api(client_for):
    order = order_with_milestones()
    client = client_for("sales")
    assert client.patch(f"/api/v1/orders/{order.pk}/", {"ship_date": days(40)}, format="json").status_code == 200
    planned = [m["planned_date"] for m in client.get(f"/api/v1/orders/{order.pk}/milestones/").json()]
    assert planned == [days(-50), days(-35), days(-5), days(10), days(25), days(35), days(40)]


@pytest.mark.parametrize("role", ["sales", "merchandiser"])
def test_recording_an_actual_date(client_for, role):
    order = order_with_milestones()
    milestone = row(order, "fabric_booked")
    response = client_for(role).patch(
        f"{MILESTONES}{milestone.pk}/", {"actual_date": days(-70), "notes": "Mill confirmed"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["actual_date"], body["notes"], body["state"], body["days_late"]) == (
        days(-70),
        "Mill confirmed",
        "done_late",
        10,
    )
    milestone.refresh_from_db()
    assert milestone.actual_date.isoformat() == days(-70)


def test_clearing_an_actual_date_and_ignoring_the_plan(client_for):
    order = order_with_milestones()
    milestone = row(order, "ex_factory")
    client = client_for("sales")
    client.patch(f"{MILESTONES}{milestone.pk}/", {"actual_date": days(0)}, format="json")
    response = client.patch(
        f"{MILESTONES}{milestone.pk}/", {"actual_date": None, "planned_date": days(3)}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["actual_date"], response.json()["planned_date"]) == (None, days(10))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"actual_date": days(1)}, "in the future"),
        ({"actual_date": days(-101)}, "before the order date"),
        ({"actual_date": "yesterday"}, "Date has wrong format"),
        ({"actual_date": "2026-02-30"}, "Date has wrong format"),
    ],
    ids=["future", "before-order", "words", "no-such-day"],
)
def test_a_bad_actual_date_is_400_and_changes_nothing(client_for, body, message):
    order = order_with_milestones()
    milestone = row(order, "inline_inspection")
    response = client_for("sales").patch(f"{MILESTONES}{milestone.pk}/", {**body, "notes": "x"}, format="json")
    error = assert_error_shape(response, 400, "invalid")
    assert message in " ".join(error["fields"]["actual_date"])
    milestone.refresh_from_db()
    assert (milestone.actual_date, milestone.notes) == (None, "")


def test_roles_without_the_change_permission_cannot_record(client_for):
    milestone = row(order_with_milestones(), "fabric_booked")
    for role in ("viewer", "purchasing", "warehouse"):
        response = client_for(role).patch(f"{MILESTONES}{milestone.pk}/", {"actual_date": days(-70)}, format="json")
        assert_error_shape(response, 403, "permission_denied")
    milestone.refresh_from_db()
    assert milestone.actual_date is None


def test_milestones_are_never_created_replaced_or_deleted_over_the_api(client_for):
    milestone = row(order_with_milestones(), "fabric_booked")
    client = client_for("sales")
    assert_error_shape(client.post(MILESTONES, {}, format="json"), 405, "method_not_allowed")
    assert_error_shape(client.put(f"{MILESTONES}{milestone.pk}/", {}, format="json"), 405, "method_not_allowed")
    assert_error_shape(client.delete(f"{MILESTONES}{milestone.pk}/"), 405, "method_not_allowed")


def test_the_late_list_across_orders(client_for):
    order = order_with_milestones()
    order_with_milestones(status="shipped")  # its open steps are no longer late
    client = client_for("viewer")
    client_for("sales").patch(f"{MILESTONES}{row(order, 'fabric_booked').pk}/", {"actual_date": days(-70)})

    assert codes(client.get(MILESTONES, {"late": "true"})) == IN_PLAN_ORDER[1:5]  # oldest plan first
    assert codes(client.get(MILESTONES, {"state": "done_late"})) == ["fabric_booked"]
    assert codes(client.get(MILESTONES, {"late": "true", "template": "production_start"})) == ["production_start"]
    assert codes(client.get(MILESTONES, {"late": "true", "planned_before": days(-30)})) == IN_PLAN_ORDER[1:3]
    assert len(codes(client.get(MILESTONES, {"late": "false", "order": order.pk}))) == 3


def test_a_bad_filter_is_400(client_for):
    response = client_for("viewer").get(MILESTONES, {"planned_before": "soon"})
    assert_error_shape(response, 400, "invalid")


def test_milestone_list_query_count_is_constant(client_for, assert_queries_constant):
    # Seven milestones an order: 35 rows, then a full page.
    counts = assert_queries_constant(
        client_for("viewer"),
        MILESTONES,
        lambda n: [order_with_milestones() for _ in range(n)],
        params={"late": "true", "page_size": "50"},
        ceiling=6,
    )
    print(f"order-milestones list queries: {counts}")


def test_an_order_s_milestones_in_a_fixed_number_of_queries(client_for, django_assert_max_num_queries):
    client = client_for("viewer")
    order = order_with_milestones()
    client.get(f"/api/v1/orders/{order.pk}/milestones/")  # the session and permission caches
    with django_assert_max_num_queries(4):
        assert client.get(f"/api/v1/orders/{order.pk}/milestones/").status_code == 200
