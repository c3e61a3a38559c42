"""The alert-expression rewrite the Prometheus test relies on."""

from __future__ import annotations

import pytest

from tests.deploy.promql import with_bool_comparisons


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("up == 0", "up == bool 0"),
        ("x > 0.05", "x > bool 0.05"),
        ("a >= 1 and b <= 2", "a >= bool 1 and b <= bool 2"),
        ('rate(x{status!~"2.."}[5m]) > 1', 'rate(x{status!~"2.."}[5m]) > bool 1'),
        ('x{route="/a>b"} != 3', 'x{route="/a>b"} != bool 3'),
        ("sum(rate(x[5m]))", "sum(rate(x[5m]))"),
    ],
)
def test_comparisons_get_bool_and_matchers_do_not(expr: str, expected: str) -> None:
    assert with_bool_comparisons(expr) == expected
