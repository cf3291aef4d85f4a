import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture
def api_client():
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def client_for(db):
    """client_for("merchandiser") -> an APIClient logged in as a new user with that role (none: no role)."""

    def make(*roles: str, **user_fields) -> APIClient:
        client = APIClient()
        client.force_login(UserFactory(roles=list(roles), **user_fields))  # a real session, as in the browser
        return client

    return make


@pytest.fixture
def staff_client(client, db):
    """A Django test client logged in as a superuser, for admin pages."""
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client
