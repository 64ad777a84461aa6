"""A command target for the tests (schema 1): echoes, or misbehaves on request.

``python agent.py`` answers request lines until stdin ends (protocol jsonl);
``python agent.py --per-run`` answers one and exits (protocol per_run). The input picks
the behaviour: ``die`` exits 3 after writing to stderr (with $AGENT_TOKEN), ``hang`` never answers,
``garbage`` prints a line that is not JSON, ``huge`` prints a 17 MiB line, ``version``
answers with schema version 2, ``error`` answers an error, ``plain`` prints plain text,
``pid`` answers its process id; anything else is echoed (with the replayed kwargs as
compact JSON) with usage and a tool span.
"""

import json
import os
import sys
import time


def answer(request: dict) -> dict | None:
    text = request["input"]
    if text == "die":
        sys.stderr.write(f"dying on purpose: token={os.environ.get('AGENT_TOKEN')}\n")
        sys.stderr.flush()
        os._exit(3)
    if text == "hang":
        time.sleep(3600)
    if text == "garbage":
        print("this is not json", flush=True)
        return None
    if text == "huge":
        print(json.dumps({"v": 1, "output": "x" * (17 * 1024 * 1024)}), flush=True)
        return None
    if text == "version":
        return {"v": 2, "output": text}
    if text == "error":
        trace = f"at answer(): token={os.environ.get('AGENT_TOKEN')}"
        return {"v": 1, "error": {"type": "ValueError", "message": "bad input", "traceback": trace}}
    if text == "plain":
        print("plain words", flush=True)
        return None
    if text == "pid":
        return {"v": 1, "output": os.getpid()}
    history = request.get("history")
    output = f"echo: {text}"
    if history is not None:
        output += f" [{len(history)} messages]"
    if request.get("kwargs") is not None:
        output += " " + json.dumps(request["kwargs"], separators=(",", ":"))
    return {
        "v": 1,
        "output": output,
        "usage": {"prompt_tokens": len(text), "completion_tokens": 7, "model": "echo-1"},
        "spans": [{"name": "lookup", "kind": "tool"}],
    }


def main() -> None:
    per_run = "--per-run" in sys.argv
    for line in sys.stdin:
        reply = answer(json.loads(line))
        if reply is not None:
            print(json.dumps(reply), flush=True)
        if per_run:
            return


main()
