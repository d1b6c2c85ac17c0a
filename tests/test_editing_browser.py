"""The admin's editing tools in a real headless Chromium: the rich-text body editor, the focal-point picker and
pasting a reference. With NEWSROOM_SCREENSHOTS=<folder> set it saves the README's screenshots of them."""

import contextlib
import time

import pytest
from django.urls import reverse
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from articles.models import Article, Status

from .external import chromium
from .factories import ArticleFactory
from .image_files import marked_panorama, upload
from .test_browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    driver = chromium("--window-size=1280,2000", browser_log=True)
    yield driver
    driver.quit()


@pytest.fixture
def editor_session(browser, live_server, admin_user, client):
    """The browser, logged in to the admin of the live server as a superuser."""
    client.force_login(admin_user)
    browser.get(f"{live_server.url}/admin/login/")
    browser.delete_all_cookies()
    browser.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})
    browser.get_log("browser")  # start each test with an empty console
    yield browser
    leave(browser)


def leave(browser):
    """Close the story page before the test's database goes away: no autosave on the way out (the page is told
    its form is being submitted), then a moment for requests already sent to finish."""
    browser.execute_script(
        "const form = document.querySelector('.story-editor')?.closest('form');"
        "form?.dispatchEvent(new Event('submit'));"
    )
    browser.get("about:blank")
    with contextlib.suppress(NoAlertPresentException):
        browser.switch_to.alert.accept()  # the leave-page warning, when a test left changes unsaved
    time.sleep(1)


def wait_for(browser, selector):
    return WebDriverWait(browser, 15).until(
        expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, selector))
    )


def save_and_wait(browser, live_server):
    """Save with the action bar's first button (which keeps the story's state) and wait for the page to return."""
    page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, ".story-actions [data-keep]").click()
    WebDriverWait(browser, 15).until(expected_conditions.staleness_of(page))
    errors = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".errornote, .errorlist")]
    if errors:
        pytest.fail(f"the admin did not save: {errors}")


def show(browser, selector):
    browser.execute_script(
        "arguments[0].scrollIntoView({block: 'start'}); window.scrollBy(0, -20);",
        browser.find_element(By.CSS_SELECTOR, selector),
    )


def console_errors(browser):
    """Failed scripts, styles or fonts; the favicon the browser asks for by itself is not ours to serve here."""
    return [
        entry["message"]
        for entry in browser.get_log("browser")
        if entry["level"] == "SEVERE" and "favicon.ico" not in entry["message"]
    ]


def test_body_is_written_in_the_rich_text_editor(editor_session, live_server):
    browser = editor_session
    browser.get(live_server.url + reverse("admin:articles_article_add"))
    editable = wait_for(browser, ".ProseMirror[contenteditable='true']")
    assert browser.find_element(By.NAME, "body").is_displayed() is False
    browser.find_element(By.NAME, "headline").send_keys("Bees count to four")
    editable.click()
    editable.send_keys("Honeybees can ")
    ActionChains(browser).key_down(Keys.CONTROL).send_keys("b").key_up(Keys.CONTROL).perform()
    editable.send_keys("count")
    ActionChains(browser).key_down(Keys.CONTROL).send_keys("b").key_up(Keys.CONTROL).perform()
    editable.send_keys(" small numbers.")
    show(browser, ".field-body")
    screenshot(browser, "editing-body-editor.png", 500)
    save_and_wait(browser, live_server)

    article = Article.objects.get(headline="Bees count to four")
    assert article.body == "<p>Honeybees can <strong>count</strong> small numbers.</p>"
    assert article.slug == "bees-count-to-four"
    assert console_errors(browser) == []


def test_clicking_the_hero_image_sets_the_focal_point(editor_session, live_server):
    browser = editor_session
    article = ArticleFactory(status=Status.DRAFT, published_at=None, hero_alt="A bee")
    article.hero_image = upload("bee.png", marked_panorama((1200, 600), (900, 1000)), "image/png")
    article.save()
    teaser_before = article.hero_renditions["teaser"]

    browser.get(live_server.url + reverse("admin:articles_article_change", args=[article.pk]))
    image = wait_for(browser, ".focal-picker img")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", image)  # clear of the action bar
    width, height = image.size["width"], image.size["height"]
    # Selenium offsets are from the element's centre: this is 80% across and 33% down, on the red block.
    ActionChains(browser).move_to_element_with_offset(
        image, int(width * 0.3), int(-height * 0.17)
    ).click().perform()
    assert browser.find_element(By.ID, "id_hero_focal_x").get_attribute("value") == "80"
    assert browser.find_element(By.ID, "id_hero_focal_y").get_attribute("value") == "33"
    marker = browser.find_element(By.CSS_SELECTOR, ".focal-marker")
    assert float(marker.value_of_css_property("left").removesuffix("px")) == pytest.approx(
        width * 0.8, abs=0.5
    )
    show(browser, ".field-hero_credit")
    screenshot(browser, "editing-focal-point.png", 700)
    save_and_wait(browser, live_server)

    article.refresh_from_db()
    assert (article.hero_focal_x, article.hero_focal_y) == (80, 33)
    assert article.hero_renditions["teaser"] != teaser_before
    assert console_errors(browser) == []


def test_pasted_reference_fills_the_row_before_saving(editor_session, live_server):
    browser = editor_session
    browser.get(live_server.url + reverse("admin:articles_article_add"))
    wait_for(browser, ".ProseMirror[contenteditable='true']")
    browser.find_element(By.NAME, "headline").send_keys("Cancer spreads by borrowing wound healing")
    browser.find_element(By.CSS_SELECTOR, "#citations-group .add-row a").click()
    paste = wait_for(browser, "textarea[name='citations-0-paste_reference']")
    paste.send_keys(
        "Reference: Ganesh, K., Basnet, H., Kaygusuz, Y. et al. L1CAM defines the regenerative origin of "
        "metastasis-initiating cells in colorectal cancer. Nature Cancer 1, 28-45 (2020),"
    )
    browser.find_element(By.ID, "id_citations-0-doi").send_keys("10.1038/s43018-019-0006-x")
    paste.find_element(By.XPATH, "./ancestor::div[@class='paste-reference']//button").click()
    WebDriverWait(browser, 15).until(
        expected_conditions.text_to_be_present_in_element(
            (By.CSS_SELECTOR, "#citations-0 .paste-reference-status"), "fields filled from the reference"
        )
    )
    journal = browser.find_element(By.ID, "id_citations-0-journal")
    assert journal.get_attribute("value") == "Nature Cancer"
    assert browser.find_element(By.ID, "id_citations-0-year").get_attribute("value") == "2020"
    assert browser.find_element(By.ID, "id_citations-0-et_al").is_selected()
    # The DOI typed before filling stayed; the editor corrects the journal before saving.
    assert (
        browser.find_element(By.ID, "id_citations-0-doi").get_attribute("value")
        == "10.1038/s43018-019-0006-x"
    )
    show(browser, "#citations-0")
    screenshot(browser, "editing-paste-reference.png", 900)
    journal.clear()
    journal.send_keys("Nat. Cancer")
    save_and_wait(browser, live_server)

    citation = Article.objects.get().citations.get()
    assert (citation.journal, citation.volume, citation.year) == ("Nat. Cancer", "1", 2020)
    assert citation.authors == ["Ganesh, K.", "Basnet, H.", "Kaygusuz, Y."]
    assert citation.doi == "10.1038/s43018-019-0006-x"
    assert console_errors(browser) == []
