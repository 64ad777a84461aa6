"""fluxloop_core.redaction: which names are secret, and what any text or data loses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fluxloop_core.config.env import load_layered_env
from fluxloop_core.errors import ConfigError
from fluxloop_core.redaction import REDACTED, Redactor, is_secret_name, redact
from fluxloop_tui.widgets.table import plain_cells

SECRET_NAMES = [
    "OPENAI_API_KEY",
    "FLUXLOOP_API_KEY",
    "GPG_KEY",
    "GITHUB_TOKEN",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "DB_PASSWORD",
    "PGPASSWORD",
    "SMTP_PASSWD",
    "DB_PASS",
    "DB_PWD",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "CLIENT_SECRET",
    "stripeApiKey",
    "x-api-key",
]
PLAIN_NAMES = [
    "PWD",
    "OLDPWD",
    "HOME",
    "PATH",
    "MONKEY",
    "KEYBOARD",
    "TOKENIZER",
    "MAX_TOKENS",
    "AUTHOR",
    "SECRETARY",
    "COOKIE_POLICY",
    "SSH_AUTH_SOCK",
    "FLUXLOOP_COLLECTOR_URL",
]


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize("name", PLAIN_NAMES)
def test_plain_names(name: str) -> None:
    assert not is_secret_name(name)


def test_values_of_secret_variables_from_env_and_dotenv_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOME_SERVICE_TOKEN", "from-the-process-1234")
    monkeypatch.setenv("SOME_SETTING", "plain-process-value")
    (tmp_path / ".env").write_text("ZZ_UNIQUE_API_KEY=from-a-dotenv-5678\nZZ_LEVEL=verbose\n")
    text = "a from-the-process-1234 b from-a-dotenv-5678 c plain-process-value verbose"
    assert "from-a-dotenv" in redact(text)  # not known until a .env file holding it is read
    load_layered_env(tmp_path, process_env={})
    assert redact(text) == f"a {REDACTED} b {REDACTED} c plain-process-value verbose"


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("http://user:pa55@127.0.0.1:9/x", "http://user:****@127.0.0.1:9/x"),
        ("see https://me:p%40ss@host/v1.", "see https://me:****@host/v1."),
        ("postgres://app:s3cr3t@db:5432/main", "postgres://app:****@db:5432/main"),
        ("redis://:onlypass@cache:6379", "redis://:****@cache:6379"),
        ("https://api.example/v1?api_key=abc&page=2", "https://api.example/v1?api_key=****&page=2"),
        ("/cb?code=1&access_token=xyz#top", "/cb?code=1&access_token=****#top"),
        (
            "?key=k1&sig=s1&token=t1&secret=s2&password=p1",
            "?key=****&sig=****&token=****&secret=****&password=****",
        ),
        ("?q=monkey&tokens=5&max_tokens=9", "?q=monkey&tokens=5&max_tokens=9"),
        ("Authorization: Bearer eyJhbGc.eyJzdWIi.sig-1", "Authorization: Bearer ****"),
        ("authorization: bearer sk-proj-AbC_123", "authorization: bearer ****"),
        ("Bearer authentication required", "Bearer authentication required"),
        ("http://127.0.0.1:8000/v1 is fine", "http://127.0.0.1:8000/v1 is fine"),
    ],
)
def test_url_passwords_query_parameters_and_bearer_tokens(text: str, hidden: str) -> None:
    assert redact(text) == hidden


def test_json_text_stays_valid_and_escaped_secrets_are_found() -> None:
    secret = 'quote"and\\slash-é-9999'
    data = {
        "a": f"echo {secret}",
        "url": "http://u:",
        "b": "x@y",  # a URL's "user:" never runs across strings
        "c": "http://u:pw@h/",
    }
    for ensure_ascii in (True, False):
        text = json.dumps(data, ensure_ascii=ensure_ascii)
        out = Redactor([secret]).text(text)
        assert json.loads(out) == {
            "a": f"echo {REDACTED}",
            "url": "http://u:",
            "b": "x@y",
            "c": f"http://u:{REDACTED}@h/",
        }


def test_show_tail_masks_all_but_the_last_four() -> None:
    shown = Redactor(["sk-live-abcdef-0042"], show_tail=True).text(
        "key sk-live-abcdef-0042 at http://u:longpassword@h/"
    )
    assert shown == "key ***************0042 at http://u:********word@h/"


def test_data_hides_secret_named_keys_and_every_string_at_any_depth() -> None:
    deep: dict[str, object] = {"leaf": "Bearer tok-123456"}
    for _ in range(10_000):
        deep = {"next": deep}
    data = {
        "environment_vars": {"DB_PASSWORD": "short", "MODE": "test", "apiKey": "k"},
        "list": ["sk-known-secret-11", 3, None, True],
        "deep": deep,
    }
    out = Redactor(["sk-known-secret-11"]).data(data)
    assert out["environment_vars"] == {"DB_PASSWORD": REDACTED, "MODE": "test", "apiKey": REDACTED}
    assert out["list"] == [REDACTED, 3, None, True]
    node = out["deep"]
    while "next" in node:
        node = node["next"]
    assert node == {"leaf": f"Bearer {REDACTED}"}


def test_error_paragraphs_and_tui_cells_are_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZZ_ERROR_API_KEY", "sk-test-in-an-error-77")
    error = ConfigError("expected a whole number, got 'sk-test-in-an-error-77'", key="iterations")
    assert "sk-test" not in error.render() + str(error) + error.message
    assert [c.plain for c in plain_cells(["sk-test-in-an-error-77", "ok"])] == [REDACTED, "ok"]
