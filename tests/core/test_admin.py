import pytest

from apps.core.models import IdempotencyKey
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_user_changelist_query_count_is_constant(staff_client, assert_queries_constant):
    assert_queries_constant(staff_client, "/admin/core/user/", UserFactory.create_batch)


def test_idempotency_key_changelist_query_count_is_constant(staff_client, assert_queries_constant):
    user = UserFactory()

    def make(n):
        start = IdempotencyKey.objects.count()
        IdempotencyKey.objects.bulk_create(
            IdempotencyKey(user=user, scope="test", key=f"k{start + i}", fingerprint="f", status_code=201, response={})
            for i in range(n)
        )

    assert_queries_constant(staff_client, "/admin/core/idempotencykey/", make)


def test_idempotency_keys_are_read_only_in_the_admin(staff_client):
    assert staff_client.get("/admin/core/idempotencykey/add/").status_code == 403
