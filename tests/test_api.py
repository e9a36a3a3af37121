"""Is bpscare.api, the one way in for course content, complete, importable and documented?

docs/api.md is generated from bpscare.api (its sections, each name's signature and the first
paragraph of its docstring). When the API changes, regenerate it with
``BPSCARE_UPDATE_DOCS=1 python -m pytest tests/test_api.py``; the test fails while it is stale.
"""

from __future__ import annotations

import inspect
import os
from pathlib import Path

import pytest

import bpscare.api as api

REPO = Path(__file__).resolve().parents[1]
API_DOC = REPO / "docs" / "api.md"

INTRO = """\
# The learner-facing API: `bpscare.api`

Lessons (`modules/`), assignments (`assignments/`), autograder tests (`autograders/`) and Voila
apps (`course/apps/`) import the library **only** from `bpscare.api`:

```python
from bpscare.api import Checks, load_case, save_answer, screener_form
```

`tests/test_layout.py` fails when a content file imports anything else, so this page is the
whole surface a course author needs. The rest of the library (build, grading engine, reports)
serves the command line and may be reorganised; the names below are kept stable. Each name is
imported on first use, so a cell that needs a screener score does not load every widget.

This page is generated from `src/bpscare/api.py` and the docstrings; to change it, change them
and run `BPSCARE_UPDATE_DOCS=1 python -m pytest tests/test_api.py`.
"""


def first_paragraph(obj: object) -> str:
    doc = inspect.getdoc(obj) or ""
    return " ".join(doc.split("\n\n", 1)[0].split())


def signature(name: str, obj: object) -> str:
    """``name(a: int, *, b: str = 'x') -> T`` with annotations as written in the source."""
    try:
        sig = inspect.signature(obj)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return name

    def text(annotation: object) -> str:
        return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)

    params = []
    for param in sig.parameters.values():
        params.append(
            param.replace(
                annotation=inspect.Parameter.empty, default=inspect.Parameter.empty
            ).__str__()
            + ("" if param.annotation is inspect.Parameter.empty else f": {text(param.annotation)}")
            + (
                ""
                if param.default is inspect.Parameter.empty
                else f" = {shown_default(param.default)}"
            )
        )
    shown = sig.replace(parameters=[], return_annotation=inspect.Signature.empty)
    args = str(shown)[1:-1]
    body = ", ".join(filter(None, [args, *_with_markers(sig, params)]))
    returns = (
        ""
        if sig.return_annotation is inspect.Signature.empty
        else f" -> {text(sig.return_annotation)}"
    )
    return f"{name}({body}){returns}"


def shown_default(value: object) -> str:
    """A default as a reader would write it: a function by its name, never its memory address."""
    if callable(value) and hasattr(value, "__qualname__"):
        return value.__qualname__
    return repr(value)


def _with_markers(sig: inspect.Signature, params: list[str]) -> list[str]:
    """Insert ``/`` and ``*`` where positional-only and keyword-only parameters begin."""
    out: list[str] = []
    kinds = [p.kind for p in sig.parameters.values()]
    for index, (kind, shown) in enumerate(zip(kinds, params, strict=True)):
        previous = kinds[index - 1] if index else None
        if kind is inspect.Parameter.KEYWORD_ONLY and previous not in (
            inspect.Parameter.KEYWORD_ONLY,
            inspect.Parameter.VAR_POSITIONAL,
        ):
            out.append("*")
        out.append(shown)
        if kind is inspect.Parameter.POSITIONAL_ONLY and (
            index + 1 == len(kinds) or kinds[index + 1] is not inspect.Parameter.POSITIONAL_ONLY
        ):
            out.append("/")
    return out


def render() -> str:
    parts = [INTRO]
    for section, names in api.SECTIONS.items():
        parts.append(f"\n## {section}\n")
        for name, (module, attribute) in names.items():
            obj = getattr(api, name)
            home = f"{module}.{attribute}"
            parts.append(f"\n### `{name}`\n\n```python\n{signature(name, obj)}\n```\n")
            if callable(obj):
                parts.append(f"\n{first_paragraph(obj)}\n")
            else:
                parts.append(f"\nA constant ({type(obj).__name__}).\n")
            parts.append(f"\nDefined in `{home}`.\n")
    return "".join(parts)


def test_every_public_name_resolves_and_is_listed_once():
    """Does every name in __all__ import, and is every name in exactly one section?"""
    listed = [name for names in api.SECTIONS.values() for name in names]
    assert sorted(listed) == sorted(api.__all__)
    assert len(listed) == len(set(listed))
    for name in api.__all__:
        assert getattr(api, name) is not None


def test_every_callable_has_a_docstring():
    """Can a course author read what each function or class does?"""
    missing = [
        n for n in api.__all__ if callable(getattr(api, n)) and not first_paragraph(getattr(api, n))
    ]
    assert not missing, missing


def test_unknown_names_say_where_to_look():
    with pytest.raises(AttributeError, match=r"docs/api\.md"):
        api.no_such_name  # noqa: B018


def test_docs_api_md_is_current():
    """Does docs/api.md describe exactly the API as it is?"""
    text = render()
    if os.environ.get("BPSCARE_UPDATE_DOCS"):
        API_DOC.write_text(text, encoding="utf-8")
    assert API_DOC.read_text(encoding="utf-8") == text, (
        "docs/api.md is stale: run BPSCARE_UPDATE_DOCS=1 python -m pytest tests/test_api.py"
    )
