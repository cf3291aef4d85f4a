import pytest
from django.core.exceptions import ValidationError

from apps.buyers import services
from apps.buyers.models import Buyer
from tests.buyers.factories import BuyerFactory

pytestmark = pytest.mark.django_db


def test_buyer_create_saves_a_valid_buyer():
    buyer = services.buyer_create(code="NEXT", name="Next", country="GB", currency="GBP", payment_terms="lc_sight")
    assert Buyer.objects.get(code="NEXT") == buyer
    assert buyer.payment_terms == "lc_sight" and buyer.is_active


def test_buyer_create_defaults_payment_terms():
    assert services.buyer_create(code="N2", name="N", country="GB", currency="GBP").payment_terms == "net_60"


@pytest.mark.parametrize(
    ("field", "value"),
    [("code", "next"), ("code", "-X"), ("country", "GBR"), ("currency", "gbp"), ("payment_terms", "whenever")],
)
def test_buyer_create_refuses_invalid_values(field, value):
    data = {"code": "NEXT", "name": "Next", "country": "GB", "currency": "GBP", field: value}
    with pytest.raises(ValidationError) as error:
        services.buyer_create(**data)
    assert field in error.value.message_dict
    assert not Buyer.objects.exists()


def test_buyer_create_refuses_a_duplicate_code():
    BuyerFactory(code="NEXT")
    with pytest.raises(ValidationError) as error:
        services.buyer_create(code="NEXT", name="Other", country="GB", currency="GBP")
    assert "code" in error.value.message_dict


def test_buyer_update_changes_fields_and_touches_updated_at():
    buyer = BuyerFactory(name="Old")
    before = buyer.updated_at
    updated = services.buyer_update(buyer=buyer, data={"name": "New", "currency": "EUR"})
    assert (updated.name, updated.currency) == ("New", "EUR")
    assert updated.updated_at > before


def test_buyer_update_refuses_the_natural_key():
    buyer = BuyerFactory(code="KEEP")
    with pytest.raises(ValueError, match="code"):
        services.buyer_update(buyer=buyer, data={"code": "OTHER"})
    assert Buyer.objects.filter(code="KEEP").exists()


def test_buyer_update_refuses_invalid_values_and_keeps_the_row():
    buyer = BuyerFactory(country="GB")
    with pytest.raises(ValidationError):
        services.buyer_update(buyer=buyer, data={"country": "Britain"})
    buyer.refresh_from_db()
    assert buyer.country == "GB"


def test_buyer_set_active_counts_only_real_changes():
    active, inactive = BuyerFactory(is_active=True), BuyerFactory(is_active=False)
    assert services.buyer_set_active(buyer_ids=[active.pk, inactive.pk], active=False) == 1
    assert not Buyer.objects.filter(is_active=True).exists()
