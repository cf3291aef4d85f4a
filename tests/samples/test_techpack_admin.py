from decimal import Decimal

import pytest

from apps.samples import techpacks
from apps.samples.models import MeasurementPoint, SampleMeasurement, TechPack
from tests.samples.factories import MeasurementPointFactory, SampleFactory, StyleFactory, TechPackFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/samples/techpack/"


def inline(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    """The management form and rows of an admin inline, as the browser posts them."""
    data = {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": initial}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def test_tech_pack_changelist_query_count_is_constant(staff_client, assert_queries_constant):
    assert_queries_constant(staff_client, CHANGELIST, TechPackFactory.create_batch, ceiling=8)


def test_admin_adds_version_1_with_its_chart(staff_client):
    style = StyleFactory()
    points = [
        {"position": 1, "code": "A", "description": "Chest", "base_value": "50", "tolerance": "1",
         "increments": '{"L": "2", "S": "2"}'},
    ]  # fmt: skip
    data = {"style": style.pk, "base_size": "M", "revision_note": "First", **inline("points", points)}
    response = staff_client.post(f"{CHANGELIST}add/", data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors or response.context["inline_admin_formsets"]
    )
    pack = TechPack.objects.get()
    assert (pack.version, pack.sizes[:3], pack.created_by.username) == (1, ["XS", "S", "M"], "admin")
    assert list(pack.points.values_list("code", "increments")) == [("A", {"L": "2.00", "S": "2.00"})]


def test_admin_refuses_a_chart_with_an_increment_for_the_base_size(staff_client):
    style = StyleFactory()
    points = [{"position": 1, "code": "A", "description": "Chest", "base_value": "50", "tolerance": "1",
               "increments": '{"M": "2"}'}]  # fmt: skip
    response = staff_client.post(f"{CHANGELIST}add/", {"style": style.pk, "base_size": "M", **inline("points", points)})
    assert response.status_code == 200
    assert "M is the base size" in response.content.decode()
    assert not TechPack.objects.exists()


def test_change_page_shows_the_graded_chart_and_the_new_version_button(staff_client):
    point = MeasurementPointFactory(code="A", base_value="50.00", increments={"L": "2.00", "XL": "2.50"})
    page = staff_client.get(f"{CHANGELIST}{point.tech_pack_id}/change/").content.decode()
    assert 'class="graded-chart"' in page
    assert "<td>52.00</td><td>54.50</td>" in page  # L and XL graded from M
    assert f"{CHANGELIST}{point.tech_pack_id}/new-version/" in page


def test_new_version_page_starts_the_next_version_and_the_old_one_turns_read_only(staff_client):
    v1 = MeasurementPointFactory(code="A").tech_pack
    response = staff_client.post(f"{CHANGELIST}{v1.pk}/new-version/", {"revision_note": "Buyer comments 2"})
    v2 = TechPack.objects.get(version=2)
    assert response.status_code == 302 and response.url == f"{CHANGELIST}{v2.pk}/change/"
    assert list(v2.points.values_list("code", flat=True)) == ["A"]

    old_page = staff_client.get(f"{CHANGELIST}{v1.pk}/change/").content.decode()
    assert 'name="base_size"' not in old_page and "new-version/" not in old_page
    refused = staff_client.post(f"{CHANGELIST}{v1.pk}/change/", {"base_size": "L", **inline("points", [], 1)})
    assert refused.status_code == 403
    v1.refresh_from_db()
    assert v1.base_size == "M"


def test_sample_page_saves_measurements_through_the_service_and_highlights_out_of_tolerance(staff_client):
    pack = TechPackFactory()
    chest = MeasurementPointFactory(tech_pack=pack, code="A", base_value="50.00", tolerance="1.00")
    length = MeasurementPointFactory(tech_pack=pack, code="B", base_value="70.00", tolerance="1.50")
    sample = SampleFactory(style=pack.style, tech_pack=pack, size="M", type="fit", status="requested")
    rows = [{"point": chest.pk, "measured": "52.00"}, {"point": length.pk, "measured": "70.50"}]
    data = {"type": "fit", "due_date": "", "comments": "", "tech_pack": pack.pk, "size": "M",
            **inline("measurements", rows)}  # fmt: skip
    response = staff_client.post(f"/admin/samples/sample/{sample.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = dict(SampleMeasurement.objects.values_list("point__code", "spec"))
    assert saved == {"A": Decimal("50.00"), "B": Decimal("70.00")}

    page = staff_client.get(f"/admin/samples/sample/{sample.pk}/change/").content.decode()
    assert page.count('<tr class="out-of-tolerance">') == 1
    assert '<tr class="out-of-tolerance"><td>A</td>' in page
    assert "css/measurements.css" in page


def test_sample_page_offers_only_the_style_tech_pack_versions(staff_client):
    pack = TechPackFactory()
    techpacks.tech_pack_new_version(tech_pack=pack, revision_note="Second round")
    other = TechPackFactory()
    sample = SampleFactory(style=pack.style)
    page = staff_client.get(f"/admin/samples/sample/{sample.pk}/change/").content.decode()
    assert "v2 Second round" in page and "v1 " in page
    assert f'value="{other.pk}"' not in page


def test_new_version_page_of_an_id_that_is_not_a_number_is_not_found(staff_client):
    assert staff_client.get(f"{CHANGELIST}abc/new-version/").status_code == 404
    assert staff_client.get(f"{CHANGELIST}0/new-version/").status_code == 404


def test_admin_refuses_a_chart_with_a_code_twice_in_any_case_as_a_form_error(staff_client):
    pack = TechPackFactory()
    points = [
        {"position": 1, "code": "A", "description": "Chest", "base_value": "50", "tolerance": "1", "increments": "{}"},
        {"position": 2, "code": "a", "description": "Length", "base_value": "70", "tolerance": "1", "increments": "{}"},
    ]
    data = {"base_size": "M", "revision_note": "", **inline("points", points)}
    response = staff_client.post(f"{CHANGELIST}{pack.pk}/change/", data)
    assert response.status_code == 200
    assert "Each code once: A repeated." in response.content.decode()
    assert not MeasurementPoint.objects.exists()


def test_admin_save_of_a_tech_pack_a_sample_was_just_made_to_is_refused_without_saving(staff_client, monkeypatch):
    pack = TechPackFactory()
    update = techpacks.tech_pack_update

    def sample_made_meanwhile(**kwargs):
        SampleFactory(style=pack.style, tech_pack=pack, size="M")
        return update(**kwargs)

    monkeypatch.setattr(techpacks, "tech_pack_update", sample_made_meanwhile)
    url = f"{CHANGELIST}{pack.pk}/change/"
    response = staff_client.post(url, {"base_size": "L", "revision_note": "late", **inline("points", [])})
    assert (response.status_code, response.url) == (302, url)
    assert "Samples were made to v1" in staff_client.get(url).content.decode()
    pack.refresh_from_db()
    assert (pack.base_size, pack.revision_note, pack.samples.count()) == ("M", "", 0)  # all rolled back


def sample_page(sample, rows=(), initial=0, **fields) -> dict:
    """The sample's change form as posted, with these measurement rows."""
    data = {"type": sample.type, "due_date": "", "comments": "", "tech_pack": sample.tech_pack_id or "",
            "size": sample.size, **inline("measurements", list(rows), initial)}  # fmt: skip
    return {**data, **fields}


def test_sample_page_refuses_measuring_a_sample_without_a_size_as_a_form_error(staff_client):
    point = MeasurementPointFactory(code="A")
    sample = SampleFactory(style=point.tech_pack.style, tech_pack=point.tech_pack, size="")
    response = staff_client.post(
        f"/admin/samples/sample/{sample.pk}/change/", sample_page(sample, [{"point": point.pk, "measured": "50"}])
    )
    assert response.status_code == 200
    assert "Measured in size (none): not one of the tech pack" in response.content.decode()
    assert not SampleMeasurement.objects.exists()


def test_sample_page_refuses_changing_the_size_of_a_measured_sample_as_a_form_error(staff_client):
    point = MeasurementPointFactory(code="A")
    sample = SampleFactory(style=point.tech_pack.style, tech_pack=point.tech_pack, size="M")
    (measurement,) = techpacks.sample_record_measurements(sample=sample, measured={"A": Decimal("50")})
    row = {"id": measurement.pk, "sample": sample.pk, "point": point.pk, "measured": "50.00"}
    response = staff_client.post(
        f"/admin/samples/sample/{sample.pk}/change/", sample_page(sample, [row], initial=1, size="L")
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["size"] == [
        "The sample has measurements checked against it: it cannot change."
    ]
    sample.refresh_from_db()
    assert sample.size == "M"


def test_sample_page_refuses_points_of_the_old_tech_pack_after_switching_it(staff_client):
    v1 = MeasurementPointFactory(code="A").tech_pack
    v2 = techpacks.tech_pack_new_version(tech_pack=v1, revision_note="r2")
    techpacks.tech_pack_update(tech_pack=v2, data={}, points=[{"code": "Z", "description": "New", "base_value": "5",
                                                              "tolerance": "1", "increments": {}}])  # fmt: skip
    sample = SampleFactory(style=v1.style, tech_pack=v1, size="M")
    old_point = v1.points.get()
    data = sample_page(sample, [{"point": old_point.pk, "measured": "50"}], tech_pack=v2.pk)
    response = staff_client.post(f"/admin/samples/sample/{sample.pk}/change/", data)
    assert response.status_code == 200
    assert "Not points of the tech pack (v2): A." in response.content.decode()
    sample.refresh_from_db()
    assert (sample.tech_pack_id, SampleMeasurement.objects.count()) == (v1.pk, 0)


def test_sample_page_saves_a_sample_without_a_tech_pack_and_takes_its_size_in_any_case(staff_client):
    sample = SampleFactory(size="")
    response = staff_client.post(f"/admin/samples/sample/{sample.pk}/change/", sample_page(sample, size="m"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    sample.refresh_from_db()
    assert sample.size == "M"
