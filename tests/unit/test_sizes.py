"""Modules stay small and functions short; a declarative table may be longer if it says so."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60
TABLE_MARK = "# A declarative table"


def python_files() -> list[Path]:
    return sorted(p for part in ("src", "tests", "loadtest") for p in (ROOT / part).rglob("*.py"))


def test_no_module_is_over_300_lines() -> None:
    long = [
        f"{path.relative_to(ROOT)}: {lines} lines"
        for path in python_files()
        if (lines := path.read_text().count("\n")) > MAX_MODULE_LINES
    ]
    assert not long, "split these modules:\n" + "\n".join(long)


def test_no_function_is_over_60_lines_unless_it_is_a_declared_table() -> None:
    long = []
    for path in python_files():
        source = path.read_text()
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            assert node.end_lineno is not None
            body = lines[node.lineno - 1 : node.end_lineno]
            if len(body) > MAX_FUNCTION_LINES and not any(TABLE_MARK in line for line in body):
                long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {len(body)}")
    assert not long, "split these functions:\n" + "\n".join(long)
