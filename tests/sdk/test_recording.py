"""record_call_args: the recording contract, iteration rules, serialization, redaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import fluxloop
import pytest
from fluxloop.serialization import MARKER_ATTR, MAX_DEPTH

from fluxloop_core.recording import json_depth, read_recording


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_noop_when_off(tmp_path: Path) -> None:
    fluxloop.configure(recording_file=str(tmp_path / "r.jsonl"))
    fluxloop.record_call_args(target="m:f", x=1)
    assert not (tmp_path / "r.jsonl").exists()


def test_line_contract_and_auto_increment(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    fluxloop.configure(record_args=True, recording_file=str(path))
    for _ in range(2):
        fluxloop.record_call_args(target="m:A.f", data={"content": "hi"})
    fluxloop.record_call_args(target="m:g", x=1)
    recorded = lines(path)
    assert [(r["target"], r["iteration"]) for r in recorded] == [
        ("m:A.f", 0),
        ("m:A.f", 1),
        ("m:g", 0),
    ]
    first = recorded[0]
    assert set(first) == {"_version", "iteration", "target", "kwargs", "timestamp"}
    assert first["_version"] == "1" and first["kwargs"] == {"data": {"content": "hi"}}
    dt.datetime.fromisoformat(str(first["timestamp"]))


def test_explicit_iteration_only(tmp_path: Path) -> None:
    fluxloop.configure(record_args=True, recording_file=str(tmp_path / "r.jsonl"))
    fluxloop.set_recording_options(iteration_auto_increment=False)
    fluxloop.record_call_args(target="m:f", iteration=7, x=1)
    assert lines(tmp_path / "r.jsonl")[0]["iteration"] == 7
    with pytest.raises(fluxloop.ConfigurationError, match="iteration="):
        fluxloop.record_call_args(target="m:f", x=1)


class Color(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Session:
    user: str
    tags: tuple[str, ...]


class Model:
    """Duck-typed like a pydantic model."""

    def model_dump(self) -> dict[str, object]:
        return {"id": 3, "when": dt.date(2025, 9, 30)}


def test_values_become_faithful_json(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    fluxloop.configure(record_args=True, recording_file=str(path))

    def send_message_callback() -> None:
        pass

    builtin = lambda: None  # noqa: E731
    setattr(builtin, MARKER_ATTR, "<builtin:collector.send>")
    cyclic: dict[str, object] = {"a": 1}
    cyclic["self"] = cyclic
    fluxloop.record_call_args(
        target="m:f",
        cb=send_message_callback,
        replayed=builtin,
        color=Color.RED,
        session=Session("u", ("x", "y")),
        model=Model(),
        when=dt.datetime(2025, 9, 30, 12, 0),
        amount=Decimal("1.10"),
        ids={3, 1, 2},
        raw=b"hi",
        cyclic=cyclic,
        other=object(),
    )
    kwargs = lines(path)[0]["kwargs"]
    assert isinstance(kwargs, dict)
    assert (
        kwargs["cb"] == "<callable:test_values_become_faithful_json.<locals>.send_message_callback>"
    )
    assert kwargs["replayed"] == "<builtin:collector.send>"
    assert kwargs["color"] == "red"
    assert kwargs["session"] == {"user": "u", "tags": ["x", "y"]}
    assert kwargs["model"] == {"id": 3, "when": "2025-09-30"}
    assert kwargs["when"] == "2025-09-30T12:00:00"
    assert kwargs["amount"] == "1.10"
    assert kwargs["ids"] == [1, 2, 3]
    assert kwargs["raw"] == "<base64:aGk=>"
    assert kwargs["cyclic"] == {"a": 1, "self": "<cycle>"}
    assert str(kwargs["other"]).startswith("<repr:<object object")


def nest(levels: int) -> object:
    """``levels`` nested lists around "bottom" (``nest(0)`` is the string itself)."""
    value: object = "bottom"
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize("levels", [1, MAX_DEPTH - 2, MAX_DEPTH - 1, MAX_DEPTH, 5_000])
def test_the_sdk_writes_what_the_reader_reads(tmp_path: Path, levels: int) -> None:
    """The SDK and FluxLoop's reader agree on MAX_DEPTH: every recorded line is readable,
    and a value too deep for it ends in a marker instead of vanishing."""
    path = tmp_path / "r.jsonl"
    fluxloop.configure(record_args=True, recording_file=str(path))
    fluxloop.record_call_args(target="m:f", deep=nest(levels))
    recording = read_recording(path)
    assert recording.problems == [] and len(recording.calls) == 1
    kwargs = recording.calls[0].kwargs
    assert json_depth(json.loads(path.read_text())) <= MAX_DEPTH
    kept = MAX_DEPTH - 2  # the line and kwargs take two levels
    if levels <= kept:
        assert kwargs["deep"] == nest(levels)
    else:
        cut: object = kwargs["deep"]
        for _ in range(kept):
            assert isinstance(cut, list)
            cut = cut[0]
        assert cut == f"<too deep: nested more than {MAX_DEPTH - 1} levels>"


SECRET_KEYS = [
    "access_token",
    "X-Api-Key",
    "apiKey",
    "client_secret",
    "secret_key",
    "openai_api_key",
    "passwd",
    "refresh_token",
    "private_key",
    "API_KEY",
    "Password",
    "Authorization",
    "Set-Cookie",
    "AWS_SECRET_ACCESS_KEY",
    "xApiKey",
    "APIKEY",
    "db.password",
    "userCredentials",
]
KEPT_KEYS = [
    "monkey",
    "keyboard",
    "tokenizer",
    "tokens",
    "max_tokens",
    "author",
    "secretary",
    "cookie_policy",
    "keyboard_layout",
    "sort_key",
    "key",
    "token_count",
    "passage",
]


def test_redaction_matches_normalised_secret_names(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    fluxloop.configure(record_args=True, recording_file=str(path))
    secrets = {name: f"s3cret-{i}" for i, name in enumerate(SECRET_KEYS)}
    kept = {name: f"plain-{i}" for i, name in enumerate(KEPT_KEYS)}
    fluxloop.record_call_args(
        target="m:f", **secrets, **kept, nested=[{"headers": {**secrets, **kept}}]
    )
    (kwargs,) = (r["kwargs"] for r in lines(path))
    assert "s3cret" not in json.dumps(kwargs)
    for top in (kwargs, kwargs["nested"][0]["headers"]):
        assert {name: top[name] for name in SECRET_KEYS} == dict.fromkeys(SECRET_KEYS, "<redacted>")
        assert {name: top[name] for name in KEPT_KEYS} == kept


def test_redaction_names_are_configurable(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    fluxloop.configure(record_args=True, recording_file=str(path))
    values = {"API_KEY": "s1", "monkey": "george", "ssn": "123", "userSsn": "456"}
    fluxloop.configure(redact_keys=["monkey", "ssn"])  # replaces the defaults
    fluxloop.record_call_args(target="m:f", **values)
    fluxloop.configure(redact_keys=[*fluxloop.DEFAULT_REDACT_KEYS, "ssn"])  # adds to them
    fluxloop.record_call_args(target="m:f", **values)
    first, second = (r["kwargs"] for r in lines(path))
    hidden = "<redacted>"
    assert first == {"API_KEY": "s1", **dict.fromkeys(["monkey", "ssn", "userSsn"], hidden)}
    assert second == {"monkey": "george", **dict.fromkeys(["API_KEY", "ssn", "userSsn"], hidden)}
    with pytest.raises(fluxloop.ConfigurationError, match="list of key names"):
        fluxloop.configure(redact_keys="password")


WRITER = """
import sys
import fluxloop
fluxloop.configure(record_args=True, recording_file=sys.argv[1])
payload = {"text": "x" * 3000, "n": list(range(50))}
for i in range(5000):
    fluxloop.record_call_args(target="m:f", data=payload, i=i)
"""


def test_eight_processes_append_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    procs = [subprocess.Popen([sys.executable, str(script), str(path)]) for _ in range(8)]
    assert all(p.wait(timeout=300) == 0 for p in procs)
    recorded = path.read_text().splitlines()
    assert len(recorded) == 40_000
    assert all(json.loads(line)["kwargs"]["data"]["n"][-1] == 49 for line in recorded)
