import pytest

from apps.buyers.models import Buyer
from tests.buyers.factories import BuyerFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/buyers/buyer/"


def test_buyer_changelist_query_count_is_the_same_for_5_and_50_rows(staff_client, assert_queries_constant):
    # session, user, page, filtered count (no full count: show_full_result_count=False), filter choices
    assert_queries_constant(staff_client, CHANGELIST, BuyerFactory.create_batch, ceiling=8)


def test_buyer_changelist_searches_and_filters(staff_client):
    BuyerFactory(code="FIND1", name="Findable Wear", is_active=True)
    BuyerFactory(code="HIDE1", name="Other", is_active=True)
    BuyerFactory(code="FIND2", name="Findable Retired", is_active=False)
    response = staff_client.get(CHANGELIST, {"q": "findable", "is_active__exact": "1"})
    assert [buyer.code for buyer in response.context["cl"].result_list] == ["FIND1"]


def test_buyer_admin_creates_a_buyer_and_makes_the_code_read_only(staff_client):
    response = staff_client.post(
        "/admin/buyers/buyer/add/",
        {"code": "ADM1", "name": "Admin Made", "country": "GB", "currency": "GBP", "payment_terms": "net_30"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    buyer = Buyer.objects.get(code="ADM1")
    change_page = staff_client.get(f"/admin/buyers/buyer/{buyer.pk}/change/")
    assert "code" not in change_page.context["adminform"].form.fields


def test_buyer_admin_refuses_invalid_input(staff_client):
    response = staff_client.post("/admin/buyers/buyer/add/", {"code": "bad code", "name": "", "country": "X"})
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) >= {"code", "name", "country", "currency"}
    assert not Buyer.objects.exists()


def test_buyer_admin_deactivate_action(staff_client):
    buyers = BuyerFactory.create_batch(3, is_active=True)
    response = staff_client.post(
        CHANGELIST, {"action": "deactivate", "_selected_action": [buyers[0].pk, buyers[1].pk]}, follow=True
    )
    assert "2 buyer(s) deactivated." in response.content.decode()
    assert list(Buyer.objects.filter(is_active=True)) == [buyers[2]]


def test_buyer_admin_offers_no_delete(staff_client):
    buyer = BuyerFactory()
    assert staff_client.get(f"/admin/buyers/buyer/{buyer.pk}/delete/").status_code == 403


def test_buyer_admin_is_readable_by_a_viewer_but_not_editable(client):
    buyer = BuyerFactory()
    client.force_login(UserFactory(roles=["viewer"], is_staff=True))
    assert client.get(CHANGELIST).status_code == 200
    response = client.post(f"/admin/buyers/buyer/{buyer.pk}/change/", {"name": "Hacked"})
    assert response.status_code == 403
    buyer.refresh_from_db()
    assert buyer.name != "Hacked"
