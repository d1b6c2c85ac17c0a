"""An Editor logs in with a password and a code from their authenticator, in a real headless Chromium."""

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from selenium.webdriver.support.expected_conditions import url_contains, url_to_be
from selenium.webdriver.support.wait import WebDriverWait

from .factories import desk_user
from .logins import PASSWORD, current_code
from .test_browser import browser  # noqa: F401 (the Chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editor_logs_in_with_password_and_code(browser, live_server, settings):  # noqa: F811
    settings.TWO_FACTOR_REQUIRED_FOR_EDITORS = True
    editor = desk_user("Editor", username="ada")
    device = TOTPDevice.objects.create(user=editor, name="Authenticator", confirmed=True)

    browser.get(f"{live_server.url}/admin/login/")
    browser.find_element("id", "id_username").send_keys("ada")
    browser.find_element("id", "id_password").send_keys(PASSWORD)
    browser.find_element("css selector", "#login-form input[type=submit]").click()
    # A click returns before the next page has loaded: wait for it (a slow machine takes seconds).
    wait = WebDriverWait(browser, 30)
    wait.until(url_contains("/admin/second-factor/"))
    assert "authenticator app" in browser.find_element("id", "content-main").text

    browser.find_element("id", "id_code").send_keys(current_code(device))
    browser.find_element("css selector", "#second-factor-form input[type=submit]").click()
    wait.until(url_to_be(f"{live_server.url}/admin/"))
    assert "Site administration" in browser.title
    assert browser.find_element("css selector", '#user-tools a[href="/admin/two-step-login/"]')
    # The code was used: the device moved on past it.
    device.refresh_from_db()
    assert device.last_t is not None and device.last_t >= int(timezone.now().timestamp()) // 30 - 1
