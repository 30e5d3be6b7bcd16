"""check_send_time: only the content rules a message must pass when it is sent."""

from __future__ import annotations

import pytest

from consentry.compliance import Context, check_send_time

CTX = Context(company="Northside Physical Therapy", age_gated=False, website="northsidept.com")


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Northside PT: 20% off CBD gummies this week!", "CT-FORBIDDEN"),
        ("Northside PT: need cash fast? Get a payday loan today.", "CT-HIGH-RISK-FINANCIAL"),
        ("Northside PT: happy hour! Cold beer and wine 50% off tonight.", "CT-AGE-GATE"),
        ("Northside PT: book now at https://bit.ly/3xYz12", "SM-LINKS"),
        ("Northside PT: book now at tinyurl.com/abc123", "SM-LINKS"),
    ],
)
def test_send_time_rules_fire(text: str, rule: str) -> None:
    assert rule in check_send_time(text, CTX).failing_rules()


@pytest.mark.parametrize(
    "text",
    [
        "Northside PT: your visit is Tue at 3pm. Reply STOP to opt out.",
        # Registration-only rules (brand, opt-out wording) are not send-time rules.
        "see you tomorrow",
        # A link to another site is a registration concern, not a send-time refusal.
        "Northside PT: directions https://maps.example.org/northside",
        "Northside PT: we do not sell CBD products; ask your doctor about pain relief options.",
    ],
)
def test_send_time_near_misses(text: str) -> None:
    assert check_send_time(text, CTX).failing_rules() == set()


def test_age_gated_campaign_may_mention_wine() -> None:
    text = "Northside Wine Bar: new reds from Napa tasting tonight at 6pm."
    assert "CT-AGE-GATE" in check_send_time(text, CTX).failing_rules()
    gated = CTX.with_(age_gated=True)
    assert "CT-AGE-GATE" not in check_send_time(text, gated).failing_rules()
