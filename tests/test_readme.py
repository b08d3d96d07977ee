"""The README is the manual: every setting and every command a newcomer needs is in it."""

from pathlib import Path

from store.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_every_setting_is_documented():
    missing = [name.upper() for name in Settings.model_fields if f"`{name.upper()}`" not in README]
    assert missing == []


def test_the_quick_start_commands_are_documented():
    for command in ("make run", "make test", "make soak", "make bench", "send-sample",
                    "python -m store export", "python -m bot ask", "Procfile"):
        assert command in README, command
