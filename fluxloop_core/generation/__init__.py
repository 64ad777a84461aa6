"""Input generation: deterministic strategies offline, or an OpenAI-compatible LLM."""
