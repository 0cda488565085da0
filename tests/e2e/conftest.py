"""Every browser test fails on a Content-Security-Policy violation: the policy must never
silently break a page (a blocked script or style shows up only in the console)."""

import pytest
from playwright.sync_api import Page

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}`
  );
});
"""


@pytest.fixture(autouse=True)
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
