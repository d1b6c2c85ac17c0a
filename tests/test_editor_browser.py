"""The story editor in a real headless Chromium: the speaker picker, a hero image kept across an error, and
(further down) autosave, the leave-page warning, the live preview and presence."""

import contextlib
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from articles.models import Article, Speaker

from .admin_client import change_url
from .external import chromium
from .factories import ArticleFactory, CitationFactory, QuoteFactory, SpeakerFactory, desk_user
from .image_files import encode, two_tone
from .test_browser import screenshot
from .test_editing_browser import (  # noqa: F401  (the shared Chromium fixtures)
    browser,
    console_errors,
    editor_session,
    leave,
    wait_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def desk(editor_session):  # noqa: F811
    """The logged-in Chromium of test_editing_browser (left on a blank page afterwards)."""
    return editor_session


@pytest.fixture
def browser_factory(live_server):
    """More Chromiums, each logged in as the given user (for two people on one story)."""
    drivers = []

    def start(user):
        driver = chromium("--window-size=1280,1400")
        drivers.append(driver)
        client = Client()
        client.force_login(user)
        driver.get(f"{live_server.url}/robots.txt")
        driver.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})
        return driver

    yield start
    for driver in drivers:
        leave(driver)
        driver.quit()


def add_quote(driver, text, speaker):
    driver.find_element(By.CSS_SELECTOR, "#quotes-group .add-row a").click()
    rows = driver.find_elements(By.CSS_SELECTOR, "#quotes-group .inline-related:not(.empty-form)")
    row = rows[-1]
    row.find_element(By.CSS_SELECTOR, "textarea[name$='-text']").send_keys(text)
    row.find_element(By.CSS_SELECTOR, "[data-speaker-picker]").send_keys(speaker)
    return row


def submit_and_wait(driver):
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, ".story-actions [data-keep]").click()
    WebDriverWait(driver, 15).until(expected_conditions.staleness_of(page))


def test_quoting_someone_on_file_finds_them_and_saves_without_error(desk, live_server):
    driver = desk
    joan = SpeakerFactory(name="Joan Massagué", role="oncologist")
    driver.get(live_server.url + reverse("admin:articles_article_add"))
    wait_for(driver, ".ProseMirror[contenteditable='true']")
    driver.find_element(By.NAME, "headline").send_keys("Origins of metastasis")
    row = add_quote(driver, "Metastasis is regeneration in the wrong place.", "joan massague")
    WebDriverWait(driver, 10).until(
        expected_conditions.text_to_be_present_in_element(
            (By.CSS_SELECTOR, f"#{row.get_attribute('id')} .speaker-picker-status"), "On file: Joan Massagué."
        )
    )
    row = add_quote(driver, "A completely different entity.", "Karuna Ganesh")
    WebDriverWait(driver, 10).until(
        expected_conditions.text_to_be_present_in_element(
            (By.CSS_SELECTOR, f"#{row.get_attribute('id')} .speaker-picker-status"), "saving adds them"
        )
    )
    submit_and_wait(driver)
    assert "Server Error" not in driver.page_source
    assert [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".errorlist")] == []
    article = Article.objects.get()
    assert [quote.speaker for quote in article.quotes.all()] == [
        joan,
        Speaker.objects.get(name="Karuna Ganesh"),
    ]
    assert console_errors(driver) == []


def test_hero_image_survives_a_form_error(desk, live_server, tmp_path):
    driver = desk
    image = tmp_path / "whale.png"
    image.write_bytes(encode(two_tone(), "PNG"))
    driver.get(live_server.url + reverse("admin:articles_article_add"))
    wait_for(driver, ".ProseMirror[contenteditable='true']")
    driver.find_element(By.NAME, "hero_image").send_keys(str(image))
    driver.find_element(By.NAME, "hero_alt").send_keys("A whale")
    submit_and_wait(driver)  # no headline: the page comes back with an error

    kept = wait_for(driver, ".held-upload")
    assert "whale.png" in kept.text
    driver.find_element(By.NAME, "headline").send_keys("Whales sing in dialects")
    submit_and_wait(driver)
    article = Article.objects.get()
    assert article.hero_image.name.endswith("whale.png") and article.hero_alt == "A whale"
    assert console_errors(driver) == []


def type_into_body(driver, text):
    editable = wait_for(driver, ".ProseMirror[contenteditable='true']")
    editable.click()
    editable.send_keys(text)


def wait_for_text(driver, selector, text, timeout=40):
    WebDriverWait(driver, timeout).until(
        expected_conditions.text_to_be_present_in_element((By.CSS_SELECTOR, selector), text)
    )


def test_autosave_and_restore_after_a_reload(desk, live_server):
    driver = desk
    article = ArticleFactory(draft=True, headline="Saved headline", body="<p>Saved body.</p>")
    driver.get(live_server.url + change_url(article))
    headline = driver.find_element(By.NAME, "headline")
    headline.clear()
    headline.send_keys("Typed but never saved")
    type_into_body(driver, " More words.")
    wait_for_text(driver, ".autosave-status", "Autosaved at")
    wait_for_text(driver, "#story-checklist-items", "Blocks publishing: At least one byline")
    article.refresh_from_db()
    assert article.headline == "Saved headline"  # autosave never touches the story

    driver.get(live_server.url + change_url(article))
    with contextlib.suppress(NoAlertPresentException):
        driver.switch_to.alert.accept()
    offer = wait_for(driver, ".restore-offer")
    assert driver.find_element(By.NAME, "headline").get_attribute("value") == "Saved headline"
    offer.find_element(By.CSS_SELECTOR, "[data-restore]").click()
    wait_for_text(driver, ".autosave-status", "restored")
    assert driver.find_element(By.NAME, "headline").get_attribute("value") == "Typed but never saved"
    assert "More words." in driver.find_element(By.CSS_SELECTOR, ".ProseMirror[contenteditable]").text
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, ".story-actions [data-keep]").click()
    WebDriverWait(driver, 15).until(expected_conditions.staleness_of(page))
    article.refresh_from_db()
    assert article.headline == "Typed but never saved" and "More words." in article.body
    assert not driver.find_elements(By.CSS_SELECTOR, ".restore-offer")
    assert console_errors(driver) == []


def test_leaving_with_unsaved_changes_asks_first(desk, live_server):
    """Chromium's own "Leave site?" dialog is answered by chromedriver, so the test asks the page what the
    browser asks it before leaving: whether it wants the warning (the beforeunload event cancelled)."""
    driver = desk
    article = ArticleFactory(draft=True)
    driver.get(live_server.url + change_url(article))
    wait_for(driver, ".ProseMirror[contenteditable='true']")
    wants_warning = "const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented;"
    assert driver.execute_script(wants_warning) is False  # nothing typed yet
    driver.find_element(By.NAME, "standfirst").send_keys(" And one more thing.")
    assert driver.execute_script(wants_warning) is True
    wait_for_text(driver, ".autosave-status", "Autosaved at")
    assert driver.execute_script(wants_warning) is True  # autosaved is still not saved to the story
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, ".story-actions [data-keep]").click()
    WebDriverWait(driver, 15).until(expected_conditions.staleness_of(page))
    assert driver.execute_script(wants_warning) is False  # saved: leave freely
    article.refresh_from_db()
    assert article.standfirst.endswith("And one more thing.")


def test_live_preview_follows_the_typing(desk, live_server):
    driver = desk
    article = ArticleFactory(draft=True, headline="Before")
    driver.get(live_server.url + change_url(article))
    wait_for(driver, ".ProseMirror[contenteditable='true']")
    driver.find_element(By.CSS_SELECTOR, "[data-preview-toggle]").click()
    frame = wait_for(driver, "#story-preview iframe")
    headline = driver.find_element(By.NAME, "headline")
    headline.clear()
    headline.send_keys("Octopuses dream in colour")
    type_into_body(driver, " They flash while asleep.")

    def preview_shows(driver):
        driver.switch_to.frame(frame)
        try:
            h1 = driver.find_elements(By.TAG_NAME, "h1")
            page = driver.find_element(By.TAG_NAME, "body").text
            return h1 and h1[0].text == "Octopuses dream in colour" and "They flash while asleep." in page
        finally:
            driver.switch_to.default_content()

    # The preview is redrawn while it is read: a vanished element just means "look again".
    WebDriverWait(driver, 40, ignored_exceptions=[StaleElementReferenceException]).until(preview_shows)
    driver.find_element(By.CSS_SELECTOR, "#story-preview [data-width=mobile]").click()
    assert frame.value_of_css_property("width") == "375px"
    screenshot(driver, "editor-preview.png", 1100)
    assert console_errors(driver) == []


def test_two_editors_see_each_other(desk, live_server, browser_factory):
    ada = desk
    article = ArticleFactory(draft=True, headline="Shared story")
    erin = desk_user("Editor", first_name="Erin", last_name="Okafor", username="erin")
    other = browser_factory(erin)
    ada.get(live_server.url + change_url(article))
    wait_for(ada, ".ProseMirror[contenteditable='true']")
    other.get(live_server.url + change_url(article))
    wait_for(other, ".ProseMirror[contenteditable='true']")
    wait_for_text(other, "#story-presence", "is also editing this story.")

    ada.find_element(By.NAME, "standfirst").send_keys(" Ada's addition.")
    wait_for_text(ada, ".autosave-status", "Autosaved at")
    wait_for_text(other, "#story-presence", "is also editing this story, with unsaved changes.", timeout=40)
    wait_for_text(ada, "#story-presence", "Erin Okafor is also editing this story.", timeout=40)
    screenshot(other, "editor-presence.png", 700)

    page = other.find_element(By.TAG_NAME, "html")
    other.find_element(By.CSS_SELECTOR, ".story-actions [data-keep]").click()
    WebDriverWait(other, 15).until(expected_conditions.staleness_of(page))
    wait_for_text(ada, "#story-presence", "Erin Okafor saved this story at", timeout=40)
    link = ada.find_element(By.CSS_SELECTOR, "#story-presence a")
    assert "/history/" in link.get_attribute("href")


class Interactions:
    """Counts what a person does by hand: each click, and each field typed or pasted into (one action)."""

    def __init__(self, driver):
        self.driver, self.count = driver, 0

    def click(self, selector):
        self.count += 1
        element = wait_for(self.driver, selector)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()
        return element

    def type(self, element, text):
        self.count += 1
        element.send_keys(text)


def test_seed_story_written_and_submitted_by_hand(browser, live_server, writer):  # noqa: F811
    """The sample story typed in as a Writer would, counting interactions (the issue's goal: 20 or fewer)."""
    lines = [line.strip() for line in (FIXTURES / "metastasis-origins.txt").read_text().splitlines()]
    paragraphs = [line for line in lines if line and line != "Continue reading"]
    headline, body, reference = paragraphs[0], paragraphs[1:-1], paragraphs[-1]
    client = Client()
    client.force_login(writer)
    browser.get(f"{live_server.url}/robots.txt")
    browser.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})
    browser.get(live_server.url + reverse("admin:articles_article_add"))
    wait_for(browser, ".ProseMirror[contenteditable='true']")
    hand = Interactions(browser)

    hand.type(browser.switch_to.active_element, headline)  # the add form opens with the headline focused
    hand.type(hand.click("#id_standfirst"), "Cancer spreads by hijacking the body's wound-healing programme.")
    hand.type(hand.click(".ProseMirror[contenteditable]"), "\n".join(body))
    quotes = [
        ("We now understand metastasis as the regeneration of the wrong tissue", "Joan Massagué"),
        ("a completely different entity from the tumour they started in", "Karuna Ganesh"),
    ]
    for number, (text, speaker) in enumerate(quotes):
        hand.click("#quotes-group .add-row a")
        hand.type(hand.click(f"#id_quotes-{number}-text"), text)
        hand.type(hand.click(f"#id_quotes-{number}-speaker"), speaker)
    hand.click("#citations-group .add-row a")
    hand.type(hand.click("#id_citations-0-paste_reference"), reference)
    wait_for_text(browser, ".autosave-status", "Autosaved at")
    browser.execute_script("window.scrollTo(0, 0)")
    screenshot(browser, "editor.png", 1300)
    page = browser.find_element(By.TAG_NAME, "html")
    hand.click(".story-actions button[value=review]")
    WebDriverWait(browser, 15).until(expected_conditions.staleness_of(page))

    errors = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".errornote, .errorlist")]
    assert errors == []
    article = Article.objects.get()
    assert (article.headline, article.status) == (headline, "review")
    assert article.byline_authors == [writer.author_profile]
    assert [q.speaker.name for q in article.quotes.all()] == ["Joan Massagué", "Karuna Ganesh"]
    assert article.citations.get().journal == "Nature Cancer"
    leave(browser)
    assert hand.count <= 20, hand.count
    print(f"\nSeed story written and submitted for review in {hand.count} interactions.")


AXE = FIXTURES / "axe" / "axe.min.js"


def axe_violations(driver):
    """axe-core's WCAG 2.2 A and AA violations on the current page: rule and nodes."""
    driver.execute_script(AXE.read_text())
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']})"
        ".then(r => done(r.violations.map(v => [v.id, v.nodes.map(n => n.target.join(' '))])))"
        ".catch(e => done([['axe-error', [String(e)]]]));"
    )


def test_editor_pages_pass_axe(desk, live_server):
    driver = desk
    article = ArticleFactory(draft=True, body="<p>Joan Massagué said so.</p>")
    QuoteFactory(article=article, position=0, speaker=SpeakerFactory(name="Joan Massagué"))
    CitationFactory(article=article, position=0)
    driver.get(live_server.url + change_url(article))
    wait_for(driver, ".ProseMirror[contenteditable='true']")
    wait_for_text(driver, "#story-checklist-items", "Done")
    assert axe_violations(driver) == []
    driver.find_element(By.CSS_SELECTOR, "[data-preview-toggle]").click()
    wait_for(driver, "#story-preview iframe")
    assert axe_violations(driver) == []
    driver.get(live_server.url + reverse("admin:articles_article_add"))
    wait_for(driver, ".ProseMirror[contenteditable='true']")
    assert axe_violations(driver) == []
