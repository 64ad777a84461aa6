from __future__ import annotations

from fluxloop_core.compare.diff import MAX_TOKENS, Piece, side_by_side


def test_changed_words_are_marked_on_their_side() -> None:
    left, right = side_by_side("Your balance is 42 USD", "Your balance is 40 USD today")
    assert "".join(p.text for p in left) == "Your balance is 42 USD"
    assert "".join(p.text for p in right) == "Your balance is 40 USD today"
    assert [p.text for p in left if p.changed] == ["42"]
    assert [p.text for p in right if p.changed] == ["40", " today"]


def test_equal_texts_have_no_change() -> None:
    assert side_by_side("same", "same") == ([Piece("same", False)], [Piece("same", False)])
    assert side_by_side("", "new") == ([], [Piece("new", True)])


def test_huge_texts_are_not_diffed_word_by_word() -> None:
    big = "w " * (MAX_TOKENS + 1)
    left, right = side_by_side(big, big + "x")
    assert left == [Piece(big, True)] and right == [Piece(big + "x", True)]
