from datetime import timedelta

import pytest

from bot.config import ConfigError, Settings


def test_settings_read_from_the_environment() -> None:
    settings = Settings.from_env({
        "CRISISBOT_CHECKIN_INTERVALS": "2=2s,4=1d",
        "CRISISBOT_ROSTER_LEGAL": "@carol, dan",
        "CRISISBOT_APPROVERS": "3=comms+legal",
        "CRISISBOT_TIMEZONE": "Europe/Paris",
        "CRISISBOT_LANGUAGE": "FR",
    })
    assert settings.checkin_interval(2) == timedelta(seconds=2)
    assert settings.checkin_interval(4) == timedelta(days=1)
    assert settings.checkin_interval(1) == timedelta(minutes=30)  # defaults stay for what is not said
    assert settings.roster["legal"] == ("carol", "dan")
    assert settings.required_roles(3) == ("comms", "legal")
    assert (settings.timezone, settings.language) == ("Europe/Paris", "fr")


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("CRISISBOT_CHECKIN_INTERVALS", "2=soon", "not a duration"),
        ("CRISISBOT_CHECKIN_INTERVALS", "9=1h", "should look like"),
        ("CRISISBOT_APPROVERS", "1=comms+janitor", "not in CRISISBOT_ROLES"),
        ("CRISISBOT_TIMEZONE", "Mars/Olympus", "IANA time zone"),
        ("CRISISBOT_BUSINESS_HOURS", "9h-18h", "Invalid configuration"),
    ],
)
def test_a_bad_setting_is_a_clear_error(name: str, value: str, words: str) -> None:
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({name: value})
    assert words in str(refused.value)


def test_stakeholders_to_notify_per_severity() -> None:
    settings = Settings.from_env({"CRISISBOT_NOTIFY": "1=@eric, @ceo,#exec-room; 2=eric"})
    assert settings.notify == {1: ("@eric", "@ceo", "#exec-room"), 2: ("@eric",)}
    assert Settings.from_env({}).notify == {}
    teams = Settings.from_env({"CRISISBOT_NOTIFY": "1=@29:1abc,#19:room@thread.tacv2"})
    assert teams.notify == {1: ("@29:1abc", "#19:room@thread.tacv2")}


def test_email_stakeholders_are_kept_with_a_startup_note(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings.from_env({"CRISISBOT_NOTIFY": "1=@eric,ceo@example.com"})
    assert settings.notify[1] == ("@eric", "ceo@example.com")
    assert "ceo@example.com get direct messages once the platform knows them by e-mail" in caplog.text


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("5=@eric", "should look like 1=@eric,@ceo"),
        ("1@eric", "should look like 1=@eric,@ceo"),
        ("1=", "should look like 1=@eric,@ceo"),
        ("1=@eric smith", "is not @person, #channel or an e-mail address"),
        ("1=#", "is not @person, #channel or an e-mail address"),
        ("1=eric@corp", "is not @person, #channel or an e-mail address"),
    ],
)
def test_a_bad_notify_list_is_a_clear_error(value: str, words: str) -> None:
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({"CRISISBOT_NOTIFY": value})
    assert words in str(refused.value)
