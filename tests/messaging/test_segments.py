"""SMS encoding and segment counting."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consentry.messaging.segments import (
    analyze,
    gsm7_decode,
    gsm7_encode,
    is_gsm7,
    split,
    ucs2_decode,
    ucs2_encode,
)

EMOJI = "\U0001f600"  # outside the BMP: a surrogate pair, two UCS-2 units


def _units(part: str, encoding: str) -> int:
    if encoding == "GSM-7":
        return len(gsm7_encode(part))
    return len(ucs2_encode(part)) // 2


@pytest.mark.parametrize(
    ("text", "encoding", "segments", "units", "per_segment", "remaining"),
    [
        ("", "GSM-7", 1, 0, 160, 160),
        ("a" * 160, "GSM-7", 1, 160, 160, 0),
        ("a" * 161, "GSM-7", 2, 161, 153, 145),
        ("a" * 306, "GSM-7", 2, 306, 153, 0),
        ("a" * 307, "GSM-7", 3, 307, 153, 152),
        ("é" * 70, "GSM-7", 1, 70, 160, 90),  # é is in the GSM basic table
        ("€" * 80, "GSM-7", 1, 160, 160, 0),
        ("€" * 80 + "a", "GSM-7", 2, 161, 153, 144),  # 76 pairs fill part one: 152 septets
        ("ç" * 70, "UCS-2", 1, 70, 70, 0),  # only the capital Ç is GSM
        ("ç" * 71, "UCS-2", 2, 71, 67, 63),
        ("a" * 69 + EMOJI, "UCS-2", 2, 71, 67, 63),
        (EMOJI * 35, "UCS-2", 1, 70, 70, 0),
        ("Reply STOP to end", "GSM-7", 1, 17, 160, 143),
        ("Your code is 1234 ^_^", "GSM-7", 1, 23, 160, 137),
    ],
)
def test_known_cases(
    text: str, encoding: str, segments: int, units: int, per_segment: int, remaining: int
) -> None:
    seg = analyze(text)
    assert (seg.encoding, seg.segments, seg.units, seg.per_segment, seg.remaining_in_segment) == (
        encoding,
        segments,
        units,
        per_segment,
        remaining,
    )


def test_160_vs_161_gsm() -> None:
    assert analyze("x" * 160).segments == 1
    assert [len(p) for p in split("x" * 161)] == [153, 8]


def test_70_vs_71_ucs2() -> None:
    assert analyze("Ω" * 69 + "你").segments == 1
    assert [len(p) for p in split("你" * 71)] == [67, 4]


def test_extension_char_counts_two_septets_and_forces_no_ucs2() -> None:
    seg = analyze("{}[]~|^\\€")
    assert seg.encoding == "GSM-7"
    assert seg.units == 18
    assert seg.non_gsm_chars == []


def test_escape_pair_is_not_split_at_the_boundary() -> None:
    # 152 septets then an escape pair: the pair would straddle septets 153/154, so it moves.
    parts = split("a" * 152 + "€" + "b" * 10)
    assert parts == ["a" * 152, "€" + "b" * 10]
    assert _units(parts[0], "GSM-7") == 152


def test_escape_pair_that_fits_exactly_stays() -> None:
    parts = split("a" * 151 + "€" + "b" * 10)
    assert parts[0] == "a" * 151 + "€"
    assert _units(parts[0], "GSM-7") == 153


def test_surrogate_pair_is_not_split_at_the_boundary() -> None:
    # 66 units then an emoji: the pair would straddle units 67/68, so it opens part two.
    text = "a" * 66 + EMOJI + "b" * 5
    assert analyze(text).units == 73
    assert split(text) == ["a" * 66, EMOJI + "b" * 5]
    assert analyze(text).remaining_in_segment == 67 - 7


def test_surrogate_pair_that_fits_exactly_stays() -> None:
    text = "a" * 65 + EMOJI + "b" * 5
    assert split(text) == ["a" * 65 + EMOJI, "b" * 5]


def test_emoji_at_single_part_boundary() -> None:
    assert analyze("a" * 68 + EMOJI).segments == 1
    assert analyze("a" * 69 + EMOJI).segments == 2


def test_non_gsm_chars_listed_once_in_order() -> None:
    seg = analyze("Hi “Sam” 😀 — see you “soon”")
    assert seg.encoding == "UCS-2"
    assert seg.non_gsm_chars == ["“", "”", EMOJI, "—"]


def test_gsm7_round_trip_and_escape_bytes() -> None:
    assert gsm7_encode("@€a") == bytes([0x00, 0x1B, 0x65, 0x61])
    assert gsm7_decode(gsm7_encode("Hällo {x} €5 £3 ¿?")) == "Hällo {x} €5 £3 ¿?"
    with pytest.raises(ValueError):
        gsm7_encode("ç")


def test_ucs2_round_trip() -> None:
    assert ucs2_decode(ucs2_encode("ok " + EMOJI)) == "ok " + EMOJI
    assert len(ucs2_encode(EMOJI)) == 4


def test_is_gsm7() -> None:
    assert is_gsm7("Msg & data rates may apply. Reply STOP to cancel.")
    assert not is_gsm7("Don’t")  # a curly apostrophe forces UCS-2


_gsm_chars = st.sampled_from(list("aZ09 @£é\n{}[]~|^\\€"))
_any_chars = st.one_of(
    _gsm_chars,
    st.characters(codec="utf-8", exclude_categories=("Cs",)),
    st.sampled_from([EMOJI, "\U0001f44d", "你", "—"]),
)


@given(st.one_of(st.text(_gsm_chars, max_size=700), st.text(_any_chars, max_size=400)))
def test_split_properties(text: str) -> None:
    seg = analyze(text)
    parts = split(text)
    assert "".join(parts) == text
    assert seg.segments == len(parts)
    limit = seg.per_segment
    for part in parts:
        assert _units(part, seg.encoding) <= limit
    assert seg.units == sum(_units(p, seg.encoding) for p in parts)
    assert seg.remaining_in_segment == limit - _units(parts[-1], seg.encoding)
    if seg.segments > 1:
        # a part is only cut short when the next character would not fit
        for part, nxt in itertools.pairwise(parts):
            assert _units(part + nxt[0], seg.encoding) > limit
