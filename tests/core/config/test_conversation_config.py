"""The conversation: and personas: sections: strict, regexes compiled at load, multi_turn
read as conversation, what is not supported yet refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxloop_core.config.env import LayeredEnv
from fluxloop_core.config.loader import load_config
from fluxloop_core.errors import ConfigError

MINIMAL = 'name: demo\nrunner:\n  target: "agent:run"\n'
PERSONA = 'personas:\n  - name: p\n    follow_ups: [["more"]]\n'


def load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "setting.yaml"
    path.write_text(MINIMAL + text, encoding="utf-8")
    return load_config(path, env=LayeredEnv(variables={}, sources={}))


def test_every_upstream_persona_field_is_accepted(tmp_path: Path) -> None:
    loaded = load(
        tmp_path,
        "conversation:\n  enabled: true\n  max_turns: 3\n  history_param: messages\n"
        "  simulator: {mode: scripted}\n"
        "personas:\n  - name: p\n    description: d\n    characteristics: [c]\n"
        "    language: de\n    expertise_level: expert\n    goals: [g]\n"
        '    follow_ups: [["a", "b"], ["c"]]\n    stop_when: ["(?i)thanks"]\n',
    )
    config = loaded.config  # type: ignore[attr-defined]
    assert config.conversation.max_turns == 3
    (persona,) = config.personas
    assert persona.language == "de" and persona.follow_ups == [["a", "b"], ["c"]]
    assert persona.stops("Thanks!") and not persona.stops("no")


def test_multi_turn_is_read_as_conversation(tmp_path: Path) -> None:
    loaded = load(tmp_path, "multi_turn:\n  enabled: true\n  max_turns: 4\n" + PERSONA)
    assert loaded.config.conversation.max_turns == 4  # type: ignore[attr-defined]


def test_both_spellings_at_once_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="keep only conversation"):
        load(tmp_path, "multi_turn: {enabled: true}\nconversation: {enabled: true}\n")


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ('personas:\n  - name: p\n    stop_when: ["("]\n', 6, "not a regular expression"),
        ("conversation:\n  simulator:\n    temperature: 3\n", 6, "less than or equal to 2"),
        ("conversation:\n  simulator:\n    model: m\n", 5, "model only apply to mode llm"),
        ("conversation:\n  history_param: 'a b'\n", 5, "not a keyword argument name"),
        ("personas:\n  - name: p\n  - name: p\n", 4, "two personas are named 'p'"),
        ("personas:\n  - name: p\n    follow_ups: [[]]\n", 6, "has no alternative"),
        ("multi_turn:\n  max_turns: 0\n", 5, "greater than or equal to 1"),
    ],
)
def test_mistakes_are_config_errors_at_their_line(
    tmp_path: Path, text: str, line: int, says: str
) -> None:
    with pytest.raises(ConfigError, match=says) as raised:
        load(tmp_path, text)
    assert raised.value.line == line
