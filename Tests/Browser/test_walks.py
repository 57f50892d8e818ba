"""The walks of issue 5, section 6, in headless Chromium against the real binary.

Each walk saves a screenshot of every page it lands on under var/screenshots/.
Run alone with `make test-browser`.
"""

from __future__ import annotations

import unittest

from harness import CrossSiteFormPostStack, PASSWORD_USER, BrowserTestCase, ForwardAuthStack, Person


class PasswordSignInWalk(BrowserTestCase):
    walk = "password"

    def test_a_correct_password_lands_on_the_account_page(self) -> None:
        browser = self.browser
        browser.get(self.url("/login?next=/account"))
        browser.screenshot("login")
        label = browser.find("label[for=identifier]")
        self.assertTrue(label.text, "the identifier field has a visible label")
        self.assertEqual(browser.find("label[for=password]").text, "Password")
        browser.fill("#identifier", PASSWORD_USER["email"].upper())
        browser.fill("#password", PASSWORD_USER["password"])
        browser.screenshot("login-filled")
        browser.click_and_wait(browser.button("Sign in"))
        self.assertOnPage("/account")
        browser.screenshot("account")
        self.assertIn(PASSWORD_USER["name"], browser.text)
        self.assertIn(PASSWORD_USER["username"], browser.text)
        self.assertIn(PASSWORD_USER["email"], browser.text)

    def test_a_wrong_password_shows_the_generic_error_at_the_password_field(self) -> None:
        browser = self.browser
        browser.get(self.url("/login?next=/account"))
        browser.fill("#identifier", PASSWORD_USER["username"])
        browser.fill("#password", "wrong horse")
        browser.click_and_wait(browser.button("Sign in"))
        browser.screenshot("wrong-password")
        self.assertOnPage("/login")
        error = browser.find("#password-error")
        self.assertIn("do not match an account here", error.text)
        password = browser.find("#password")
        self.assertEqual(password.get_attribute("aria-invalid"), "true")
        self.assertEqual(password.get_attribute("aria-describedby"), "password-error")
        self.assertEqual(password.get_attribute("value"), "", "the refused password is not sent back")
        self.assertEqual(browser.find("#identifier").get_attribute("value"), PASSWORD_USER["username"], "the identifier is kept")
        browser.get(self.url("/account"))
        self.assertOnPage("/login?next=%2Faccount")


class ProviderSignInWalk(BrowserTestCase):
    walk = "provider"

    def test_signing_in_through_the_development_provider(self) -> None:
        browser = self.browser
        dave = Person(subject="dave-subject", email="dave@example.com", name="Dave Example", username="dave")
        self.sign_in_with_provider(dave, shots=True)
        self.assertOnPage("/account")
        browser.screenshot("account")
        self.assertIn("Dave Example", browser.text)
        self.assertIn("dave@example.com", browser.text)
        identities = browser.find_all(".identity")
        self.assertEqual(len(identities), 1)
        self.assertIn("Development", identities[0].text)


class LinkSecondProviderWalk(BrowserTestCase):
    walk = "link"

    def test_linking_a_second_provider_from_the_account_page(self) -> None:
        browser = self.browser
        erin = Person(subject="erin-subject", email="erin@example.com", name="Erin Example", username="erin")
        self.sign_in_with_provider(erin)
        self.assertOnPage("/account")
        browser.screenshot("account-before")
        browser.click_and_wait(browser.button("Link Work"))
        browser.screenshot("dev-provider")
        browser.answer_at_dev_provider(Person(subject="erin-at-work", email="erin@work.example", name="Erin Example", username="erin.w"))
        self.assertOnPage("/account?notice=linked")
        browser.screenshot("account-linked")
        self.assertIn("was linked to your account", browser.find(".notice").text)
        identities = browser.find_all(".identity")
        self.assertEqual(len(identities), 2, browser.text)
        self.assertIn("erin@work.example", browser.text)
        labels = browser.button_labels()
        self.assertIn("Unlink Development", labels, "with two identities, either can go")
        self.assertIn("Unlink Work", labels)
        self.assertEqual(self.stack.query("SELECT count(*) FROM users WHERE email = ?", "erin@example.com"), [(1,)])


class CrossSiteFormPostLinkWalk(BrowserTestCase):
    """Issue 11 section 5: with `response_mode: form_post` the provider's POST to the callback is
    cross-site, so the SameSite=Lax session cookie is not sent with it; linking from the account
    page always failed. The POST is answered with a 303 to a same-origin GET, where it arrives."""

    walk = "form-post-link"
    stack_class = CrossSiteFormPostStack

    def test_linking_a_provider_that_answers_by_form_post_from_another_site(self) -> None:
        browser = self.browser
        fay = Person(subject="fay-subject", email="fay@example.com", name="Fay Example", username="fay")
        self.sign_in_with_provider(fay)
        self.assertOnPage("/account")
        browser.click_and_wait(browser.button("Link Work"))
        self.assertTrue(browser.driver.current_url.startswith(self.stack.idp_origin), "the provider is on the other site")
        browser.screenshot("dev-provider")
        browser.answer_at_dev_provider(Person(subject="fay-at-work", email="fay@work.example", name="Fay Example", username="fay.w"))
        # The provider's form_post page: its Continue button POSTs to Gatehouse from the other site.
        browser.screenshot("form-post")
        browser.click_and_wait(browser.button("Continue"))
        self.assertOnPage("/account?notice=linked")
        browser.screenshot("account-linked")
        self.assertIn("fay@work.example", browser.text)
        self.assertEqual(self.stack.query("SELECT count(*) FROM identities WHERE provider = 'work' AND link_method = 'account_page'"), [(1,)])
        # And a sign-in through it replaces the browser's session, as any sign-in does.
        before = self.stack.query("SELECT count(*) FROM sessions WHERE revoked_at IS NULL AND user_id IS NOT NULL")
        self.browser.get(self.url("/login?next=/account"))
        browser.click_and_wait(browser.button("Continue with Work"))
        browser.answer_at_dev_provider(Person(subject="fay-at-work", email="fay@work.example", name="Fay Example", username="fay.w"))
        browser.click_and_wait(browser.button("Continue"))
        self.assertOnPage("/account")
        self.assertEqual(self.stack.query("SELECT count(*) FROM sessions WHERE revoked_at IS NULL AND user_id IS NOT NULL"), before,
                         "the old session was revoked when the new one started")


class LastMethodUnlinkWalk(BrowserTestCase):
    walk = "unlink-last"

    def test_the_last_way_to_sign_in_cannot_be_unlinked(self) -> None:
        browser = self.browser
        frank = Person(subject="frank-subject", email="frank@example.com", name="Frank Example", username="frank")
        self.sign_in_with_provider(frank)
        self.assertOnPage("/account")
        browser.screenshot("account")
        self.assertEqual(len(browser.find_all(".identity")), 1)
        self.assertFalse([label for label in browser.button_labels() if label.startswith("Unlink")],
                         "the only way to sign in offers no Unlink button")
        [(identity_id,)] = self.stack.query("SELECT id FROM identities WHERE subject = ?", "frank-subject")
        # The page offers no such form, so build the POST a forged or stale page would send, with
        # the session's real CSRF token. WebDriver's script runs regardless of the page's CSP.
        old = browser.find("html")
        browser.driver.execute_script(
            """
            const token = document.querySelector('input[name=csrf_token]').value;
            const form = document.createElement('form');
            form.method = 'post';
            form.action = arguments[0];
            const field = document.createElement('input');
            field.type = 'hidden'; field.name = 'csrf_token'; field.value = token;
            form.appendChild(field);
            document.body.appendChild(form);
            form.submit();
            """,
            f"/account/identities/{identity_id}/unlink",
        )
        browser.wait_for_new_page(old)
        browser.screenshot("refused")
        self.assertIn("This is your only way to sign in", browser.text)
        self.assertEqual(self.stack.query("SELECT count(*) FROM identities WHERE subject = ?", "frank-subject"), [(1,)])
        browser.get(self.url("/account"))
        self.assertOnPage("/account")
        self.assertEqual(len(browser.find_all(".identity")), 1, "still signed in, identity kept")


class SignOutWalk(BrowserTestCase):
    walk = "sign-out"

    def test_signing_out_ends_the_session(self) -> None:
        browser = self.browser
        self.sign_in_with_password(PASSWORD_USER["username"], PASSWORD_USER["password"])
        self.assertOnPage("/account")
        browser.click_and_wait(browser.button("Sign out"))
        browser.screenshot("signed-out")
        self.assertIn("signed out", browser.text.lower())
        browser.get(self.url("/account"))
        self.assertOnPage("/login?next=%2Faccount")
        browser.screenshot("account-after")


class PhoneScreenshots(BrowserTestCase):
    """Not a walk: the sign-in and account pages at a phone's 390x844, for a person to look at."""

    walk = "phone"

    def test_login_and_account_fit_a_phone(self) -> None:
        browser = self.browser
        browser.as_phone()
        browser.get(self.url("/login?next=/account"))
        browser.screenshot("login")
        self.assertFalse(browser.driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth"),
                         "no sideways scrolling on a phone")
        self.sign_in_with_password(PASSWORD_USER["username"], PASSWORD_USER["password"])
        self.assertOnPage("/account")
        browser.screenshot("account")
        self.assertFalse(browser.driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth"),
                         "no sideways scrolling on a phone")


class ForwardAuthWalk(BrowserTestCase):
    """The forward-auth round trip through a real nginx: stopped at the application, signed in,
    sent back to the application, and stopped again once the session is gone."""

    walk = "forward-auth"
    stack_class = ForwardAuthStack

    def test_the_application_behind_nginx_needs_a_sign_in(self) -> None:
        browser = self.browser
        grace = Person(subject="grace-subject", email="grace@example.com", name="Grace Example", username="grace")
        browser.get(self.url("/"))
        self.assertEqual(browser.path.split("?")[0], "/login", "nginx sent the person to sign in")
        self.assertIn("next=", browser.driver.current_url)
        browser.screenshot("stopped-at-login")
        browser.click_and_wait(browser.button("Continue with Development"))
        browser.answer_at_dev_provider(grace)
        self.assertOnPage("/")
        browser.screenshot("application")
        self.assertIn("Hello from the protected application", browser.text)
        browser.driver.delete_all_cookies()
        browser.get(self.url("/"))
        self.assertEqual(browser.path.split("?")[0], "/login", "without the session the application is closed again")


if __name__ == "__main__":
    unittest.main()
