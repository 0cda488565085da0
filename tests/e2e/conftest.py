"""Every browser test here fails on a Content-Security-Policy violation (`tests/csp.py`)."""

import pytest


@pytest.fixture(autouse=True)
def _no_csp_violations(csp_violations):
    return csp_violations
