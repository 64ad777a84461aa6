from __future__ import annotations

from fluxloop_core.compare.matching import InputKey, input_key, match_inputs


def test_keys_take_an_id_of_text_or_number_only() -> None:
    assert input_key("q", {"id": "a1"}) == InputKey("q", "a1")
    assert input_key("q", {"id": 7}) == InputKey("q", "7")
    assert input_key("q", {"id": True}) == InputKey("q")
    assert input_key("q", {"id": ["x"]}) == InputKey("q")
    assert input_key("q", None) == InputKey("q")


def test_matching_by_text_and_id() -> None:
    base = {InputKey("a", "1"): "A1", InputKey("a", "2"): "A2", InputKey("b"): "B"}
    cand = {InputKey("a", "1"): "a1", InputKey("a", "3"): "a3", InputKey("b", "9"): "b9"}
    matched = match_inputs(base, cand)
    # a/1 exactly; b gained an id and still matches; a/2 and a/3 differ by id.
    assert sorted(matched.pairs) == [("A1", "a1"), ("B", "b9")]
    assert matched.only_base == ["A2"]
    assert matched.only_candidate == ["a3"]


def test_an_ambiguous_text_is_not_guessed() -> None:
    base = {InputKey("a", "1"): "A1", InputKey("a", "2"): "A2"}
    cand = {InputKey("a"): "a"}
    matched = match_inputs(base, cand)
    assert matched.pairs == []
    assert sorted(matched.only_base) == ["A1", "A2"]
