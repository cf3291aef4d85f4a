import pytest

from apps.samples.models import Sample
from tests.samples.factories import SampleFactory, StyleFactory, StyleMaterialFactory

pytestmark = pytest.mark.django_db


def test_style_changelist_query_count_is_constant(staff_client, assert_queries_constant):
    assert_queries_constant(staff_client, "/admin/samples/style/", StyleFactory.create_batch, ceiling=8)


def test_sample_changelist_query_count_is_constant(staff_client, assert_queries_constant):
    assert_queries_constant(staff_client, "/admin/samples/sample/", SampleFactory.create_batch, ceiling=8)


def test_style_change_page_shows_the_bill_of_materials(staff_client):
    line = StyleMaterialFactory()
    response = staff_client.get(f"/admin/samples/style/{line.style_id}/change/")
    assert response.status_code == 200
    assert line.material.code in response.content.decode()


def test_sample_admin_request_numbers_the_sample(staff_client):
    style = StyleFactory()
    response = staff_client.post("/admin/samples/sample/add/", {"style": style.pk, "type": "proto", "comments": ""})
    assert response.status_code == 302, response.context["adminform"].form.errors
    sample = Sample.objects.get()
    assert sample.number.startswith("S") and sample.buyer_id == style.buyer_id


def test_sample_admin_actions_move_legal_samples_and_report_illegal_ones(staff_client):
    requested, approved = SampleFactory(status="requested"), SampleFactory(status="approved")
    response = staff_client.post(
        "/admin/samples/sample/",
        {"action": "move_to_in_progress", "_selected_action": [requested.pk, approved.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "1 moved to in_progress." in page
    assert f"{approved.number}: A sample cannot go from &#x27;approved&#x27; to &#x27;in_progress&#x27;" in page
    requested.refresh_from_db()
    approved.refresh_from_db()
    assert (requested.status, approved.status) == ("in_progress", "approved")
