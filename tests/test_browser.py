"""What a reader sees, in a real headless Chromium (Debian's `chromium` and `chromium-driver` packages).

Skipped when either is missing (failed under CI=true). With NEWSROOM_SCREENSHOTS=<folder> set, the test also
saves the screenshots in docs/ there (`NEWSROOM_SCREENSHOTS=docs/screenshots pytest -m browser`).
"""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

from articles.demo import load_demo
from articles.models import Article

from .external import chromium
from .factories import ArticleFactory

pytestmark = pytest.mark.browser

# Quiet and repeatable: no background traffic, no scrollbars, one device pixel per CSS pixel for screenshots.
FLAGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
]


@pytest.fixture
def browser():
    driver = chromium(*FLAGS)
    driver.set_window_size(1200, 1000)
    yield driver
    driver.quit()


def screenshot(driver, name, height):
    folder = os.environ.get("NEWSROOM_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.set_window_size(1200, height)
        driver.save_screenshot(str(Path(folder) / name))
        driver.set_window_size(1200, 1000)


def computed(driver, selector, prop):
    return driver.execute_script(
        "return getComputedStyle(document.querySelector(arguments[0])).getPropertyValue(arguments[1]);",
        selector,
        prop,
    )


def rgb(css):
    return [int(part) for part in css[css.index("(") + 1 : css.index(")")].split(",")[:3]]


def contrast(foreground, background):
    """WCAG 2 contrast ratio of two sRGB colours."""

    def luminance(colour):
        linear = [
            c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in colour
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def emulate(driver, media="", scheme="light"):
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"media": media, "features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )


def test_reader_reads_the_home_page_and_a_story(browser, live_server):
    load_demo()
    seed = Article.objects.get(external_id="demo:l1cam-metastasis")
    ArticleFactory(
        headline="Tumour cells borrow the body's repair kit",
        standfirst="A second team finds the same wound-healing signals in lung cancer.",
        section=seed.section,
        tags=["cancer"],
        published_at=timezone.now() - timedelta(days=4),
    )

    browser.get(live_server.url + "/")
    assert browser.title == "Newsroom"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Latest science news"
    headlines = [element.text for element in browser.find_elements(By.CSS_SELECTOR, ".teaser-headline a")]
    assert headlines == [story.headline for story in Article.objects.published()]
    assert all(element.is_displayed() for element in browser.find_elements(By.CSS_SELECTOR, ".teaser"))
    # The site runs no JavaScript: the only scripts are JSON-LD data.
    assert (
        browser.execute_script(
            "return [...document.scripts].filter(s => s.type !== 'application/ld+json').length"
        )
        == 0
    )
    # The skip link is off screen until the keyboard reaches it, then it shows.
    skip = browser.find_element(By.CSS_SELECTOR, ".skip-link")
    assert skip.location["x"] < 0
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert browser.switch_to.active_element == skip
    assert skip.location["x"] >= 0 and skip.is_displayed()
    assert computed(browser, ".skip-link:focus", "outline-style") == "solid"
    browser.execute_script("document.activeElement.blur()")
    screenshot(browser, "home.png", 1000)

    browser.find_element(By.LINK_TEXT, seed.headline).click()
    assert browser.current_url == live_server.url + seed.get_absolute_url()
    assert browser.find_element(By.TAG_NAME, "h1").text == seed.headline
    assert browser.find_element(By.CSS_SELECTOR, ".standfirst").text == seed.standfirst
    assert browser.find_element(By.CSS_SELECTOR, ".meta a[rel=author]").text == "Priya Raman"
    quotes = browser.find_elements(By.CSS_SELECTOR, ".quotes blockquote")
    assert [quote.text for quote in quotes] == [
        "Metastasis looks like tissue regeneration happening in the wrong place.",
        "They are no longer the tumour they came from.",
    ]
    reference = browser.find_element(By.CSS_SELECTOR, ".references li")
    assert "Nature Cancer 1, 28–45 (2020)." in reference.text
    assert reference.find_element(By.PARTIAL_LINK_TEXT, "doi:10.1038").get_attribute("href") == (
        "https://doi.org/10.1038/s43018-019-0006-x"
    )
    # Selenium's text includes the visually hidden "file for reference 1" that screen readers hear.
    assert [link.text.split("\n")[0] for link in reference.find_elements(By.CSS_SELECTOR, ".cite a")] == [
        "BibTeX",
        "RIS",
        "CSL-JSON",
    ]
    related = [link.text for link in browser.find_elements(By.CSS_SELECTOR, ".related a")]
    assert related == ["Tumour cells borrow the body's repair kit"]
    screenshot(browser, "article.png", 1500)

    # Narrow phone screen: nothing wider than the viewport.
    browser.set_window_size(375, 800)
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    browser.set_window_size(1200, 1000)

    # Text keeps WCAG AA contrast (4.5:1) against its background in both colour schemes.
    for scheme in ("light", "dark"):
        emulate(browser, scheme=scheme)
        page = rgb(computed(browser, "body", "background-color"))
        for selector in ("body", ".meta", ".kicker a", ".standfirst", "figcaption", ".cite a"):
            assert contrast(rgb(computed(browser, selector, "color")), page) >= 4.5, (scheme, selector)
        button = ".site-search button"
        assert (
            contrast(
                rgb(computed(browser, button, "color")), rgb(computed(browser, button, "background-color"))
            )
            >= 4.5
        )

    # Dark mode follows the system setting; print hides the search box and site navigation.
    emulate(browser, scheme="dark")
    assert computed(browser, "body", "background-color") == "rgb(18, 18, 18)"
    emulate(browser, media="print")
    assert computed(browser, ".site-search", "display") == "none"
    assert computed(browser, "body", "background-color") == "rgb(255, 255, 255)"
    emulate(browser)

    # Search works without JavaScript: the form submits, matches are marked.
    box = browser.find_element(By.ID, "site-search-q")
    box.send_keys("wound healing")
    browser.find_element(By.CSS_SELECTOR, ".site-search button").click()
    WebDriverWait(browser, 10).until(lambda driver: "/search/?q=" in driver.current_url)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Stories matching “wound healing”"
    assert browser.find_element(By.CSS_SELECTOR, ".teaser-headline a").text == seed.headline
    assert browser.find_elements(By.CSS_SELECTOR, ".teaser mark")
