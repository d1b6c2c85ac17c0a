"""What a reader sees, in a real headless Chromium (Debian's `chromium` and `chromium-driver` packages).

Skipped when either is missing (failed under CI=true). With NEWSROOM_SCREENSHOTS=<folder> set, the tests also
save full-page screenshots of the home, article, speaker and author pages at 1280 and 390 pixels there
(`NEWSROOM_SCREENSHOTS=docs/screenshots pytest -m browser tests/test_browser.py`).
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
from articles.models import Article, Speaker

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


AXE = Path(__file__).resolve().parent / "fixtures" / "axe" / "axe.min.js"
WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture
def reader_site(settings, live_server):
    """The live server with uploaded files served, so pages show their pictures."""
    settings.ROOT_URLCONF = "tests.urls_with_media"
    return live_server


def fit_window(driver, width):
    """Make the viewport exactly `width` wide and as tall as the page, so a screenshot shows the whole page."""
    metrics = {"width": width, "height": 1000, "deviceScaleFactor": 1, "mobile": width < 600}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**metrics, "height": min(height, 8000)})


def screenshot(driver, name, height):
    """With NEWSROOM_SCREENSHOTS set, save the window, 1200 pixels wide and `height` high, as `name`."""
    folder = os.environ.get("NEWSROOM_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.set_window_size(1200, height)
        driver.save_screenshot(str(Path(folder) / name))
        driver.set_window_size(1200, 1000)


def reader_screenshots(driver, name):
    """With NEWSROOM_SCREENSHOTS set, save the whole page at each width in WIDTHS as <name>-<width>.png, and the
    desktop one also as <name>.png (the README shows home.png and article.png)."""
    folder = os.environ.get("NEWSROOM_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for width in WIDTHS.values():
            fit_window(driver, width)
            driver.save_screenshot(str(Path(folder) / f"{name}-{width}.png"))
            if width == WIDTHS["desktop"]:
                driver.save_screenshot(str(Path(folder) / f"{name}.png"))
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.set_window_size(WIDTHS["desktop"], 1000)


def axe_violations(driver):
    """axe-core's violations on the current page (WCAG 2.2 A and AA, and axe's best practices): rule and nodes."""
    driver.execute_script(AXE.read_text())
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document).then(r => done(r.violations.map(v => [v.id, v.nodes.map(n => n.target.join(' '))])))"
        ".catch(e => done([['axe-error', [String(e)]]]));"
    )
    return result


def fits_the_screen(driver):
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


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


def test_reader_reads_the_home_page_and_a_story(browser, reader_site):
    live_server = reader_site
    load_demo()
    seed = Article.objects.get(external_id="demo:l1cam-metastasis")
    ArticleFactory(
        headline="Tumour cells borrow the body's repair kit",
        standfirst="A second team finds the same wound-healing signals in lung cancer.",
        section=seed.section,
        tags=["cancer"],
        published_at=timezone.now() - timedelta(days=4),
    )
    browser.set_window_size(WIDTHS["desktop"], 1000)

    browser.get(live_server.url + "/")
    assert browser.title == "Newsroom"
    assert browser.find_element(By.TAG_NAME, "h1").get_attribute("textContent") == "Latest science news"
    headlines = [element.text for element in browser.find_elements(By.CSS_SELECTOR, ".teaser-headline a")]
    assert sorted(headlines) == sorted(story.headline for story in Article.objects.published())
    # The newest story has a picture, so it leads; every section with stories has its own rail.
    lead = browser.find_element(By.CSS_SELECTOR, ".teaser-lead")
    assert (
        lead.find_element(By.CSS_SELECTOR, ".teaser-headline").text == Article.objects.published()[0].headline
    )
    assert lead.find_element(By.TAG_NAME, "img").get_attribute("naturalWidth") != "0"
    rails = [element.text for element in browser.find_elements(By.CSS_SELECTOR, ".rail-heading")]
    assert rails[0] == "LATEST" and "HEALTH" in rails
    sections = [link.text for link in browser.find_elements(By.CSS_SELECTOR, ".sections a")]
    assert sections == ["Latest", "Environment", "Health", "Physics", "Space"]
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
    # Our own fonts, from our own server: nothing the page loads comes from anywhere else.
    assert browser.execute_async_script("document.fonts.ready.then(() => arguments[0](true))")
    assert browser.execute_script("return document.fonts.check('1em \"Source Serif 4\"')")
    assert computed(browser, "body", "font-family").startswith('"Source Serif 4"')
    assert computed(browser, ".site-search button", "font-family").startswith('"Source Sans 3"')
    reader_screenshots(browser, "home")

    browser.find_element(By.LINK_TEXT, seed.headline).click()
    assert browser.current_url == live_server.url + seed.get_absolute_url()
    assert browser.find_element(By.TAG_NAME, "h1").text == seed.headline
    assert browser.find_element(By.CSS_SELECTOR, ".standfirst").text == seed.standfirst
    assert browser.find_element(By.CSS_SELECTOR, ".byline a[rel=author]").text == "Priya Raman"
    # Each quote stands once in the body; the flagged one is pulled out beside it, hidden from screen readers
    # (they have just read those words).
    body = browser.find_element(By.CSS_SELECTOR, ".story-body").text
    assert body.count("They are no longer the tumour they came from.") == 1
    pulled = browser.find_elements(By.CSS_SELECTOR, ".pull-quote")
    assert len(pulled) == 1 and pulled[0].get_attribute("aria-hidden") == "true"
    assert "Metastasis looks like tissue regeneration" in pulled[0].text
    people = [link.text for link in browser.find_elements(By.CSS_SELECTOR, ".people li > a:first-child")]
    assert people == ["Joan Massagué", "Karuna Ganesh"]
    reference = browser.find_element(By.CSS_SELECTOR, ".references li")
    assert "Nature Cancer 1, 28–45 (2020)." in reference.text
    assert computed(browser, ".reference-line i", "font-style") == "italic"
    assert reference.find_element(By.CSS_SELECTOR, ".study-status").text.lower() == "peer-reviewed paper"
    assert reference.find_element(By.PARTIAL_LINK_TEXT, "doi:10.1038").get_attribute("href") == (
        "https://doi.org/10.1038/s43018-019-0006-x"
    )
    assert reference.find_element(By.CSS_SELECTOR, ".read-paper").get_attribute("href") == (
        "https://doi.org/10.1038/s43018-019-0006-x"
    )
    # Selenium's text includes the visually hidden "file for reference 1" that screen readers hear.
    assert [link.text.split("\n")[0] for link in reference.find_elements(By.CSS_SELECTOR, ".cite a")] == [
        "BibTeX",
        "RIS",
        "CSL-JSON",
    ]
    related = [link.text for link in browser.find_elements(By.CSS_SELECTOR, ".related .teaser-headline a")]
    assert "Tumour cells borrow the body's repair kit" in related
    resources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources and all(url.startswith(live_server.url) for url in resources)
    reader_screenshots(browser, "article")

    # Narrow phone screen: nothing wider than the viewport.
    browser.set_window_size(WIDTHS["phone"], 800)
    assert fits_the_screen(browser)
    browser.set_window_size(WIDTHS["desktop"], 1000)

    # Text keeps WCAG AA contrast (4.5:1) against its background in both colour schemes.
    for scheme in ("light", "dark"):
        emulate(browser, scheme=scheme)
        page = rgb(computed(browser, "body", "background-color"))
        for selector in ("body", ".meta", ".kicker a", ".standfirst", "figcaption", ".cite a"):
            assert contrast(rgb(computed(browser, selector, "color")), page) >= 4.5, (scheme, selector)
        for pair in (".site-search button", ".study-status"):
            assert (
                contrast(
                    rgb(computed(browser, pair, "color")), rgb(computed(browser, pair, "background-color"))
                )
                >= 4.5
            ), (scheme, pair)

    # Dark mode follows the system setting; print hides the search box and site navigation.
    emulate(browser, scheme="dark")
    assert computed(browser, "body", "background-color") == "rgb(18, 18, 18)"
    emulate(browser, media="print")
    assert computed(browser, ".site-search", "display") == "none"
    assert computed(browser, ".sections", "display") == "none"
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


def test_people_pages(browser, reader_site):
    load_demo()
    browser.set_window_size(WIDTHS["desktop"], 1000)
    marsh = Speaker.objects.get(normalised_name="elena marsh")
    browser.get(reader_site.url + marsh.get_absolute_url())
    assert browser.find_element(By.TAG_NAME, "h1").text == "Elena Marsh"
    assert browser.find_element(By.CSS_SELECTOR, ".orcid").get_attribute("href") == (
        "https://orcid.org/0000-0002-1825-0097"
    )
    caption = browser.find_element(By.CSS_SELECTOR, ".quote figcaption").text
    assert "Rivers carry more microplastic after storms" in caption and "Environment" in caption
    reader_screenshots(browser, "speaker")

    browser.get(reader_site.url + "/author/priya-raman/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Priya Raman"
    photo = browser.find_element(By.CSS_SELECTOR, ".profile-photo")
    assert photo.get_attribute("naturalWidth") == "240"
    assert "cancer research" in browser.find_element(By.CSS_SELECTOR, ".profile .lead").text
    reader_screenshots(browser, "author")


def test_every_reader_page_passes_axe(browser, reader_site):
    """axe-core (vendored in tests/fixtures/axe) finds nothing on each kind of reader page, at desktop and phone
    widths, in light and dark schemes; and no page is wider than a phone's screen."""
    load_demo()
    seed = Article.objects.get(external_id="demo:l1cam-metastasis")
    pages = [
        "/",
        seed.section.get_absolute_url(),
        seed.get_absolute_url(),
        "/author/priya-raman/",
        Speaker.objects.get(normalised_name="joan massague").get_absolute_url(),
        "/search/?q=cells",
        "/tag/cancer/",
    ]
    for name, width in WIDTHS.items():
        browser.set_window_size(width, 1000)
        for scheme in ("light", "dark"):
            emulate(browser, scheme=scheme)
            for path in pages:
                browser.get(reader_site.url + path)
                assert axe_violations(browser) == [], (name, scheme, path)
                assert fits_the_screen(browser), (name, path)
    emulate(browser)
    # The check can fail: an image with no text alternative is reported.
    browser.execute_script("document.querySelector('main').append(document.createElement('img'))")
    assert "image-alt" in [rule for rule, _nodes in axe_violations(browser)]
