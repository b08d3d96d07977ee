import json
from importlib import resources

from store.settings import Settings


def test_inbox_addresses_are_a_comma_list_and_mail_from_defaults_to_the_first():
    settings = Settings(_env_file=None, inbox_addresses="Returns@Example.gov.uk, other@example.gov.uk")
    assert settings.inbox_addresses == ("returns@example.gov.uk", "other@example.gov.uk")
    assert settings.mail_from == "returns@example.gov.uk"


def test_naive_returns_now_is_london_wall_clock_time():
    settings = Settings(_env_file=None, returns_now="2020-05-29T09:00:00")
    assert settings.now().isoformat() == "2020-05-29T09:00:00+01:00"


def test_environment_is_read(monkeypatch):
    monkeypatch.setenv("SMTP_PORT", "2525")
    monkeypatch.setenv("RELAY_HOST", "")
    settings = Settings(_env_file=None)
    assert settings.smtp_port == 2525
    assert settings.relay_host is None


def test_naive_returns_now_is_in_the_collections_own_time_zone(tmp_path):
    collection = json.loads(resources.files("store.collections").joinpath(
        "care_homes_2020.json").read_text())
    collection["timezone"] = "America/New_York"
    path = tmp_path / "collection.json"
    path.write_text(json.dumps(collection))
    settings = Settings(_env_file=None, collection=path, returns_now="2020-05-29T09:00:00")
    assert settings.now().isoformat() == "2020-05-29T09:00:00-04:00"


def test_dot_env_in_the_working_directory_is_read_and_the_environment_comes_first(
        tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("# the demo's settings\nSMTP_PORT=2526\n"
                                   "export relay_host='relay.example.gov.uk'  # ours\n"
                                   "BOT_PORT=3001\nNOT_A_SETTING=1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_PORT", "3002")
    settings = Settings(smtp_host="0.0.0.0")
    assert (settings.smtp_port, settings.relay_host, settings.bot_port, settings.smtp_host) == (
        2526, "relay.example.gov.uk", 3002, "0.0.0.0")
    assert Settings(_env_file=None).smtp_port == 8025


def test_a_value_given_comes_before_the_environment(monkeypatch):
    monkeypatch.setenv("INBOX_ADDRESSES", "a@example.gov.uk")
    assert Settings(_env_file=None).inbox_addresses == ("a@example.gov.uk",)
    assert Settings(_env_file=None, inbox_addresses="b@example.gov.uk").mail_from == "b@example.gov.uk"
