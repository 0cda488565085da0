"""Allauth settings derived from our own: pure functions, imported by `settings.py`.

Kept apart from the rest of the app so settings can import them before Django is set up.
"""

from __future__ import annotations


def _rates(per_ip: int, per_key: int = 0) -> str:
    """An allauth rate string ("30/m/ip,10/m/key"); a limit of 0 or less is no limit."""
    parts = []
    if per_ip > 0:
        parts.append(f"{per_ip}/m/ip")
    if per_key > 0:
        parts.append(f"{per_key}/m/key")
    return ",".join(parts)


def allauth_rate_limits(rate_limits: dict[str, tuple[int, int]]) -> dict[str, str]:
    """ACCOUNT_RATE_LIMITS from RATE_LIMITS ((per member, per IP) per minute).

    Login: every login POST counts per IP ("login"); failed ones count per IP and per
    account tried ("login_failed", the account being the "key"). Sign-up counts per IP.
    Allauth's own limits on sending confirmation and reset emails stay as they are (one
    confirmation email per address per 3 minutes, 5 resets per address per minute).
    """
    login_member, login_ip = rate_limits["login"]
    _, signup_ip = rate_limits["signup"]
    return {
        "login": _rates(login_ip),
        "login_failed": _rates(login_ip, login_member),
        "signup": _rates(signup_ip),
    }


def socialaccount_providers(client_id: str, secret: str) -> dict[str, dict]:
    """GitHub sign-in when both its id and secret are set; no provider otherwise (then no
    GitHub button shows and its login URL answers 404)."""
    if not (client_id and secret):
        return {}
    app = {"client_id": client_id, "secret": secret, "key": ""}
    # `user:email` lets allauth read the member's verified addresses.
    return {"github": {"APP": app, "SCOPE": ["user:email"]}}
