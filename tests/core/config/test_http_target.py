"""The body template and the response path of runner.http."""

from __future__ import annotations

import pytest

from fluxloop_core.config.http_target import (
    MissingKwarg,
    MissingMetadata,
    MissingPath,
    TemplateValues,
    fill,
    fill_template,
    value_at,
)


def test_placeholders_are_replaced_in_string_values_only() -> None:
    template = {
        "messages": [{"role": "user", "content": "{input}"}],
        "note": "user {metadata.user} said: {input}",
        "count": "{metadata.n}",
        "{input}": 1,  # keys are not templates
        "fixed": [True, None, 2.5],
    }
    filled = fill_template(template, '"}, "x": {', {"user": "ann", "n": 7})

    assert filled == {
        "messages": [{"role": "user", "content": '"}, "x": {'}],
        "note": 'user ann said: "}, "x": {',
        "count": 7,
        "{input}": 1,
        "fixed": [True, None, 2.5],
    }


def test_a_missing_metadata_key_raises_naming_it() -> None:
    with pytest.raises(MissingMetadata) as caught:
        fill_template({"s": "x {metadata.session}"}, "hi", {})
    assert caught.value.args == ("session",)


def test_value_at_walks_mappings_and_list_items() -> None:
    data = {"choices": [{"message": {"content": "hi"}}]}
    assert value_at(data, "choices.0.message.content") == "hi"
    assert value_at(data, None) is data
    with pytest.raises(MissingPath, match=r"choices\.0 has no 'text'"):
        value_at(data, "choices.0.text")
    with pytest.raises(MissingPath, match=r"choices has no '1'"):
        value_at(data, "choices.1")


def test_history_and_kwargs_placeholders() -> None:
    history = ({"role": "user", "content": "a"}, {"role": "assistant", "content": "b"})
    values = TemplateValues("hi", {}, {"data": {"n": 2}}, history)
    filled = fill({"h": "{history}", "k": "{kwargs.data.n}", "t": "n={kwargs.data}"}, values)
    assert filled == {"h": [dict(m) for m in history], "k": 2, "t": 'n={"n": 2}'}
    # Outside a conversation the history is this message alone.
    assert fill("{history}", TemplateValues("hi")) == [{"role": "user", "content": "hi"}]
    with pytest.raises(MissingKwarg):
        fill("{kwargs.data.x}", values)
    with pytest.raises(MissingKwarg):
        fill("{kwargs}", TemplateValues("hi"))  # no replay
