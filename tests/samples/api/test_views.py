import pytest

from apps.samples.models import Sample, Style, StyleMaterial
from tests.buyers.factories import BuyerFactory
from tests.inventory.factories import MaterialFactory
from tests.samples.factories import SampleFactory, StyleFactory, StyleMaterialFactory

pytestmark = pytest.mark.django_db

STYLES = "/api/v1/styles/"
SAMPLES = "/api/v1/samples/"


def error_fields(response, status_code=400):
    assert response.status_code == status_code, response.content
    return response.json()["error"]["fields"]


def test_style_create_with_bill_of_materials(client_for):
    buyer, fabric, button = BuyerFactory(), MaterialFactory(), MaterialFactory(unit="pcs")
    payload = {
        "code": "OX-SHIRT",
        "name": "Oxford shirt",
        "buyer": buyer.pk,
        "season": "SS27",
        "category": "shirts",
        "target_price": "14.50",
        "materials": [
            {"material": fabric.pk, "consumption_per_piece": "1.6500", "wastage_percent": "4.00"},
            {"material": button.pk, "consumption_per_piece": "9"},
        ],
    }
    response = client_for("merchandiser").post(STYLES, payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [(line["material_code"], line["consumption_per_piece"]) for line in body["materials"]] == [
        (fabric.code, "1.6500"),
        (button.code, "9.0000"),
    ]
    assert StyleMaterial.objects.filter(style__code="OX-SHIRT").count() == 2


def test_style_update_replaces_materials_only_when_sent(client_for):
    line = StyleMaterialFactory()
    client = client_for("merchandiser")
    url = f"{STYLES}{line.style_id}/"
    assert client.patch(url, {"name": "Renamed"}, format="json").status_code == 200
    assert line.style.materials.count() == 1
    assert client.patch(url, {"materials": []}, format="json").status_code == 200
    assert line.style.materials.count() == 0


def test_style_create_bad_input_writes_nothing(client_for):
    payload = {
        "code": "",
        "buyer": 999999,
        "season": "SS27",
        "category": "gowns",
        "target_price": "-1",
        "materials": [{"material": 999999, "consumption_per_piece": "-2"}],
    }
    fields = error_fields(client_for("merchandiser").post(STYLES, payload, format="json"))
    assert {"code", "name", "buyer", "category", "target_price", "materials"} <= set(fields)
    assert set(fields["materials"]["0"]) == {"material", "consumption_per_piece"}  # DRF keys failing lines by index
    assert not Style.objects.exists()


def test_style_write_needs_merchandiser_role(client_for):
    buyer = BuyerFactory()
    payload = {"code": "X1", "name": "X", "buyer": buyer.pk, "season": "SS27", "category": "tops"}
    assert client_for("sales").post(STYLES, payload, format="json").status_code == 403
    assert client_for("merchandiser").post(STYLES, payload, format="json").status_code == 201


def test_style_list_filters_and_searches(client_for):
    zara = BuyerFactory(code="ZARA")
    StyleFactory(code="A-TEE", name="Basic tee", buyer=zara, season="SS27", category="tops")
    StyleFactory(code="B-COAT", name="Wool coat", buyer=zara, season="AW26", category="outerwear")
    StyleFactory(code="C-TEE", name="Pocket tee", season="SS27", category="tops")
    client = client_for("viewer")

    def codes(**params):
        return [row["code"] for row in client.get(STYLES, params).json()["results"]]

    assert codes(buyer=zara.pk) == ["A-TEE", "B-COAT"]
    assert codes(season="ss27", category="tops") == ["A-TEE", "C-TEE"]
    assert codes(search="tee", buyer=zara.pk) == ["A-TEE"]


def test_style_list_query_count_is_constant(client_for, assert_queries_constant):
    assert_queries_constant(
        client_for("viewer"), STYLES, StyleFactory.create_batch, ceiling=6, params={"page_size": 100}
    )


def test_sample_request_through_the_api(client_for):
    style = StyleFactory()
    response = client_for("merchandiser").post(SAMPLES, {"style": style.pk, "type": "fit", "due_date": "2027-01-15"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "requested" and body["buyer"] == style.buyer_id
    assert body["allowed_transitions"] == ["in_progress"]
    assert body["number"].startswith("S")


def test_sample_request_bad_input_writes_nothing(client_for):
    response = client_for("merchandiser").post(SAMPLES, {"style": 999999, "type": "photo", "due_date": "15/01/2027"})
    assert set(error_fields(response)) == {"style", "type", "due_date"}
    assert not Sample.objects.exists()


def test_sample_status_cannot_be_written_directly(client_for):
    sample = SampleFactory()
    response = client_for("merchandiser").patch(f"{SAMPLES}{sample.pk}/", {"status": "approved"}, format="json")
    assert response.status_code == 200
    sample.refresh_from_db()
    assert sample.status == "requested"


def test_sample_transition_walks_the_workflow(client_for):
    sample = SampleFactory()
    client = client_for("merchandiser")
    for status in ("in_progress", "submitted", "approved"):
        response = client.post(f"{SAMPLES}{sample.pk}/transition/", {"status": status}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == status
    assert response.json()["approved_at"] is not None


def test_sample_illegal_transition_is_a_clear_400(client_for):
    sample = SampleFactory()
    response = client_for("merchandiser").post(f"{SAMPLES}{sample.pk}/transition/", {"status": "approved"})
    message = error_fields(response)["status"][0]
    assert message == "A sample cannot go from 'requested' to 'approved'. Allowed from 'requested': in_progress."
    sample.refresh_from_db()
    assert sample.status == "requested"


def test_sample_transition_to_unknown_status_is_400(client_for):
    sample = SampleFactory()
    assert "status" in error_fields(
        client_for("merchandiser").post(f"{SAMPLES}{sample.pk}/transition/", {"status": "lost"})
    )


def test_sample_transition_needs_change_permission(client_for):
    sample = SampleFactory()
    assert client_for("viewer").post(f"{SAMPLES}{sample.pk}/transition/", {"status": "in_progress"}).status_code == 403
    assert client_for().post(f"{SAMPLES}{sample.pk}/transition/", {"status": "in_progress"}).status_code == 403


def test_sample_list_filters(client_for):
    style = StyleFactory()
    open_sample = SampleFactory(style=style, status="in_progress", due_date="2027-01-10")
    SampleFactory(style=style, status="approved", due_date="2027-03-01")
    SampleFactory(status="in_progress")
    client = client_for("viewer")

    def ids(**params):
        return [row["id"] for row in client.get(SAMPLES, params).json()["results"]]

    assert ids(style=style.pk, status="in_progress") == [open_sample.pk]
    assert ids(buyer=style.buyer_id, due_before="2027-02-01") == [open_sample.pk]
    assert len(ids(status=["in_progress", "approved"])) == 3


def test_sample_list_rejects_malformed_dates(client_for):
    assert "due" in error_fields(client_for("viewer").get(SAMPLES, {"due_after": "yesterday"}))


def test_sample_list_query_count_is_constant(client_for, assert_queries_constant):
    style = StyleFactory()
    assert_queries_constant(
        client_for("viewer"),
        SAMPLES,
        lambda n: SampleFactory.create_batch(n, style=style),
        ceiling=6,
        params={"page_size": 100},
    )
