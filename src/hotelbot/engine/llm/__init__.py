"""The LLM path of the engine: providers behind `LlmProvider`, understanding by structured
output, a tool-calling turn with grounding checks, and the usage that turns cost into metrics.

Nothing here is needed for the offline engine: with no provider configured `TurnContext.llm`
is None and `handle_turn` never imports this package's providers. Every failure here becomes an
`LlmError`, which the turn catches to answer from the offline engine instead.
"""
