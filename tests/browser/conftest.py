import os
import shutil

import pytest
from django.db import connections

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def chromium():
    """Debian's Chromium driven by Playwright (never a browser of Playwright's own).

    One per test on purpose: while Playwright's sync API runs, the main thread is in another
    context, where Django's context-local connections lack the test database's serialized
    state. Started after the database fixture and stopped before its teardown, the flush
    and restore of transactional tests happen outside it.
    """
    executable = shutil.which("chromium")
    if executable is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("Chromium is required here (REQUIRE_BROWSER is set): run `make browser`.")
        pytest.skip("Chromium is not installed: `make browser` installs it.")
    # The live server runs in a thread of this process while Playwright's sync API holds an event loop.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        connections.close_all()  # the ones the test opened in Playwright's context, which nothing else closes


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
