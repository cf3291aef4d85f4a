import pytest
from django.contrib.auth.models import Group

from apps.core.roles import ROLES

pytestmark = pytest.mark.django_db


def test_every_role_exists_as_a_group():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("merchandiser", {"add_buyer", "change_buyer", "view_buyer"}),
        ("sales", {"add_buyer", "change_buyer", "view_buyer"}),
        ("purchasing", {"view_buyer"}),
        ("warehouse", {"view_buyer"}),
        ("viewer", {"view_buyer"}),
    ],
)
def test_role_buyer_permissions(role, expected):
    group = Group.objects.get(name=role)
    granted = set(group.permissions.filter(content_type__app_label="buyers").values_list("codename", flat=True))
    assert granted == expected
