"""Feedback teaches without giving the key away (issue 12, item 6).

Every hidden check's message is what a learner reads when the check fails. It must name the idea
that was missed, never the key: no option letter, code, cell or value that the hidden cell holds
as data. The learner's answer is also never compared in a public check (public checks only read
it), and no released notebook carries a key.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
AUTOGRADERS = sorted(p for p in (REPO / "autograders").iterdir() if p.is_dir())
MESSAGE_CALLS = {"gate": 1, "credit": 2, "equal": 3, "that": 2, "raises": 3}


def _cells(path: Path) -> dict[str, str]:
    cells: dict[str, str] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r'# %% grade_id="([a-z0-9_]+)"', line)
        if match:
            current = match.group(1)
            cells[current] = ""
        elif current:
            cells[current] += line + "\n"
    return cells


def _messages_and_data(source: str) -> tuple[list[str], set[str]]:
    tree = ast.parse(source)
    messages: list[ast.AST] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in MESSAGE_CALLS
            and len(node.args) > MESSAGE_CALLS[node.func.attr]
        ):
            messages.append(node.args[MESSAGE_CALLS[node.func.attr]])
    in_messages = {id(n) for m in messages for n in ast.walk(m)}
    data = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in in_messages
        and node.value.strip()
    }
    texts = [
        "".join(
            n.value for n in ast.walk(m) if isinstance(n, ast.Constant) and isinstance(n.value, str)
        )
        for m in messages
    ]
    return texts, data


CASES = [
    pytest.param(folder, grade_id, source, id=f"{folder.name}:{grade_id}")
    for folder in AUTOGRADERS
    if (folder / "hidden_tests.py").is_file()
    for grade_id, source in _cells(folder / "hidden_tests.py").items()
]


@pytest.mark.parametrize(("folder", "grade_id", "source"), CASES)
def test_hidden_messages_do_not_quote_the_key(folder, grade_id, source):
    """Does no failure message contain a key value the hidden cell holds as data?"""
    messages, data = _messages_and_data(source)
    assert messages, f"{grade_id}: a hidden cell with no learner-facing message"
    for message in messages:
        for value in data:
            if len(value) == 1:  # an option letter, as a word of its own: "choose C"
                pattern = rf"(?<![\w\'’-]){re.escape(value)}(?![\w\'’-])"
                found = value.isupper() and re.search(pattern, message)
            else:
                found = re.search(rf"(?<!\w){re.escape(value)}(?!\w)", message)
            assert not found, f"{grade_id}: the message {message!r} quotes the key's {value!r}"


@pytest.mark.parametrize("folder", AUTOGRADERS, ids=lambda p: p.name)
def test_no_released_choice_cell_carries_its_key(folder):
    """Is every choice of the key absent from the assignment's text notebook?"""
    key_path = folder / "key.yaml"
    if not key_path.is_file():
        pytest.skip("no choice cells")
    key = yaml.safe_load(key_path.read_text(encoding="utf-8")) or {}
    notebook = "\n".join(
        p.read_text(encoding="utf-8") for p in (REPO / "assignments" / folder.name).glob("*.py")
    )
    for filled in (key.get("choices") or {}).values():
        assert filled not in notebook, f"{folder.name}: the key line {filled!r} is in the notebook"
