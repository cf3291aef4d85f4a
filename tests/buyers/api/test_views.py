import pytest

from apps.buyers.models import Buyer
from tests.buyers.factories import BuyerFactory
from tests.factories import UserFactory
from tests.helpers import assert_error_shape

pytestmark = pytest.mark.django_db

URL = "/api/v1/buyers/"
VALID = {"code": "ZARA01", "name": "Zara", "country": "ES", "currency": "EUR", "email": "buy@zara.example"}


def test_buyer_list_requires_authentication(api_client):
    response = api_client.get(URL)
    assert_error_shape(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_buyer_write_requires_authentication(api_client):
    response = api_client.post(URL, VALID, format="json")
    assert_error_shape(response, 401, "not_authenticated")
    assert not Buyer.objects.exists()


def test_buyer_user_without_role_can_neither_read_nor_write(client_for):
    client = client_for()
    assert_error_shape(client.get(URL), 403, "permission_denied")
    assert_error_shape(client.post(URL, VALID, format="json"), 403, "permission_denied")
    assert not Buyer.objects.exists()


def test_buyer_viewer_reads_but_cannot_write(client_for):
    BuyerFactory()
    client = client_for("viewer")
    assert client.get(URL).status_code == 200
    assert_error_shape(client.post(URL, VALID, format="json"), 403, "permission_denied")


def test_buyer_merchandiser_creates_buyer(client_for):
    response = client_for("merchandiser").post(URL, VALID, format="json")
    assert response.status_code == 201, response.json()
    buyer = Buyer.objects.get(code="ZARA01")
    assert response.json()["id"] == buyer.pk
    assert (buyer.name, buyer.country, buyer.currency, buyer.payment_terms) == ("Zara", "ES", "EUR", "net_60")


def test_buyer_create_invalid_input_gets_field_errors_and_writes_nothing(client_for):
    bad = {"code": "lower case", "name": "", "country": "Spain", "currency": "EU", "email": "not-an-email"}
    response = client_for("merchandiser").post(URL, bad, format="json")
    error = assert_error_shape(response, 400, "invalid")
    assert set(error["fields"]) == {"code", "name", "country", "currency", "email"}
    assert "ISO 3166" in error["fields"]["country"][0]
    assert not Buyer.objects.exists()


def test_buyer_create_duplicate_code_is_refused(client_for):
    BuyerFactory(code="ZARA01", name="Original")
    response = client_for("merchandiser").post(URL, VALID, format="json")
    error = assert_error_shape(response, 400, "invalid")
    assert "code" in error["fields"]
    assert Buyer.objects.get(code="ZARA01").name == "Original"


def test_buyer_create_rejects_malformed_json(client_for):
    response = client_for("merchandiser").post(URL, "{not json", content_type="application/json")
    assert_error_shape(response, 400, "parse_error")


def test_buyer_update_changes_details_but_never_the_code(client_for):
    buyer = BuyerFactory(code="HM01", name="H&M")
    response = client_for("merchandiser").patch(f"{URL}{buyer.pk}/", {"code": "OTHER", "name": "H & M"}, format="json")
    assert response.status_code == 200, response.json()
    buyer.refresh_from_db()
    assert (buyer.code, buyer.name) == ("HM01", "H & M")


def test_buyer_update_invalid_input_leaves_row_untouched(client_for):
    buyer = BuyerFactory(currency="GBP")
    response = client_for("merchandiser").patch(f"{URL}{buyer.pk}/", {"currency": "pounds"}, format="json")
    assert_error_shape(response, 400, "invalid")
    buyer.refresh_from_db()
    assert buyer.currency == "GBP"


def test_buyer_delete_is_not_offered_even_to_superusers(client_for):
    buyer = BuyerFactory()
    response = client_for(is_superuser=True).delete(f"{URL}{buyer.pk}/")
    assert_error_shape(response, 405, "method_not_allowed")
    assert Buyer.objects.filter(pk=buyer.pk).exists()


def test_buyer_detail_of_unknown_id_is_404_in_error_shape(client_for):
    assert_error_shape(client_for("viewer").get(f"{URL}999999/"), 404, "not_found")


def test_buyer_list_query_count_is_the_same_for_5_and_50_rows(client_for, assert_queries_constant):
    # session, user, permissions (2), count, page
    assert_queries_constant(client_for("viewer"), URL, BuyerFactory.create_batch, ceiling=6, params={"page_size": 100})


def test_buyer_list_paginates_with_count_and_caps_page_size(client_for):
    BuyerFactory.create_batch(105)
    client = client_for("viewer")
    body = client.get(URL).json()
    assert (body["count"], len(body["results"])) == (105, 20)
    assert "page=2" in body["next"] and body["previous"] is None
    assert len(client.get(URL, {"page_size": 500}).json()["results"]) == 100


def test_buyer_list_filters_searches_and_orders(client_for):
    BuyerFactory(code="A1", name="Alpha Wear", country="GB", is_active=True)
    BuyerFactory(code="B1", name="Beta Clothing", country="US", is_active=True)
    BuyerFactory(code="C1", name="Gamma Wear", country="US", is_active=False)
    client = client_for("viewer")

    def codes(**params):
        return [row["code"] for row in client.get(URL, params).json()["results"]]

    assert codes(country="us") == ["B1", "C1"]
    assert codes(is_active="false") == ["C1"]
    assert codes(search="wear") == ["A1", "C1"]
    assert codes(ordering="-code") == ["C1", "B1", "A1"]
    assert codes(country="US", is_active="true", search="beta") == ["B1"]


def test_buyer_list_rejects_invalid_filter_value(client_for):
    response = client_for("viewer").get(URL, {"payment_terms": "someday"})
    error = assert_error_shape(response, 400, "invalid")
    assert "payment_terms" in error["fields"]


def test_token_endpoint_issues_token_that_authenticates(api_client):
    UserFactory(username="scripter", roles=["viewer"])
    response = api_client.post("/api/v1/auth/token/", {"username": "scripter", "password": "s3cret-pass!"})
    assert response.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api_client.get(URL).status_code == 200


def test_token_endpoint_refuses_wrong_password(api_client):
    UserFactory(username="scripter")
    response = api_client.post("/api/v1/auth/token/", {"username": "scripter", "password": "wrong"})
    error = assert_error_shape(response, 400, "invalid")
    assert error["fields"]["non_field_errors"]
