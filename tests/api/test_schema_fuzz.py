"""Property-based fuzzing of the whole API from its OpenAPI schema (schemathesis + Hypothesis).

Every operation in /api/schema/ gets generated requests — valid and invalid bodies, query
strings, path ids — sent in-process to the WSGI app as a superuser (token auth), over a small
data set from the factories, with real ids mixed into the generated ones (paths and foreign
keys in bodies) so that updates, workflow steps and creates succeed too, not only 404 and 400.
Each answer must not be a 5xx, and its status, content type and body must be ones the schema
documents (errors included: apps/core/openapi.py).

Bounded for CI: FUZZ_MAX_EXAMPLES per operation (10), derandomized so a run is reproducible
and a failure comes back on the next run, no deadline (timings are the benchmark's business).
Schemathesis's coverage phase (boundary values of every parameter, ~13,000 requests, minutes)
is off by default; FUZZ_COVERAGE=1 FUZZ_MAX_EXAMPLES=50 is the deeper run before a release.
"""

import json
import os

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.buyers.factories import BuyerFactory
from tests.core.factories import JobFactory
from tests.factories import UserFactory
from tests.inventory.factories import ReceiptFactory
from tests.orders.factories import OrderLineFactory
from tests.purchasing.factories import PurchaseOrderLineFactory, SupplierMaterialFactory
from tests.samples.factories import SampleFactory, StyleMaterialFactory

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "10"))
COVERAGE = os.environ.get("FUZZ_COVERAGE", "") == "1"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _served_schema() -> dict:
    """What /api/schema/ serves, built by the same generator without a request (collection has no database)."""
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


RAW_SCHEMA = _served_schema()
config = schemathesis.Config.from_dict(
    {
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True},
        "phases": {"coverage": {"enabled": COVERAGE}, "stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_dict(RAW_SCHEMA, config=config)
schema.app = get_wsgi_application()

# Ids of the rows the `world` fixture made, by the first segment of the path after /api/v1/.
EXISTING: dict[str, list] = {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the time aim at a row that exists, so detail, update and workflow operations run, not just 404."""
    resource = context.operation.path.removeprefix("/api/v1/").split("/")[0]
    name = next((name for name in ("id", "key") if name in (path_parameters or {})), None)
    if name is None or not EXISTING.get(resource):
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, *({**path_parameters, name: value} for value in EXISTING[resource])])


# Foreign keys in request bodies, by field name: the resource whose rows they name.
FOREIGN_KEYS = {
    "buyer": "buyers",
    "style": "styles",
    "size_range": "size-ranges",
    "material": "materials",
    "warehouse": "warehouses",
    "to_warehouse": "warehouses",
    "supplier": "suppliers",
    "line": "purchase-order-lines",
}


def _with_real_rows(value):
    """The body with every foreign key, at any depth (order lines, bills of materials), naming a real row."""
    if isinstance(value, list):
        return [_with_real_rows(item) for item in value]
    if not isinstance(value, dict):
        return value
    return {
        key: EXISTING[FOREIGN_KEYS[key]][0]
        if key in FOREIGN_KEYS and EXISTING.get(FOREIGN_KEYS[key])
        else _with_real_rows(item)
        for key, item in value.items()
    }


@schema.hook
def flatmap_body(context, body):
    """Half the time with real rows behind the ids, so creates and updates get past "no such buyer" and succeed."""
    return st.sampled_from([body, _with_real_rows(body)])


@pytest.fixture
def world(settings):
    """A little of everything, and a superuser's token. Rate limits off: the fuzzer is one user sending
    thousands of requests (the limits have their own tests)."""
    settings.RATELIMIT_ENABLE = False
    admin = UserFactory(username="fuzzer", is_staff=True, is_superuser=True)
    order_line = OrderLineFactory()
    po_line = PurchaseOrderLineFactory()
    receipt = ReceiptFactory(user=admin)
    style_material = StyleMaterialFactory()
    EXISTING.clear()
    EXISTING.update(
        {
            "buyers": [BuyerFactory().pk, order_line.order.buyer_id],
            "warehouses": [receipt.warehouse_id],
            "materials": [receipt.material_id, style_material.material_id],
            "stock-levels": list(receipt.material.stock_levels.values_list("pk", flat=True)),
            "stock-movements": [receipt.id],  # its pk is (id, created_at)
            "styles": [style_material.style_id, order_line.style_id],
            "size-ranges": [order_line.style.size_range_id],
            "samples": [SampleFactory().pk],
            "orders": [order_line.order_id],
            "order-lines": [order_line.pk],
            "suppliers": [po_line.purchase_order.supplier_id],
            "supplier-materials": [SupplierMaterialFactory().pk],
            "purchase-orders": [po_line.purchase_order_id],
            "purchase-order-lines": [po_line.pk],
            "jobs": [
                JobFactory(requested_by=admin, with_file=True).pk,
                JobFactory(requested_by=admin, status="failed").pk,
            ],
            "reports": ["sales_by_buyer_month", "below_reorder_level"],
        }
    )
    return {"Authorization": f"Token {Token.objects.create(user=admin).key}"}


@pytest.fixture
def in_test_transaction():
    """Requests through the WSGI app keep the test's connection, as Django's test client does:
    closing it at the end of a request would leave the test's transaction."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


def test_the_fuzzed_schema_is_the_one_served(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=world["Authorization"])
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert json.loads(response.content) == RAW_SCHEMA


@schema.parametrize()
@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)
def test_api_survives_fuzzing(case, world, in_test_transaction):
    case.call_and_validate(headers=world, checks=CHECKS)
