"""Headless Chromium from the system's packages, driven by Selenium: never a downloaded browser or driver."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CRISISBOT_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CRISISBOT_CHROMEDRIVER", "/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
DOCS = Path(__file__).resolve().parents[2] / "docs"
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,900",
    "--force-device-scale-factor=1", "--lang=en-US",
)


def require_browser() -> None:
    """Skips when Chromium or its driver is missing, unless CRISISBOT_REQUIRE_BROWSER=1 makes that a failure."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not (os.path.exists(path) or shutil.which(path))]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package")
    if missing:
        message = f"browser tests need {', '.join(missing)} (apt-get install chromium chromium-driver)"
        if os.environ.get("CRISISBOT_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)


@contextmanager
def chromium(profile: Path) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    # The driver's path given explicitly: Selenium Manager never looks for (or downloads) one.
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def save_screenshot(driver: Any, name: str) -> Path:
    """A full-page PNG under tests/artifacts (gitignored); CRISISBOT_UPDATE_SCREENSHOTS=1 also refreshes docs/."""
    ARTIFACTS.mkdir(exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(height, 600), 4000))
    path = ARTIFACTS / name
    driver.save_screenshot(str(path))
    if os.environ.get("CRISISBOT_UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(exist_ok=True)
        shutil.copyfile(path, DOCS / name)
    driver.set_window_size(1280, 900)
    return path
