"""The API against the role matrix (tests/core/role_matrix.py), every role on every operation.

What a case expects:
- anonymous: 401 everywhere;
- a role the matrix allows: not refused — 200 for reads; for writes, sent with an empty JSON
  body, a 2xx or a 400 about the body (the point is that permission let it through);
- any other role: 403 in the JSON error shape;
- an operation the route offers to nobody: 405 for every signed-in role, whatever it holds.
Detail operations act on a row that exists, so a 404 is always a failure here.
"""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from rest_framework.test import APIClient

from apps.core.roles import ROLES, STAFF_ADMIN
from erp.urls import api_router
from tests.buyers.factories import BuyerFactory
from tests.core.factories import JobFactory
from tests.core.role_matrix import CASES, OPERATIONS
from tests.core.role_matrix import ROLES as MATRIX_ROLES
from tests.factories import UserFactory
from tests.helpers import assert_error_shape
from tests.inventory.factories import MaterialFactory, ReceiptFactory, WarehouseFactory
from tests.orders.factories import OrderLineFactory, order_with_milestones
from tests.purchasing.factories import (
    PurchaseOrderLineFactory,
    SupplierFactory,
    SupplierMaterialFactory,
)
from tests.samples.factories import SampleFactory, SizeRangeFactory, StyleFactory, TechPackFactory

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
WRITE_OUTCOMES = {200, 201, 202, 204, 400}
BUSINESS_APPS = ("buyers", "inventory", "samples", "orders", "purchasing")


def _stock_movement(user):
    return ReceiptFactory(user=user)


# The row each resource's detail operations act on, made for the requesting user (jobs are their own).
ROWS = {
    "buyers": lambda user: BuyerFactory(),
    "warehouses": lambda user: WarehouseFactory(),
    "materials": lambda user: MaterialFactory(),
    "stock-levels": lambda user: _stock_movement(user).material.stock_levels.get(),
    "stock-movements": _stock_movement,
    "size-ranges": lambda user: SizeRangeFactory(),
    "styles": lambda user: StyleFactory(),
    "samples": lambda user: SampleFactory(),
    "tech-packs": lambda user: TechPackFactory(),
    "orders": lambda user: OrderLineFactory().order,
    "order-lines": lambda user: OrderLineFactory(),
    "order-milestones": lambda user: order_with_milestones().milestones.first(),
    "suppliers": lambda user: SupplierFactory(),
    "supplier-materials": lambda user: SupplierMaterialFactory(),
    "purchase-orders": lambda user: PurchaseOrderLineFactory().purchase_order,
    "purchase-order-lines": lambda user: PurchaseOrderLineFactory(),
    "jobs": lambda user: JobFactory(with_file=True, requested_by=user or UserFactory()),
}


def _url(case, user) -> str:
    url = f"/api/v1/{case.resource}/"
    if case.detail:
        url += f"{case.key or ROWS[case.resource](user).id}/"  # a stock movement's pk is (id, created_at)
    return url + case.suffix


def _request(case, role):
    user = None if role == ANONYMOUS else UserFactory(roles=[role])
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    url = _url(case, user)
    if case.method == "GET":
        today = datetime.date.today().isoformat()
        params = {"date_from": today, "date_to": today} if case.resource == "reports" and case.detail else {}
        return client.get(url, params)
    return client.generic(case.method, url, "{}", content_type="application/json")


@pytest.mark.parametrize("role", [*MATRIX_ROLES, ANONYMOUS])
@pytest.mark.parametrize("case", CASES, ids=str)
def test_role_matrix(case, role):
    response = _request(case, role)
    print("\nSTATUS", role, case, response.status_code)
    if role == ANONYMOUS:
        assert_error_shape(response, 401, "not_authenticated")
    elif case.allowed is None:
        assert_error_shape(response, 405, "method_not_allowed")
    elif role in case.allowed:
        expected = {200} if case.method == "GET" else WRITE_OUTCOMES
        assert response.status_code in expected, response.content[:500]
    else:
        assert_error_shape(response, 403, "permission_denied")


def test_the_matrix_names_every_role():
    assert MATRIX_ROLES == ROLES


def test_the_matrix_covers_every_route_and_action():
    """A new endpoint or action without a row in the matrix fails here."""
    standard = ("list", "retrieve", "create", "update", "partial_update", "destroy")
    in_matrix = {(case.resource, case.operation) for case in CASES}
    offered = set()
    for prefix, viewset, _basename in api_router.registry:
        has_detail_route = hasattr(viewset, "retrieve")
        offered |= {(prefix, op) for op in standard if has_detail_route or not OPERATIONS[op][1]}
        offered |= {(prefix, extra.__name__) for extra in viewset.get_extra_actions()}
    assert offered == in_matrix


def test_staff_admin_holds_every_business_permission_and_no_power_over_users():
    group = Group.objects.get(name=STAFF_ADMIN)
    granted = set(group.permissions.values_list("content_type__app_label", "codename"))
    business = Permission.objects.filter(content_type__app_label__in=BUSINESS_APPS)
    history = business.filter(content_type__model__startswith="historical")  # the audit trail: written by the app only
    assert set(business.exclude(pk__in=history).values_list("content_type__app_label", "codename")) <= granted
    assert not group.permissions.filter(pk__in=history).exists()
    outside = {(app, codename) for app, codename in granted if app not in BUSINESS_APPS}
    assert outside == {("core", "view_job"), ("core", "view_deadletter"), ("core", "view_idempotencykey")}


def test_a_staff_admin_is_not_a_superuser():
    user = UserFactory(roles=[STAFF_ADMIN])
    assert not user.is_superuser
    assert not user.has_perm("core.change_user") and not user.has_perm("auth.change_group")


# --- Object level: jobs ----------------------------------------------------------------------


@pytest.fixture
def someone_elses_job():
    return JobFactory(with_file=True, status="failed", requested_by=UserFactory(roles=["sales"]))


@pytest.mark.parametrize("role", [r for r in ROLES if r != STAFF_ADMIN])
@pytest.mark.parametrize(
    ("method", "suffix"), [("GET", ""), ("GET", "download/"), ("POST", "retry/"), ("POST", "cancel/")]
)
def test_a_role_cannot_reach_someone_else_s_job(role, method, suffix, someone_elses_job):
    client = APIClient()
    client.force_authenticate(UserFactory(roles=[role]))
    response = client.generic(method, f"/api/v1/jobs/{someone_elses_job.pk}/{suffix}")
    assert_error_shape(response, 404, "not_found")  # not 403: whether the job exists is not theirs to know


@pytest.mark.parametrize("role", [r for r in ROLES if r != STAFF_ADMIN])
def test_a_role_lists_only_its_own_jobs(role, someone_elses_job):
    user = UserFactory(roles=[role])
    own = JobFactory(requested_by=user)
    client = APIClient()
    client.force_authenticate(user)
    response = client.get("/api/v1/jobs/")
    assert response.status_code == 200
    assert [job["id"] for job in response.json()["results"]] == [own.pk]


def test_staff_admin_sees_and_acts_on_everyone_s_jobs(someone_elses_job):
    admin = UserFactory(roles=[STAFF_ADMIN])
    own = JobFactory(requested_by=admin)
    client = APIClient()
    client.force_authenticate(admin)
    listed = client.get("/api/v1/jobs/").json()["results"]
    assert {job["id"] for job in listed} == {own.pk, someone_elses_job.pk}
    assert client.get(f"/api/v1/jobs/{someone_elses_job.pk}/").status_code == 200
    assert client.get(f"/api/v1/jobs/{someone_elses_job.pk}/download/").status_code == 200
    assert client.post(f"/api/v1/jobs/{someone_elses_job.pk}/retry/").status_code == 202
