"""Inbound keyword recognition."""

from __future__ import annotations

import pytest

from consentry.consent.keywords import KeywordAction, classify


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "stop",
        " Stop. ",
        "STOPALL",
        "unsubscribe",
        "Cancel!",
        "end",
        "QUIT",
        "revoke",
        "OPTOUT",
        "opt out",
        "Opt-Out",
        "please stop texting me",
        "Remove me",
        "stop all",
    ],
)
def test_opt_out_words_and_phrases(text: str) -> None:
    assert classify(text) is KeywordAction.OPT_OUT


@pytest.mark.parametrize("text", ["HELP", "help?", "Info"])
def test_help_words(text: str) -> None:
    assert classify(text) is KeywordAction.HELP


@pytest.mark.parametrize("text", ["START", "unstop", "Yes"])
def test_opt_in_words(text: str) -> None:
    assert classify(text) is KeywordAction.OPT_IN


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Can I reschedule to Friday?",
        "The bus stop is on Main St",
        "I want to end my lease early "
        "and need to talk about the deposit and the keys and the inspection date please",
        "Yes I will be there at 3",
    ],
)
def test_ordinary_messages_are_not_keywords(text: str) -> None:
    assert classify(text) is None
