from decimal import Decimal

import pytest

from apps.samples import techpacks
from apps.samples.models import MeasurementPoint, TechPack
from tests.helpers import assert_error_shape
from tests.samples.factories import MeasurementPointFactory, SampleFactory, StyleFactory, TechPackFactory

pytestmark = pytest.mark.django_db

TECH_PACKS = "/api/v1/tech-packs/"
SAMPLES = "/api/v1/samples/"
CHART = [
    {"code": "A", "description": "Chest width", "base_value": "50.00", "tolerance": "1.00",
     "increments": {"XS": "2", "S": "2", "L": "2", "XL": "2.5", "XXL": "2.5"}},
    {"code": "B", "description": "Body length", "base_value": "70.00", "tolerance": "1.50", "increments": {"L": "1"}},
]  # fmt: skip


@pytest.fixture
def merchandiser(client_for):
    return client_for("merchandiser")


def create_pack(client, style, points=CHART):
    response = client.post(TECH_PACKS, {"style": style.pk, "base_size": "M", "points": points}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_create_is_version_1_with_the_graded_table(merchandiser):
    body = create_pack(merchandiser, StyleFactory())
    assert (body["version"], body["sizes"], body["editable"], body["is_newest"]) == (
        1,
        ["XS", "S", "M", "L", "XL", "XXL"],
        True,
        True,
    )
    assert [point["code"] for point in body["points"]] == ["A", "B"]
    assert body["graded"]["XS"] == {"A": "46.00", "B": "70.00"}
    assert body["graded"]["XXL"] == {"A": "57.00", "B": "71.00"}
    assert body["graded"]["M"] == {"A": "50.00", "B": "70.00"}


def test_create_bad_chart_is_refused_and_writes_nothing(merchandiser):
    style = StyleFactory()
    points = [{**CHART[0], "increments": {"M": "1", "4XL": "x"}}, {**CHART[1], "tolerance": "-1"}]
    response = merchandiser.post(TECH_PACKS, {"style": style.pk, "base_size": "4XL", "points": points}, format="json")
    fields = assert_error_shape(response, 400, "invalid")["fields"]
    assert set(fields["points"]) == {"0", "1"}  # DRF refuses the number and the negative tolerance first
    response = merchandiser.post(TECH_PACKS, {"style": style.pk, "base_size": "4XL", "points": CHART}, format="json")
    assert "4XL is not one of the sizes" in assert_error_shape(response, 400, "invalid")["fields"]["base_size"][0]
    assert not TechPack.objects.exists() and not MeasurementPoint.objects.exists()


def test_second_create_for_a_style_is_refused(merchandiser):
    style = StyleFactory()
    create_pack(merchandiser, style)
    response = merchandiser.post(TECH_PACKS, {"style": style.pk, "base_size": "M"}, format="json")
    assert "start a new version" in assert_error_shape(response, 400, "invalid")["fields"]["style"][0]


def test_new_version_then_the_old_one_refuses_writes_and_stays_as_it_was(merchandiser):
    v1 = create_pack(merchandiser, StyleFactory())
    sample = SampleFactory(style_id=v1["style"], tech_pack_id=v1["id"], size="M")
    response = merchandiser.post(f"{TECH_PACKS}{v1['id']}/new-version/", {"revision_note": "Chest +1"}, format="json")
    assert response.status_code == 201, response.content
    v2 = response.json()
    assert (v2["version"], v2["revision_note"], v2["graded"]) == (2, "Chest +1", v1["graded"])

    changed = merchandiser.patch(f"{TECH_PACKS}{v2['id']}/", {"points": [{**CHART[0], "base_value": "51"}]})
    assert changed.status_code == 200, changed.content
    assert changed.json()["graded"]["M"] == {"A": "51.00"}

    refused = merchandiser.patch(f"{TECH_PACKS}{v1['id']}/", {"revision_note": "x", "points": []}, format="json")
    assert "only the newest version (v2) may change" in assert_error_shape(refused, 400, "invalid")["message"] + str(
        refused.json()["error"]["fields"]
    )
    again = merchandiser.post(f"{TECH_PACKS}{v1['id']}/new-version/", {"revision_note": "x"}, format="json")
    assert_error_shape(again, 400, "invalid")

    old = merchandiser.get(f"{TECH_PACKS}{v1['id']}/").json()
    assert (old["points"], old["graded"], old["revision_note"]) == (v1["points"], v1["graded"], "")
    assert (old["is_newest"], old["sample_count"], old["editable"]) == (False, 1, False)
    assert merchandiser.get(f"{SAMPLES}{sample.pk}/").json()["tech_pack"] == v1["id"]


def test_new_version_needs_a_revision_note(merchandiser):
    pack = TechPackFactory()
    assert_error_shape(merchandiser.post(f"{TECH_PACKS}{pack.pk}/new-version/", {}, format="json"), 400, "invalid")
    assert pack.style.tech_packs.count() == 1


def test_list_filters_by_style_code_and_marks_the_newest(client_for):
    pack = TechPackFactory(style=StyleFactory(code="OX-1"))
    newer = techpacks.tech_pack_new_version(tech_pack=pack, revision_note="r2")
    TechPackFactory()
    rows = client_for("viewer").get(TECH_PACKS, {"style_code": "ox-1"}).json()["results"]
    assert [(row["id"], row["version"], row["is_newest"]) for row in rows] == [(newer.pk, 2, True), (pack.pk, 1, False)]


def test_tech_pack_list_query_count_is_constant(client_for, assert_queries_constant):
    def make(count):
        for pack in TechPackFactory.create_batch(count):
            MeasurementPointFactory(tech_pack=pack)

    assert_queries_constant(client_for("viewer"), TECH_PACKS, make, ceiling=6)


# --- Fit samples ---------------------------------------------------------------------------------


@pytest.fixture
def fit_sample(merchandiser):
    """An XL fit sample of a tech pack: spec A 54.50 ± 1.00, B 71.00 ± 1.50."""
    pack = create_pack(merchandiser, StyleFactory())
    payload = {"style": pack["style"], "type": "fit", "tech_pack": pack["id"], "size": "XL"}
    response = merchandiser.post(SAMPLES, payload, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_sample_measurements_flag_the_point_out_of_tolerance(merchandiser, fit_sample):
    url = f"{SAMPLES}{fit_sample['id']}/measurements/"
    measured = {"measurements": [{"code": "A", "measured": "56.00"}, {"code": "B", "measured": "70.00"}]}
    response = merchandiser.put(url, measured, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    rows = [(m["code"], m["measured"], m["spec"], m["deviation"], m["tolerance"], m["out_of_tolerance"])
            for m in body["measurements"]]  # fmt: skip
    assert rows == [
        ("A", "56.00", "54.50", "1.50", "1.00", True),
        ("B", "70.00", "71.00", "-1.00", "1.50", False),
    ]
    assert body["out_of_tolerance_points"] == ["A"]
    assert merchandiser.get(f"{SAMPLES}{fit_sample['id']}/").json()["measurements"] == body["measurements"]


def test_sample_list_filters_samples_out_of_tolerance(merchandiser, fit_sample):
    within = SampleFactory(style_id=fit_sample["style"], tech_pack_id=fit_sample["tech_pack"], size="M")
    unmeasured = SampleFactory()
    techpacks.sample_record_measurements(sample=within, measured={"A": Decimal("50.50")})
    merchandiser.put(
        f"{SAMPLES}{fit_sample['id']}/measurements/",
        {"measurements": [{"code": "A", "measured": "50.00"}, {"code": "B", "measured": "71.00"}]},
        format="json",
    )
    flagged = merchandiser.get(SAMPLES, {"out_of_tolerance": "true"}).json()["results"]
    assert [row["id"] for row in flagged] == [fit_sample["id"]]
    clean = merchandiser.get(SAMPLES, {"out_of_tolerance": "false"}).json()["results"]
    assert {row["id"] for row in clean} == {within.pk, unmeasured.pk}


def test_sample_list_filtered_out_of_tolerance_query_count_is_constant(client_for, assert_queries_constant):
    point = MeasurementPointFactory(increments={})

    def make(count):
        for _ in range(count):
            sample = SampleFactory(style=point.tech_pack.style, tech_pack=point.tech_pack, size="M")
            techpacks.sample_record_measurements(sample=sample, measured={point.code: Decimal("60")})

    assert_queries_constant(client_for("viewer"), SAMPLES, make, ceiling=6, params={"out_of_tolerance": "true"})


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"measurements": [{"code": "Z", "measured": "1"}]}, "measurements"),
        ({"measurements": [{"code": "A", "measured": "-1"}]}, "measurements"),
        ({"measurements": [{"code": "A", "measured": "1"}, {"code": "A", "measured": "2"}]}, "measurements"),
        ({}, "measurements"),
    ],
)
def test_sample_measurements_bad_input_changes_nothing(merchandiser, fit_sample, payload, field):
    url = f"{SAMPLES}{fit_sample['id']}/measurements/"
    merchandiser.put(url, {"measurements": [{"code": "B", "measured": "71"}]}, format="json")
    response = merchandiser.put(url, payload, format="json")
    assert field in assert_error_shape(response, 400, "invalid")["fields"]
    assert [m["code"] for m in merchandiser.get(f"{SAMPLES}{fit_sample['id']}/").json()["measurements"]] == ["B"]


def test_sample_in_a_size_outside_the_range_is_refused(merchandiser, fit_sample):
    response = merchandiser.patch(f"{SAMPLES}{fit_sample['id']}/", {"size": "4XL"}, format="json")
    assert "4XL is not a size" in assert_error_shape(response, 400, "invalid")["fields"]["size"][0]
    other = TechPackFactory()
    response = merchandiser.patch(f"{SAMPLES}{fit_sample['id']}/", {"tech_pack": other.pk}, format="json")
    assert "tech_pack" in assert_error_shape(response, 400, "invalid")["fields"]


def test_sample_measurements_need_the_merchandiser_role(client_for, fit_sample):
    url = f"{SAMPLES}{fit_sample['id']}/measurements/"
    response = client_for("sales").put(url, {"measurements": []}, format="json")
    assert_error_shape(response, 403, "permission_denied")
