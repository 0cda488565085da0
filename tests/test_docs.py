"""The README is the front door: every setting, command and page it promises must exist, and
everything that exists must be in it."""

from pathlib import Path

import pytest
from django.core.management import get_commands

from dailypapers.env import ENV_VARS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
OUR_COMMANDS = sorted(name for name, app in get_commands().items() if app.startswith("dailypapers"))


@pytest.mark.parametrize("name", ENV_VARS)
def test_every_env_var_is_documented(name):
    assert f"`{name}`" in README
    assert name in (ROOT / ".env.example").read_text()


@pytest.mark.parametrize("command", OUR_COMMANDS)
def test_every_cli_command_is_documented(command):
    assert f"dailypapers {command}" in README


def test_the_two_commands_are_documented():
    assert "make run" in README and "make test" in README
