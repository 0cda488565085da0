import pytest
from allauth.account.models import EmailAddress

from tests.factories import make_member

PASSWORD = "a long test password"
HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    r"$\frac{",
]


@pytest.fixture(autouse=True)
def _quick_hashing(settings):
    # Logins are under test here, not PBKDF2's cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def verified_member(username: str = "member", **fields):
    """A member whose email address is confirmed, so the login form lets them in."""
    user = make_member(username, password=PASSWORD, **fields)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user
