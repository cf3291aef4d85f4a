import pytest
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token

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


def test_token_changelist_query_count_is_constant(staff_client, assert_queries_constant):
    def make(n):
        for user in UserFactory.create_batch(n):
            Token.objects.create(user=user)

    assert_queries_constant(staff_client, "/admin/authtoken/tokenproxy/", make)


def test_group_changelist_query_count_is_constant(staff_client, assert_queries_constant):
    def make(n):
        start = Group.objects.count()
        Group.objects.bulk_create(Group(name=f"team {start + i}") for i in range(n))

    assert_queries_constant(staff_client, "/admin/auth/group/", make)
