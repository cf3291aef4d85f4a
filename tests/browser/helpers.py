"""Steps the admin browser tests share: signing in and choosing in an autocomplete widget."""

from tests.factories import UserFactory

PASSWORD = "s3cret-pass!"


def log_in_as_staff(page, live_server, username: str = "clerk") -> None:
    """Create a superuser and sign in to the admin with it."""
    UserFactory(username=username, password=PASSWORD, is_staff=True, is_superuser=True)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def pick(page, select_id: str, text: str) -> None:
    """Choose `text` in one of the admin's autocomplete (select2) widgets."""
    page.click(f"#{select_id} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", text)
    page.click(f".select2-container--open .select2-results__option:has-text('{text}')")
