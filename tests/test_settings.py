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
