"""`csp_violations`: a browser test that asks for it fails on any Content-Security-Policy
violation, since the policy must never silently break a page (a blocked script or style shows
up only in the console). Every test under tests/e2e gets it; other browser tests ask for it.

Registered for every test in `tests/conftest.py` (`pytest_plugins`).
"""

import pytest
from playwright.sync_api import Page

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}`
  );
});
"""


@pytest.fixture
def csp_violations(page: Page):
    violations: list[str] = []

    def report(text: str) -> None:
        violations.append(text)

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.expose_function("__reportCspViolation", report)
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", on_console)
    yield violations
    assert violations == []
