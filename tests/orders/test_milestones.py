"""The T&A calendar: planning from the templates, plans following the ship date, actual dates, late
milestones, the migration's backfill, and the admin screens."""

import datetime
import importlib

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.imports.base import get_resource
from apps.core.imports.engine import run_import
from apps.orders import services
from apps.orders.admin_milestones import OrderMilestoneInline
from apps.orders.choices import MilestoneState, OrderStatus
from apps.orders.milestones import order_milestone_update, planned_date
from apps.orders.models import MilestoneTemplate, Order, OrderMilestone
from tests.buyers.factories import BuyerFactory
from tests.factories import UserFactory
from tests.helpers import write_csv
from tests.orders.factories import OrderFactory, order_with_milestones
from tests.samples.factories import StyleFactory

pytestmark = pytest.mark.django_db

SEEDED = [
    ("fabric_booked", 90),
    ("lab_dip_approved", 75),
    ("pp_sample_approved", 45),
    ("production_start", 30),
    ("inline_inspection", 15),
    ("final_inspection", 5),
    ("ex_factory", 0),
]
MILESTONES = "/admin/orders/ordermilestone/"
TEMPLATES = "/admin/orders/milestonetemplate/"


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def plan(order) -> dict[str, datetime.date]:
    return dict(order.milestones.values_list("template__code", "planned_date"))


def milestone(order, code: str) -> OrderMilestone:
    return order.milestones.get(template__code=code)


def create_order(**header):
    return services.order_create(buyer=BuyerFactory(), lines=None, **header)


# --- Planning -----------------------------------------------------------------------------------


def test_the_migration_seeds_the_seven_usual_steps_in_order():
    assert list(MilestoneTemplate.objects.values_list("code", "days_before_ship")) == SEEDED


def test_order_create_plans_every_active_step_before_the_ship_date_but_not_before_the_order_date():
    MilestoneTemplate.objects.filter(code="inline_inspection").update(is_active=False)
    order = create_order(order_date=datetime.date(2026, 11, 1), ship_date=datetime.date(2027, 1, 15))
    assert plan(order) == {
        "fabric_booked": datetime.date(2026, 11, 1),  # 90 days before would be 17 Oct: before the order
        "lab_dip_approved": datetime.date(2026, 11, 1),  # exactly 75 days before
        "pp_sample_approved": datetime.date(2026, 12, 1),
        "production_start": datetime.date(2026, 12, 16),
        "final_inspection": datetime.date(2027, 1, 10),
        "ex_factory": datetime.date(2027, 1, 15),
    }
    assert set(order.milestones.values_list("actual_date", flat=True)) == {None}
    assert OrderMilestone.history.filter(order_id=order.pk, history_type="+").count() == 6


def test_order_create_plans_in_the_same_number_of_queries_however_many_steps():
    def queries_to_create() -> int:
        with CaptureQueriesContext(connection) as queries:
            create_order(ship_date=days(120))
        return len(queries)

    with_seven = queries_to_create()
    MilestoneTemplate.objects.bulk_create(
        MilestoneTemplate(code=f"extra_{n}", name=f"Extra {n}", days_before_ship=n) for n in range(20)
    )
    assert queries_to_create() == with_seven
    assert OrderMilestone.objects.filter(template__code="extra_3").count() == 1


def test_planned_dates_move_when_the_ship_date_moves_and_actual_dates_stay():
    order = create_order(order_date=days(-100), ship_date=days(10))
    order_milestone_update(milestone=milestone(order, "fabric_booked"), data={"actual_date": days(-82)})
    before, changes = plan(order), OrderMilestone.history.filter(order_id=order.pk, history_type="~")
    changed_before = changes.count()

    services.order_update(order=order, data={"ship_date": days(40)})

    after = plan(order)
    assert {code: (after[code] - before[code]).days for code in after} == dict.fromkeys(after, 30)
    assert milestone(order, "fabric_booked").actual_date == days(-82)
    assert changes.count() == changed_before + 7  # each move is in the audit trail

    # Earlier again, past the order date: the steps that no longer fit are due on the order date.
    services.order_update(order=order, data={"ship_date": days(-20)})
    assert plan(order)["fabric_booked"] == days(-100)
    assert plan(order)["production_start"] == days(-50)


def test_a_header_change_without_new_dates_leaves_the_plan_alone():
    order = create_order(order_date=days(-100), ship_date=days(10))
    services.order_update(order=order, data={"notes": "Rush"})
    assert not OrderMilestone.history.filter(order_id=order.pk, history_type="~").exists()


def test_a_template_s_new_offset_plans_new_orders_and_leaves_running_ones():
    running = create_order(order_date=days(-100), ship_date=days(10))
    MilestoneTemplate.objects.filter(code="pp_sample_approved").update(days_before_ship=60)
    new = create_order(order_date=days(-100), ship_date=days(10))
    assert plan(new)["pp_sample_approved"] == days(-50)
    services.order_update(order=running, data={"ship_date": days(11)})
    assert plan(running)["pp_sample_approved"] == days(-34)  # still 45 days before


def test_the_order_import_plans_new_orders_and_moves_plans_with_a_new_ship_date(tmp_path):
    style = StyleFactory()
    header = [
        "Buyer Code",
        "Buyer Reference",
        "Order Date",
        "Ship Date",
        "Style Code",
        "Colour",
        "Size",
        "Quantity",
        "Unit Price",
    ]

    def import_order(ship_date: str):
        row = [style.buyer.code, "PO-9", "2026-11-01", ship_date, style.code, "Navy", "M", 10, "5.00"]
        path = write_csv(tmp_path / f"{ship_date}.csv", header, [row])
        report = run_import(get_resource("orders"), path, existing="update")
        assert report.ok, report.errors

    import_order("2027-02-15")
    order = Order.objects.get(buyer_reference="PO-9")
    assert plan(order)["pp_sample_approved"] == datetime.date(2027, 1, 1)
    import_order("2027-03-01")  # the buyer moved the ship date by 14 days
    assert plan(order)["pp_sample_approved"] == datetime.date(2027, 1, 15)
    assert order.milestones.count() == len(SEEDED)


# --- Actual dates -------------------------------------------------------------------------------


def test_recording_an_actual_date_and_notes():
    order = order_with_milestones()
    done = order_milestone_update(
        milestone=milestone(order, "lab_dip_approved"), data={"actual_date": days(-60), "notes": "Shade B"}
    )
    done.refresh_from_db()
    assert (done.actual_date, done.notes) == (days(-60), "Shade B")


@pytest.mark.parametrize(
    ("actual", "message"),
    [(1, "cannot be in the future"), (-101, "cannot be before the order date")],
    ids=["future", "before-order"],
)
def test_an_impossible_actual_date_is_refused_and_nothing_changes(actual, message):
    order = order_with_milestones()
    with pytest.raises(ValidationError, match=message):
        order_milestone_update(milestone=milestone(order, "ex_factory"), data={"actual_date": days(actual)})
    assert milestone(order, "ex_factory").actual_date is None


def test_planned_dates_are_not_written_through_the_update_service():
    order = order_with_milestones()
    with pytest.raises(ValueError, match="planned_date"):
        order_milestone_update(milestone=milestone(order, "ex_factory"), data={"planned_date": days(1)})


# --- Late ---------------------------------------------------------------------------------------


def test_states_late_done_late_done_and_pending():
    order = order_with_milestones()  # planned: -80, -65, -35, -20, -5, +5, +10 days
    order_milestone_update(milestone=milestone(order, "fabric_booked"), data={"actual_date": days(-70)})  # 10 late
    order_milestone_update(milestone=milestone(order, "lab_dip_approved"), data={"actual_date": days(-66)})
    states = {
        row.template.code: (row.state, row.days_late)
        for row in OrderMilestone.objects.filter(order=order).select_related("template").with_state()
    }
    assert states == {
        "fabric_booked": (MilestoneState.DONE_LATE, 10),
        "lab_dip_approved": (MilestoneState.DONE, None),
        "pp_sample_approved": (MilestoneState.LATE, 35),
        "production_start": (MilestoneState.LATE, 20),
        "inline_inspection": (MilestoneState.LATE, 5),
        "final_inspection": (MilestoneState.PENDING, None),
        "ex_factory": (MilestoneState.PENDING, None),
    }
    assert set(OrderMilestone.objects.late().values_list("template__code", flat=True)) == {
        "pp_sample_approved",
        "production_start",
        "inline_inspection",
    }
    assert list(OrderMilestone.objects.done_late().values_list("template__code", flat=True)) == ["fabric_booked"]


def test_a_milestone_due_today_is_not_late_yet():
    order = order_with_milestones(ships_in_days=5)  # final inspection is due today
    assert not OrderMilestone.objects.late().filter(order=order, template__code="final_inspection").exists()
    assert OrderMilestone.objects.late(today=days(1)).filter(order=order, template__code="final_inspection").exists()


@pytest.mark.parametrize("status", [OrderStatus.SHIPPED, OrderStatus.CLOSED, OrderStatus.CANCELLED])
def test_orders_no_longer_in_hand_have_no_late_milestones(status):
    order = order_with_milestones(status=status)
    assert not OrderMilestone.objects.late().filter(order=order).exists()
    states = set(OrderMilestone.objects.filter(order=order).with_state().values_list("state", flat=True))
    assert states == {MilestoneState.PENDING}


# --- The migration's backfill -------------------------------------------------------------------


def test_the_migration_plans_orders_in_hand_as_the_service_would():
    migration = importlib.import_module("apps.orders.migrations.0006_milestones")
    in_hand = OrderFactory(status=OrderStatus.CONFIRMED, order_date=days(-100), ship_date=days(10))
    shipped = OrderFactory(status=OrderStatus.SHIPPED, order_date=days(-100), ship_date=days(-1))
    with connection.cursor() as cursor:
        cursor.execute(migration.PLAN_OPEN_ORDERS)
    expected = {
        code: planned_date(order_date=in_hand.order_date, ship_date=in_hand.ship_date, days_before_ship=offset)
        for code, offset in SEEDED
    }
    assert plan(in_hand) == expected
    assert not shipped.milestones.exists()


# --- Admin --------------------------------------------------------------------------------------


def test_milestone_changelist_query_count_is_constant(staff_client, assert_queries_constant):
    # Each order brings seven milestones, so this compares 35 rows with a full page of 50.
    assert_queries_constant(staff_client, MILESTONES, lambda n: [order_with_milestones() for _ in range(n)])


def test_template_changelist_query_count_is_constant(staff_client, assert_queries_constant):
    def make(n):
        start = MilestoneTemplate.objects.count()
        MilestoneTemplate.objects.bulk_create(
            MilestoneTemplate(code=f"step_{start + i}", name=f"Step {start + i}", days_before_ship=i) for i in range(n)
        )

    assert_queries_constant(staff_client, TEMPLATES, make)


def test_milestone_changelist_late_filter_lists_late_rows_highlighted(staff_client):
    order = order_with_milestones()
    order_with_milestones(status=OrderStatus.CANCELLED)
    order_milestone_update(milestone=milestone(order, "fabric_booked"), data={"actual_date": days(-70)})

    late = staff_client.get(MILESTONES, {"state": "late"})
    rows = late.context["cl"].result_list
    assert {(row.order_id, row.template.code) for row in rows} == {
        (order.pk, code) for code in ("lab_dip_approved", "pp_sample_approved", "production_start", "inline_inspection")
    }
    html = late.content.decode()
    assert html.count('class="milestone-state milestone-late"') == 4
    assert "/static/orders/milestones.css" in html

    done_late = staff_client.get(MILESTONES, {"state": "done_late"}).context["cl"].result_list
    assert [(row.template.code, row.days_late) for row in done_late] == [("fabric_booked", 10)]


def test_milestone_admin_records_an_actual_date_and_refuses_a_future_one(staff_client):
    order = order_with_milestones()
    row = milestone(order, "pp_sample_approved")
    url = f"{MILESTONES}{row.pk}/change/"

    refused = staff_client.post(url, {"actual_date": days(1).isoformat(), "notes": ""})
    assert refused.status_code == 200
    assert "cannot be in the future" in refused.content.decode()
    row.refresh_from_db()
    assert row.actual_date is None

    done = staff_client.post(url, {"actual_date": days(-30).isoformat(), "notes": "Approved by e-mail"})
    assert done.status_code == 302
    row.refresh_from_db()
    assert (row.actual_date, row.notes, row.planned_date) == (days(-30), "Approved by e-mail", days(-35))


def test_order_page_shows_its_calendar_with_late_steps_marked(staff_client):
    order = order_with_milestones()
    response = staff_client.get(f"/admin/orders/order/{order.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Time and action calendar" in html
    assert html.count('class="milestone-state milestone-late"') == 5
    assert html.count('class="milestone-state milestone-pending"') == 2
    assert 'name="milestones-0-actual_date"' in html
    assert 'name="milestones-0-planned_date"' not in html  # planned dates follow the ship date


def test_milestone_changelist_searches_by_order_number(staff_client):
    order, other = order_with_milestones(), order_with_milestones()
    found = staff_client.get(MILESTONES, {"q": order.number}).context["cl"].result_list
    assert {row.order_id for row in found} == {order.pk} and len(found) == 7
    assert other.pk not in {row.order_id for row in found}


def _inline_formset(rf, order, changes: dict[str, dict]):
    """The order page's milestone inline as posted, with `changes` {template code: fields} on some rows."""
    request = rf.post("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    inline = OrderMilestoneInline(Order, admin.site)
    rows = list(inline.get_queryset(request).filter(order=order))
    data = {"milestones-TOTAL_FORMS": str(len(rows)), "milestones-INITIAL_FORMS": str(len(rows))}
    for index, row in enumerate(rows):
        fields = {"actual_date": "", "notes": "", **changes.get(row.template.code, {})}
        data.update({f"milestones-{index}-{name}": value for name, value in fields.items()})
        data.update({f"milestones-{index}-id": row.pk, f"milestones-{index}-order": order.pk})
    FormSet = inline.get_formset(request, order)
    return FormSet(data, instance=order, queryset=inline.get_queryset(request), prefix="milestones")


def test_order_page_inline_saves_actual_dates_through_the_service(rf):
    order = order_with_milestones()
    formset = _inline_formset(rf, order, {"pp_sample_approved": {"actual_date": days(-30).isoformat(), "notes": "OK"}})
    assert formset.is_valid(), formset.errors
    services.order_update(order=order, data={"ship_date": days(20)})  # moved while the page was open
    formset.save()
    row = milestone(order, "pp_sample_approved")
    assert (row.actual_date, row.notes, row.planned_date) == (days(-30), "OK", days(-25))  # the new plan stays


def test_order_page_inline_refuses_a_future_actual_date(rf):
    order = order_with_milestones()
    formset = _inline_formset(rf, order, {"ex_factory": {"actual_date": days(2).isoformat()}})
    assert not formset.is_valid()
    assert "cannot be in the future" in str(formset.errors)
