"""The editorial workflow in a real headless Chromium: publishing rules, a two-editor conflict, history and
revert, and a reviewer's share link. With NEWSROOM_SCREENSHOTS=<folder> set it saves the README's screenshots.
"""

import re

import pytest
from django.conf import settings
from django.test import Client
from reversion.models import Version
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from articles.models import Status

from .admin_client import change_url, edit
from .factories import ArticleFactory, BylineFactory, CitationFactory, QuoteFactory, desk_user
from .test_browser import browser, screenshot  # noqa: F401  (the shared Chromium fixture)

pytestmark = pytest.mark.browser


def log_in(driver, live_server, user):
    """Give the browser a session of `user`, as the login form would."""
    client = Client()
    client.force_login(user)
    driver.get(live_server.url + "/robots.txt")
    driver.add_cookie(
        {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value}
    )


def submit(driver, css_selector):
    """Click a submit button and wait until the next page has replaced this one."""
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, css_selector).click()
    WebDriverWait(driver, 10).until(expected_conditions.staleness_of(page))


def test_editor_day(browser, live_server, transactional_db):  # noqa: F811
    editor = desk_user("Editor", first_name="Ada", last_name="Lovelace", username="ada")
    article = ArticleFactory(
        draft=True,
        headline="Octopuses change colour in their sleep",
        standfirst="",
        body="<p>Researchers filmed four octopuses overnight.</p>",
    )
    QuoteFactory(article=article, position=0, text="It looked like a dream playing across the skin.")
    CitationFactory(article=article, position=0, title="", doi="")
    log_in(browser, live_server, editor)

    # Publishing an incomplete story: every missing item at once, nothing saved.
    browser.get(live_server.url + change_url(article))
    submit(browser, f".story-actions button[value={Status.PUBLISHED}]")
    # The story's own problems at the top, the references' and bylines' at their sections (bylines are beside
    # the writing, so they come last on the page).
    problems = [
        li.text
        for li in browser.find_elements(By.CSS_SELECTOR, "ul.errorlist.nonfield li, ul.errorlist.nonform li")
    ]
    assert problems == [
        "Can't publish yet: Add a standfirst.",
        "Can't publish yet: Give reference 1 a DOI or a title.",
        "Can't publish yet: Add at least one byline.",
    ]
    assert "Times are Europe/London time" in browser.find_element(By.CSS_SELECTOR, ".field-published_at").text
    screenshot(browser, "workflow-publish-rules.png", 900)

    # Two editors: Bob saves while Ada has the story open; Ada's save is refused, her words kept.
    article.standfirst = "Their skin flickers through colours while they sleep."
    article.save()
    BylineFactory(article=article)
    article.citations.update(title="Sleep in Octopus insularis")
    browser.get(live_server.url + change_url(article))
    bob = Client()
    bob.force_login(desk_user("Editor", username="bob", first_name="Bob", last_name="Ross"))
    assert edit(bob, article, headline="Sleeping octopuses flash colours").status_code == 302
    standfirst = browser.find_element(By.ID, "id_standfirst")
    standfirst.clear()
    standfirst.send_keys("Ada's better standfirst.")
    submit(browser, ".story-actions [data-keep]")
    [message] = browser.find_elements(By.CSS_SELECTOR, "ul.errorlist.nonfield li")
    assert message.text.startswith("Not saved: Bob Ross changed this story at ")
    assert "differs from the saved one in: Headline, Standfirst." in message.text
    assert browser.find_element(By.ID, "id_standfirst").get_attribute("value") == "Ada's better standfirst."
    screenshot(browser, "workflow-conflict.png", 700)
    submit(browser, ".story-actions [data-keep]")  # saving again, on purpose, replaces Bob's version
    article.refresh_from_db()
    assert article.standfirst == "Ada's better standfirst."

    # History: compare with Bob's version and revert to it in one click.
    bobs = Version.objects.get_for_object(article).order_by("pk").first()
    browser.get(f"{live_server.url}{change_url(article).replace('change/', 'history/')}{bobs.pk}/")
    assert browser.find_element(By.CSS_SELECTOR, "ins").text
    screenshot(browser, "workflow-history.png", 800)
    submit(browser, "input[value='Revert to this version']")
    article.refresh_from_db()
    assert article.standfirst == "Their skin flickers through colours while they sleep."

    # A reviewer without a login opens the Editor's share link.
    browser.get(live_server.url + change_url(article))
    make = browser.find_element(By.CSS_SELECTOR, "[data-share-make]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", make)  # clear of the action bar
    make.click()
    field = WebDriverWait(browser, 10).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".share-link input"))
    )
    link = field.get_attribute("value")
    assert re.fullmatch(rf"{live_server.url}/preview/[^/]+/", link)
    browser.delete_all_cookies()
    browser.get(link)
    banner = browser.find_element(By.CSS_SELECTOR, ".preview-banner")
    assert banner.text.startswith("Not published. This story is a draft.")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Sleeping octopuses flash colours"
    screenshot(browser, "workflow-share-link.png", 700)
