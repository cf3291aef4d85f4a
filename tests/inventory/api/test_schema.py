from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.routers import DefaultRouter

from apps.inventory.api.urls import router as inventory_router


def inventory_schema() -> dict:
    router = DefaultRouter()
    router.registry.extend(inventory_router.registry)
    return SchemaGenerator(patterns=[path("api/v1/", include(router.urls))]).get_schema(request=None, public=True)


def test_inventory_schema_is_valid_and_generates_without_warnings():
    GENERATOR_STATS.reset()
    schema = inventory_schema()
    validate_schema(schema)
    assert not GENERATOR_STATS, "drf-spectacular warned about the inventory API (see captured stderr)"


def test_inventory_schema_documents_the_posting_shape():
    schema = inventory_schema()
    post = schema["paths"]["/api/v1/stock-movements/"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "StockMovementPostInputRequest"
    )
    assert post["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("StockMovementPostResult")
    assert "Idempotency-Key" in [parameter["name"] for parameter in post["parameters"]]
    assert {"MaterialKindEnum", "MovementKindEnum"} <= set(schema["components"]["schemas"])
