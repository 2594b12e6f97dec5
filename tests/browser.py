"""Debian's chromium driven by Playwright (the system browser: nothing is downloaded), for the page tests."""

import contextlib
import os
import shutil

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("SEQTK_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@contextlib.contextmanager
def browser_page(url, ready="document.body.dataset.ready !== undefined"):
    """A headless Chromium page at `url`, once `ready` (a JavaScript expression) holds."""
    if not CHROMIUM:
        pytest.fail("No chromium on PATH: scripts/setup.sh installs Debian's chromium (apt-get install chromium); "
                    "or set SEQTK_CHROMIUM to a Chromium binary.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(url)
            page.wait_for_function(ready, timeout=120_000)
            yield page
        finally:
            browser.close()
