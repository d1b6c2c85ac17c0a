"""The story editor in a real headless Chromium: the speaker picker, a hero image kept across an error, and
(further down) autosave, the leave-page warning, the live preview and presence."""

import pytest
from django.urls import reverse

from articles.models import Article, Speaker

from .factories import SpeakerFactory
from .image_files import encode, two_tone
from .test_editing_browser import browser, console_errors, editor_session, wait_for  # noqa: F401

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_quote(driver, text, speaker):
    driver.find_element(By.CSS_SELECTOR, "#quotes-group .add-row a").click()
    rows = driver.find_elements(By.CSS_SELECTOR, "#quotes-group .inline-related:not(.empty-form)")
    row = rows[-1]
    row.find_element(By.CSS_SELECTOR, "textarea[name$='-text']").send_keys(text)
    row.find_element(By.CSS_SELECTOR, "[data-speaker-picker]").send_keys(speaker)
    return row


def submit_and_wait(driver):
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, "[name=_save]").click()
    WebDriverWait(driver, 15).until(expected_conditions.staleness_of(page))


def test_quoting_someone_on_file_finds_them_and_saves_without_error(editor_session, live_server):  # noqa: F811
    driver = editor_session
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


def test_hero_image_survives_a_form_error(editor_session, live_server, tmp_path):  # noqa: F811
    driver = editor_session
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
