"""PromQL helpers for the Prometheus test: turn an alert expression into one that always
answers with its series.

An alert expression like `ratio > 0.05` returns nothing while the alert is quiet, which would
hide a broken left-hand side. Adding `bool` to each top-level comparison (`ratio > bool 0.05`)
keeps the same series and answers 0 or 1, so "returns data" can be checked without waiting for
an alert to fire.
"""

from __future__ import annotations

import re

# Longest first, so `>=` is not read as `>`.
_COMPARISON = re.compile(r"==|!=|>=|<=|>|<")


def with_bool_comparisons(expr: str) -> str:
    """`expr` with `bool` after every comparison outside label matchers and strings."""
    out: list[str] = []
    i, braces, quote = 0, 0, ""
    while i < len(expr):
        char = expr[i]
        if quote:
            if char == "\\":
                out.append(expr[i : i + 2])
                i += 2
                continue
            quote = "" if char == quote else quote
        elif char in "\"'`":
            quote = char
        elif char == "{":
            braces += 1
        elif char == "}":
            braces -= 1
        elif braces == 0 and (match := _COMPARISON.match(expr, i)):
            out.append(match.group() + " bool")
            i = match.end()
            continue
        out.append(char)
        i += 1
    return "".join(out)
