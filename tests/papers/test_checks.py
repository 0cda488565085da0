from dailypapers.papers.checks import check_feed_settings


def test_good_settings_pass():
    assert check_feed_settings() == []


def test_unknown_time_zone_is_reported_with_a_hint(settings):
    settings.FEED_TIME_ZONE = "Mars/Olympus"

    errors = check_feed_settings()

    assert [e.id for e in errors] == ["dailypapers.E001"]
    assert "IANA" in errors[0].hint


def test_non_positive_trending_settings_are_reported(settings):
    settings.TRENDING_HALF_LIFE_HOURS = 0
    settings.TRENDING_WINDOW_DAYS = 0

    assert [e.id for e in check_feed_settings()] == ["dailypapers.E002", "dailypapers.E003"]
