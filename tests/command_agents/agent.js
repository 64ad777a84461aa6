// A command target for the tests (schema 1), the JavaScript twin of agent.py: the same
// behaviours, picked by the input. `node agent.js` is jsonl, `node agent.js --per-run`
// answers one request and exits.
const readline = require("readline");

const perRun = process.argv.includes("--per-run");
const lines = readline.createInterface({ input: process.stdin });

function answer(request) {
  const text = request.input;
  if (text === "die") {
    process.stderr.write(`dying on purpose: token=${process.env.AGENT_TOKEN}\n`, () =>
      process.exit(3),
    );
    return undefined;
  }
  if (text === "hang") {
    setInterval(() => {}, 1000); // stays alive even once stdin ends (per_run)
    return undefined;
  }
  if (text === "garbage") return "this is not json";
  if (text === "huge") return JSON.stringify({ v: 1, output: "x".repeat(17 * 1024 * 1024) });
  if (text === "version") return JSON.stringify({ v: 2, output: text });
  if (text === "error") {
    const traceback = `at answer(): token=${process.env.AGENT_TOKEN}`;
    return JSON.stringify({ v: 1, error: { type: "ValueError", message: "bad input", traceback } });
  }
  if (text === "plain") return "plain words";
  if (text === "pid") return JSON.stringify({ v: 1, output: process.pid });
  let output = `echo: ${text}`;
  if (request.history !== null && request.history !== undefined) {
    output += ` [${request.history.length} messages]`;
  }
  if (request.kwargs !== null && request.kwargs !== undefined) {
    output += ` ${JSON.stringify(request.kwargs)}`;
  }
  return JSON.stringify({
    v: 1,
    output,
    usage: { prompt_tokens: text.length, completion_tokens: 7, model: "echo-1" },
    spans: [{ name: "lookup", kind: "tool" }],
  });
}

lines.on("line", (line) => {
  const reply = answer(JSON.parse(line));
  if (reply === undefined) return;
  process.stdout.write(reply + "\n", () => {
    if (perRun) process.exit(0);
  });
});
