"""Configuration from the environment: the public origin behind a TLS proxy, the deployment
settings the README lists, and the generated secret key."""

import os
import re
import secrets
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from dailypapers import env
from dailypapers.papers.checks import check_public_origin

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PUBLIC = "https://papers.example.org"
# The suite's own settings, and the conftest's async opt-out (a deployment error of its own).
NOT_INHERITED = {*env.ENV_VARS, "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def clean_env(**variables: str) -> dict[str, str]:
    """This process's environment without any dailypapers setting, plus `variables`."""
    return {k: v for k, v in os.environ.items() if k not in NOT_INHERITED} | variables


def site(monkeypatch, **variables: str) -> dict:
    for name in ("DAILYPAPERS_BASE_URL", "DAILYPAPERS_TRUST_PROXY_HEADERS", "ALLOWED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("DAILYPAPERS_HSTS_SECONDS", raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return env.site_settings()


def apply(settings, values: dict) -> None:
    for name, value in values.items():
        setattr(settings, name, value)
    # A quick hasher: the login is what is under test, not PBKDF2's cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def proxied_admin_login(client: Client) -> int:
    """Log in to the admin the way a browser does through the README's TLS proxy."""
    proxy = {"HTTP_HOST": "papers.example.org", "HTTP_X_FORWARDED_PROTO": "https"}
    get_user_model().objects.create_superuser("admin", "admin@example.org", "s3cret-pass")
    login = client.get("/admin/login/", **proxy)
    token = login.cookies["csrftoken"].value
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "admin", "password": "s3cret-pass", "csrfmiddlewaretoken": token},
        HTTP_ORIGIN=PUBLIC,
        **proxy,
    )
    return response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize(
    "variables",
    [
        {"DAILYPAPERS_BASE_URL": PUBLIC, "DAILYPAPERS_TRUST_PROXY_HEADERS": "true"},
        {"DAILYPAPERS_BASE_URL": PUBLIC},
        {"DAILYPAPERS_BASE_URL": PUBLIC + "/"},
    ],
)
def test_admin_login_through_the_tls_proxy_succeeds(settings, monkeypatch, variables):
    apply(settings, site(monkeypatch, **variables))

    assert proxied_admin_login(Client(enforce_csrf_checks=True)) == 302


@pytest.mark.django_db
def test_without_a_base_url_the_proxied_login_is_refused(settings, monkeypatch):
    # What operators saw before DAILYPAPERS_BASE_URL: "Origin checking failed".
    apply(settings, site(monkeypatch, ALLOWED_HOSTS="papers.example.org"))

    assert proxied_admin_login(Client(enforce_csrf_checks=True)) == 403


def test_base_url_host_joins_the_default_allowed_hosts(monkeypatch):
    values = site(monkeypatch, DAILYPAPERS_BASE_URL="https://Papers.Example.org:8443")

    assert values["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]", "papers.example.org"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://papers.example.org:8443"]
    assert values["BASE_URL"] == "https://Papers.Example.org:8443"


def test_explicit_allowed_hosts_win(monkeypatch):
    values = site(monkeypatch, DAILYPAPERS_BASE_URL=PUBLIC, ALLOWED_HOSTS="a.example, b.example")

    assert values["ALLOWED_HOSTS"] == ["a.example", "b.example"]


def test_https_base_url_turns_on_secure_cookies_hsts_and_redirect(monkeypatch):
    values = site(monkeypatch, DAILYPAPERS_BASE_URL=PUBLIC, DAILYPAPERS_TRUST_PROXY_HEADERS="1")

    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


def test_hsts_seconds_can_be_set(monkeypatch):
    values = site(monkeypatch, DAILYPAPERS_BASE_URL=PUBLIC, DAILYPAPERS_HSTS_SECONDS="300")

    assert values["SECURE_HSTS_SECONDS"] == 300


def test_without_trusted_proxy_header_there_is_no_redirect_loop(monkeypatch):
    # Behind a TLS proxy every request reaches Django as http: redirecting would never end.
    values = site(monkeypatch, DAILYPAPERS_BASE_URL=PUBLIC)

    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_http_or_no_base_url_keeps_laptop_defaults(monkeypatch):
    for values in (site(monkeypatch), site(monkeypatch, DAILYPAPERS_BASE_URL="http://lan:8000")):
        assert not values["SESSION_COOKIE_SECURE"] and not values["CSRF_COOKIE_SECURE"]
        assert values["SECURE_HSTS_SECONDS"] == 0
        assert values["SECURE_SSL_REDIRECT"] is False


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("papers.example.org", "must start with https://"),
        ("ftp://papers.example.org", "must start with https://"),
        ("https://papers.example.org/daily", "without a path"),
        ("https://papers.example.org?x=1", "without a path"),
        ("https://", "must name a host"),
        ("https://admin:pw@papers.example.org", "must name a host"),
        ("https://papers.example.org:https", "not a well-formed URL"),
    ],
)
def test_malformed_base_url_is_reported_with_a_hint(settings, url, reason):
    settings.BASE_URL = url

    errors = check_public_origin()

    assert [e.id for e in errors] == ["dailypapers.E010"]
    assert reason in errors[0].msg and url in errors[0].msg
    assert "https://papers.example.org" in errors[0].hint


def test_https_base_url_without_trusted_proxy_header_is_a_warning(settings):
    settings.BASE_URL = PUBLIC
    settings.SECURE_PROXY_SSL_HEADER = None

    assert [w.id for w in check_public_origin()] == ["dailypapers.W010"]


def test_good_base_url_passes(settings):
    settings.BASE_URL = PUBLIC
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    assert check_public_origin() == []


def readme_deployment_env() -> dict[str, str]:
    """The variables the README's "Deployment on PostgreSQL" section tells operators to set."""
    section = (ROOT / "README.md").read_text().split("## Deployment on PostgreSQL")[1]
    block = section.split("```sh")[1].split("```")[0]
    return dict(line.strip().split("=", 1) for line in block.splitlines() if "=" in line)


def test_readme_deployment_settings_pass_check_deploy(tmp_path):
    deployment = readme_deployment_env()
    assert {"DAILYPAPERS_BASE_URL", "DAILYPAPERS_TRUST_PROXY_HEADERS", "REDIS_URL"} <= set(
        deployment
    )
    assert re.fullmatch(r"<.*>", deployment["DAILYPAPERS_SECRET_KEY"])
    process_env = clean_env(
        **deployment
        | {
            "DAILYPAPERS_SECRET_KEY": secrets.token_urlsafe(50),
            "DAILYPAPERS_DATA_DIR": str(tmp_path),  # not /var/lib on a test machine
            "DAILYPAPERS_DEBUG": "false",
        }
    )

    result = subprocess.run(
        [BIN / "dailypapers", "check", "--deploy", "--fail-level", "WARNING"],
        env=process_env,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_does_fail_on_a_weak_configuration(tmp_path):
    # Guards the test above: a laptop configuration is not a deployment.
    process_env = clean_env(DAILYPAPERS_DATA_DIR=str(tmp_path))

    result = subprocess.run(
        [BIN / "dailypapers", "check", "--deploy", "--fail-level", "WARNING"],
        env=process_env,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 1
    assert "security.W004" in result.stderr and "security.W012" in result.stderr


# Each process plays a worker booting in 100 fresh data dirs in turn: one start at a time
# rarely collides, a hundred in lockstep do (the old write-then-chmod lost every time).
BOOT_WORKER = """
import sys, time
from pathlib import Path
from dailypapers.env import secret_key
start = float(sys.argv[2])
while time.time() < start:
    pass
for data_dir in sorted(Path(sys.argv[1]).iterdir()):
    print(secret_key(data_dir))
"""


def test_workers_starting_at_once_share_one_private_secret_key(tmp_path):
    data_dirs = [tmp_path / f"host{n:03d}" for n in range(100)]
    for data_dir in data_dirs:
        data_dir.mkdir()
    start = time.time() + 0.7  # every process is up and waiting by then
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", BOOT_WORKER, str(tmp_path), str(start)],
            env=clean_env(),
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [worker.communicate(timeout=60)[0].split("\n")[:-1] for worker in workers]

    for n, data_dir in enumerate(data_dirs):
        key_file = data_dir / "secret_key"
        assert {keys[n] for keys in outputs} == {key_file.read_text()}, data_dir.name
        assert len(key_file.read_text()) >= 50
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert [p.name for p in data_dir.iterdir()] == ["secret_key"]  # no temporary file left
