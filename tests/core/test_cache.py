"""The view cache of lookup lists: hits, no stale reads, permissions, ETags, outages."""

import copy

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.buyers import services as buyer_services
from apps.inventory import services as stock_services
from tests.buyers.factories import BuyerFactory
from tests.inventory.factories import MaterialFactory, WarehouseFactory
from tests.purchasing.factories import SupplierFactory
from tests.samples.factories import StyleFactory

pytestmark = pytest.mark.django_db

# endpoint, factory, a field the list shows, a change made through the API
LOOKUPS = [
    ("/api/v1/buyers/", BuyerFactory, "name", "merchandiser"),
    ("/api/v1/suppliers/", SupplierFactory, "name", "purchasing"),
    ("/api/v1/styles/", StyleFactory, "name", "merchandiser"),
    ("/api/v1/materials/", MaterialFactory, "name", "purchasing"),
    ("/api/v1/warehouses/", WarehouseFactory, "name", "warehouse"),
]


@pytest.mark.parametrize(("url", "factory", "field", "writer"), LOOKUPS)
def test_lookup_list_is_served_from_cache_until_a_write(client_for, url, factory, field, writer):
    row = factory()
    client = client_for(writer)
    first = client.get(url)
    assert first["X-Cache"] == "miss"
    again = client.get(url)
    assert again["X-Cache"] == "hit" and again.content == first.content

    response = client.patch(f"{url}{row.pk}/", {field: "Renamed after caching"}, format="json")
    assert response.status_code == 200, response.content
    after = client.get(url)
    assert after["X-Cache"] == "miss"
    assert [item[field] for item in after.json()["results"]] == ["Renamed after caching"]


def test_a_new_row_appears_at_once(client_for):
    client = client_for("merchandiser")
    BuyerFactory(code="OLD")
    assert [row["code"] for row in client.get("/api/v1/buyers/").json()["results"]] == ["OLD"]
    client.post("/api/v1/buyers/", {"code": "NEW", "name": "New", "country": "GB", "currency": "GBP"}, format="json")
    assert sorted(row["code"] for row in client.get("/api/v1/buyers/").json()["results"]) == ["NEW", "OLD"]


def test_bulk_update_through_a_service_invalidates_too(client_for):
    buyer = BuyerFactory(is_active=True)
    client = client_for("viewer")
    client.get("/api/v1/buyers/")
    buyer_services.buyer_set_active(buyer_ids=[buyer.pk], active=False)  # queryset.update(): no signals
    assert client.get("/api/v1/buyers/").json()["results"][0]["is_active"] is False


def test_stock_movements_invalidate_the_materials_list(client_for):
    material, warehouse = MaterialFactory(), WarehouseFactory()
    client = client_for("viewer")
    assert client.get("/api/v1/materials/").json()["results"][0]["on_hand"] == "0.000"
    stock_services.stock_receive(material=material, warehouse=warehouse, quantity=12)
    assert client.get("/api/v1/materials/").json()["results"][0]["on_hand"] == "12.000"


def test_cached_answers_differ_by_permissions(client_for):
    BuyerFactory()
    viewer, other_viewer, superuser = client_for("viewer"), client_for("viewer"), client_for(is_superuser=True)
    assert viewer.get("/api/v1/buyers/")["X-Cache"] == "miss"
    assert other_viewer.get("/api/v1/buyers/")["X-Cache"] == "hit"  # same permissions, same answer
    assert superuser.get("/api/v1/buyers/")["X-Cache"] == "miss"  # other permissions, own entry


def test_cache_key_varies_by_query(client_for):
    BuyerFactory(country="GB")
    client = client_for("viewer")
    client.get("/api/v1/buyers/", {"country": "GB"})
    response = client.get("/api/v1/buyers/", {"country": "US"})
    assert response["X-Cache"] == "miss" and response.json()["results"] == []


def test_conditional_get_answers_304(client_for):
    BuyerFactory()
    client = client_for("viewer")
    etag = client.get("/api/v1/buyers/")["ETag"]
    response = client.get("/api/v1/buyers/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response["ETag"] == etag and response.content == b""
    assert client.get("/api/v1/buyers/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_hit_reads_no_business_table(client_for):
    BuyerFactory.create_batch(5)
    client = client_for("viewer")
    client.get("/api/v1/buyers/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/buyers/")["X-Cache"] == "hit"
    assert not [query["sql"] for query in queries if "buyers_buyer" in query["sql"]]


def test_browsable_api_pages_are_not_cached(client_for):
    BuyerFactory()
    client = client_for("viewer")
    for _ in range(2):
        response = client.get("/api/v1/buyers/", HTTP_ACCEPT="text/html")
        assert response.status_code == 200 and "X-Cache" not in response


def test_lookups_answer_from_the_database_when_redis_is_down(client_for, settings):
    BuyerFactory(code="UP")
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["LOCATION"] = "redis://127.0.0.1:1/0"  # nothing listens there
    settings.CACHES = caches
    client = client_for("viewer")
    for _ in range(2):
        response = client.get("/api/v1/buyers/")
        assert response.status_code == 200 and response["X-Cache"] == "miss"
        assert response.json()["results"][0]["code"] == "UP"


def test_admin_autocomplete_is_cached_and_invalidated(staff_client):
    buyer = BuyerFactory(code="AUTO", name="Autocomplete Ltd")
    params = {"app_label": "samples", "model_name": "style", "field_name": "buyer", "term": "auto"}
    first = staff_client.get("/admin/autocomplete/", params)
    assert first.status_code == 200 and first["X-Cache"] == "miss"
    assert staff_client.get("/admin/autocomplete/", params)["X-Cache"] == "hit"
    buyer_services.buyer_update(buyer=buyer, data={"name": "Autocomplete Renamed"})
    refreshed = staff_client.get("/admin/autocomplete/", params)
    assert "Autocomplete Renamed" in refreshed.json()["results"][0]["text"]


def test_admin_autocomplete_still_checks_permission_before_the_cache(staff_client, client):
    BuyerFactory(code="AUTO")
    params = {"app_label": "samples", "model_name": "style", "field_name": "buyer", "term": "auto"}
    staff_client.get("/admin/autocomplete/", params)  # cached for a superuser
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))  # staff, but no permission on styles
    assert client.get("/admin/autocomplete/", params).status_code == 403


def test_warm_cache_fills_the_first_page_for_each_role(client_for, capsys):
    BuyerFactory()
    call_command("warm_cache", url="http://testserver")
    assert "Warmed" in capsys.readouterr().out
    assert client_for("viewer").get("/api/v1/buyers/")["X-Cache"] == "hit"
    call_command("warm_cache", stats=True)
    assert "buyers:hit: 1" in capsys.readouterr().out
