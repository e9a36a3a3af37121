"""Lessons in modules/: structure, competency ids, citations, language, and a clean execution.

The conventions are in project issue 5 (notes/lessons-brief.md): every lesson ``modules/mNN-*/
NN-*.md`` is a MyST text notebook with the headings "Learning objectives", "Check your
understanding", "Reflection" and "References"; every objective ends with competency ids; every
paragraph or bullet with a figure carries an author-year citation; flagged stigmatizing words
appear only in quotation marks; no grading metadata or solution markers; each module shows a
live widget and works through a case from the library, and has instructor notes.
"""

from __future__ import annotations

import re
import shutil
import time
from importlib import resources
from pathlib import Path

import pytest
import yaml

import bpscare.api as api
from bpscare.authoring.textnb import read_text_notebook
from bpscare.clinical.cases import case_ids
from bpscare.clinical.language import scan_text

REPO = Path(__file__).resolve().parents[2]
MODULES = REPO / "modules"
SOURCES_FILE = REPO / "course" / "sources.yaml"
SOURCE_KINDS = {"peer-reviewed", "guideline", "report", "book", "instrument", "seed"}
DOI = re.compile(r"^10\.\d{4,9}/\S+$")
REFERENCE_KEY = re.compile(r"\[([a-z0-9][a-z0-9-]*)\]\s*$")

REQUIRED_HEADINGS = (
    "## Learning objectives",
    "## Check your understanding",
    "## Reflection",
    "## References",
)
FORBIDDEN_MARKERS = re.compile(
    r"BEGIN SOLUTION|END SOLUTION|BEGIN HIDDEN TESTS|END HIDDEN TESTS|BEGIN MARK SCHEME|"
    r"LEAK-CANARY|grading\s*=|grade_id"
)
# Widgets that do not count as the module's "live widget" (they are in every lesson anyway).
NOT_A_LIVE_WIDGET = {"knowledge_check", "submit", "common"}

# A "figure": a number with a unit or a statistic (issue 5 citation rule).
FIGURE = re.compile(
    r"\d(?:[\d,]*\d)?(?:\.\d+)?\s?(?:%|percent\b)"  # 36 %, 36%, 36 percent
    r"|(?<![\d.,§])\d{1,3}(?:\.\d+)?\s?(?:s|secs?|seconds?)\b"  # 11 s, 11 seconds (not 1990s)
    r"|\b(?:a?OR|HR|RR|CI|SMD|IQR|aHR)\b"  # statistics
    r"|\d\s?(?:times\b|×)"  # 2.54 times, 7×
    r"|(?<![\w.§])\d+\.\d+(?![\w.])"  # decimals (not §2.3, not v3.11.2)
)
# Competency ids in objectives' brackets ("[IPEC-RR, EPA-03]") are not statistics.
COMPETENCY_TAG = re.compile(r"\b(?:ACGME|EPA|IPEC)-[A-Z0-9]+\b")
AUTHOR_YEAR = re.compile(r"\([^()]*\b(?:19|20)\d\d[a-z]?\b[^()]*\)")
# Citations whose first author must appear in the References section.
CITED_NAME = re.compile(
    r"([A-Z][\w'’\-]+(?:\s[A-Z][\w'’\-]+)?)"  # surname (or two-part surname)
    r"(?:\s(?:et\sal\.|&\s[A-Z][\w'’\-]+|and\s[A-Z][\w'’\-]+))?"
    r"(?:,\s|\s\()(?:19|20)\d\d[a-z]?\b"
)
NON_AUTHOR_WORDS = {"See", "In", "The", "For", "Since", "From", "After", "By", "Version"}


# --------------------------------------------------------------------------------------------
# Helpers (pure; unit-tested below so that the content checks themselves can fail)
# --------------------------------------------------------------------------------------------


def competency_ids() -> set[str]:
    text = resources.files("bpscare").joinpath("data", "frameworks.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    return {c["id"] for f in data["frameworks"] for c in f["competencies"]}


def lesson_paths() -> list[Path]:
    if not MODULES.is_dir():
        return []
    return sorted(
        p
        for module in sorted(MODULES.iterdir())
        if module.is_dir() and not module.name.startswith((".", "_"))
        for p in module.glob("*.md")
        if re.match(r"^\d\d-", p.name)
    )


def module_dirs() -> list[Path]:
    if not MODULES.is_dir():
        return []
    return sorted(m for m in MODULES.iterdir() if m.is_dir() and not m.name.startswith((".", "_")))


def markdown_text(nb) -> str:
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def code_text(nb) -> str:
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "code")


def section(markdown: str, heading: str) -> str:
    """The text under ``heading`` (a ``## `` line) up to the next ``#``/``##`` heading."""
    lines = markdown.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == heading)
    except StopIteration:
        return ""
    out = []
    for line in lines[start + 1 :]:
        if re.match(r"^#{1,2}\s", line):
            break
        out.append(line)
    return "\n".join(out)


def bullets(text: str) -> list[str]:
    """Top-level list items (``-``, ``*``, ``1.``) with their continuation lines joined."""
    items: list[str] = []
    for line in text.splitlines():
        if re.match(r"^(?:[-*]|\d+\.)\s+", line):
            items.append(re.sub(r"^(?:[-*]|\d+\.)\s+", "", line).strip())
        elif line.strip() and items and line.startswith((" ", "\t")):
            items[-1] += " " + line.strip()
        elif not line.strip() and items:
            items.append("")  # a blank line ends the item
    return [item for item in items if item]


def prose_blocks(markdown: str) -> list[str]:
    """Paragraphs, list items and table rows of Markdown prose, outside References and code."""
    kept = []
    in_fence = False
    skipping_references = False
    for line in markdown.splitlines():
        if line.strip().startswith(("```", "~~~")):
            fence_info = line.strip().lstrip("`~")
            is_directive = fence_info.startswith("{") and not fence_info.startswith("{code")
            if not is_directive or in_fence:
                in_fence = not in_fence
            continue
        if in_fence:
            continue
        if re.match(r"^#{1,6}\s", line):
            skipping_references = line.strip() == "## References"
            kept.append("")
            continue
        if skipping_references or line.strip().startswith(":::"):
            continue
        kept.append(line)
    blocks: list[str] = []
    current: list[str] = []
    for line in [*kept, ""]:
        starts_item = re.match(r"^\s*(?:[-*+]|\d+\.)\s+", line) or line.lstrip().startswith("|")
        if not line.strip() or starts_item:
            if current:
                blocks.append(" ".join(current))
            current = [line.strip()] if line.strip() else []
            if line.lstrip().startswith("|"):
                blocks.append(line.strip())
                current = []
        else:
            current.append(line.strip())
    return [
        COMPETENCY_TAG.sub("", re.sub(r"`[^`]*`", "", block)) for block in blocks if block.strip()
    ]


def uncited_figures(markdown: str) -> list[str]:
    """Prose blocks with a figure but no author-year citation in the same block."""
    return [
        block
        for block in prose_blocks(markdown)
        if FIGURE.search(block) and not AUTHOR_YEAR.search(block)
    ]


def cited_first_authors(markdown: str) -> set[str]:
    names = set()
    for block in prose_blocks(markdown):
        for match in CITED_NAME.finditer(block):
            name = match.group(1)
            first = name.split()[0]
            if first in NON_AUTHOR_WORDS:
                name = " ".join(name.split()[1:])
            if name:
                names.add(name)
    return names


def unquoted_flagged_terms(text: str) -> list[str]:
    return [f"{hit.matched!r} at {hit.start}" for hit in scan_text(text) if not hit.quoted]


def objective_problems(markdown: str, known: set[str]) -> list[str]:
    items = bullets(section(markdown, "## Learning objectives"))
    if not items:
        return ["no bullet list under '## Learning objectives'"]
    problems = []
    for item in items:
        match = re.search(r"\[([^\[\]]+)\]\s*$", item)
        if not match:
            problems.append(f"objective does not end with [competency ids]: {item!r}")
            continue
        ids = [part.strip() for part in match.group(1).split(",")]
        unknown = [i for i in ids if i not in known]
        if unknown or not ids:
            problems.append(f"unknown competency ids {unknown!r} in objective {item!r}")
    return problems


def widget_modules(code: str) -> set[str]:
    """The bpscare.widgets modules whose widgets this code imports through bpscare.api."""
    imported = {
        name.strip().split(" as ")[0]
        for names in re.findall(r"from\s+bpscare\.api\s+import\s+([^\n#]+)", code)
        for name in names.split(",")
    }
    homes = api.SECTIONS["Widgets"]
    return {homes[name][0].split(".")[2] for name in imported & set(homes)}


def load_sources() -> dict:
    """The project's one sources file: ``{key: entry}``."""
    return yaml.safe_load(SOURCES_FILE.read_text(encoding="utf-8"))["sources"]


def source_problems(key: str, entry: dict) -> list[str]:
    """What is wrong with one entry of course/sources.yaml (empty when it is well formed)."""
    problems = []
    for field in ("authors", "year", "title", "source", "kind"):
        if field not in entry:
            problems.append(f"{key}: missing {field!r}")
    if entry.get("kind") not in SOURCE_KINDS:
        problems.append(f"{key}: kind {entry.get('kind')!r} not in {sorted(SOURCE_KINDS)}")
    doi, pmid = entry.get("doi"), entry.get("pmid")
    if doi is not None and not DOI.match(str(doi)):
        problems.append(f"{key}: malformed DOI {doi!r}")
    if pmid is not None and not str(pmid).isdigit():
        problems.append(f"{key}: malformed PMID {pmid!r}")
    to_verify = entry.get("status") == "to-verify"
    if to_verify and (doi or pmid):
        problems.append(f"{key}: 'to-verify' entries carry no DOI/PMID (none may be invented)")
    if entry.get("kind") == "peer-reviewed" and not (doi or pmid or to_verify):
        problems.append(f"{key}: peer-reviewed source needs a DOI or PMID, or status: to-verify")
    if (doi or pmid) and not entry.get("verified"):
        problems.append(f"{key}: say where the DOI/PMID was checked ('verified')")
    return problems


def reference_problems(references: str, sources: dict) -> list[str]:
    """Each References item must end with ``[key]``; the key must be in the sources file, and
    the entry's first author and year must match the item."""
    problems = []
    for item in bullets(references):
        match = REFERENCE_KEY.search(item)
        if not match:
            problems.append(f"reference without a [key] from course/sources.yaml: {item[:70]!r}")
            continue
        key = match.group(1)
        entry = sources.get(key)
        if entry is None:
            problems.append(f"unknown source key [{key}]")
            continue
        text = item[: match.start()]
        if entry.get("kind") != "seed":
            surname = re.split(r"[ ,.]", str(entry["authors"]).strip())[0]
            if surname not in text:
                problems.append(f"[{key}]: first author {surname!r} not in {item[:70]!r}")
            if entry.get("year") and str(entry["year"]) not in text:
                problems.append(f"[{key}]: year {entry['year']} not in {item[:70]!r}")
    return problems


# --------------------------------------------------------------------------------------------
# The helpers can fail
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Patients were interrupted after a median of 11 s.",
        "The agenda was elicited in 36% of visits.",
        "Women under 55 had an OR of 6.7 for discharge.",
        "Black patients had 2.54 times the odds of a negative descriptor.",
        "- Trust fell to 40.1 in the survey.",
    ],
)
def test_uncited_figures_are_caught(text):
    assert uncited_figures(text) != []


@pytest.mark.parametrize(
    "text",
    [
        "Patients were interrupted after a median of 11 s (Singh Ospina et al., 2019).",
        "Engel proposed the model in 1977 and it has 3 domains.",
        "Score the PHQ-9 items 1 to 9; a total of 10 or more is screen-positive.",
        "## References\n\n1. Pope JH, et al. NEJM 2000;342:1163-1170. OR 6.7.",
        "```{code-cell} ipython3\nx = 6.7\n```",
        "See section §2.3 and `ratio = 0.5` in code.",
    ],
)
def test_cited_or_figure_free_text_passes(text):
    assert uncited_figures(text) == []


def test_figure_in_a_bullet_needs_its_own_citation():
    text = "- First point (Pope et al., 2000).\n- Second point: 36% of visits."
    assert uncited_figures(text) == ["- Second point: 36% of visits."]


def test_objective_parser():
    known = {"ACGME-MK", "EPA-01"}
    good = "## Learning objectives\n\n- Explain the cycle.\n  More words. [ACGME-MK, EPA-01]\n"
    assert objective_problems(good, known) == []
    assert objective_problems("## Learning objectives\n\n- No ids here.\n", known) != []
    assert objective_problems("## Learning objectives\n\n- Bad id. [ACGME-XX]\n", known) != []
    assert objective_problems("## Reflection\n", known) == [
        "no bullet list under '## Learning objectives'"
    ]


def test_cited_first_authors():
    text = (
        "Interrupted (Singh Ospina et al., 2019); see Pope et al. (2000) "
        "and (Kroenke & Spitzer, 2002)."
    )
    assert cited_first_authors(text) >= {"Singh Ospina", "Pope", "Kroenke"}


def test_unquoted_flagged_terms():
    assert unquoted_flagged_terms('The note said the patient "denies" pain.') == []
    assert unquoted_flagged_terms("The patient denies pain.") != []


def test_reference_problems_catch_missing_unknown_and_mismatched_keys():
    sources = {
        "pope2000": {"authors": "Pope JH, et al.", "year": 2000, "kind": "peer-reviewed"},
    }
    good = "1. Pope JH, et al. Missed diagnoses. N Engl J Med 2000;342:1163. [pope2000]\n"
    assert reference_problems(good, sources) == []
    assert reference_problems("1. Pope JH. NEJM 2000.\n", sources) != []
    assert reference_problems("1. Pope JH. NEJM 2000. [nobody1999]\n", sources) != []
    assert reference_problems("1. Smith A. NEJM 2000. [pope2000]\n", sources) != []
    assert reference_problems("1. Pope JH. NEJM 2001. [pope2000]\n", sources) != []


def test_source_problems_catch_invented_or_missing_identifiers():
    base = {"authors": "A B", "year": 2020, "title": "t", "source": "s", "kind": "peer-reviewed"}
    assert source_problems("a", {**base, "doi": "10.1234/x", "verified": "PubMed"}) == []
    assert source_problems("a", {**base, "status": "to-verify"}) == []
    assert source_problems("a", base) != []  # peer-reviewed without an identifier
    assert source_problems("a", {**base, "doi": "10.1234/x", "status": "to-verify"}) != []
    assert source_problems("a", {**base, "doi": "doi:10.1234/x", "verified": "x"}) != []
    assert source_problems("a", {**base, "pmid": "12a", "verified": "x"}) != []
    assert source_problems("a", {**base, "doi": "10.1234/x"}) != []  # unverified identifier


def test_sources_file_is_well_formed():
    """Does every entry of course/sources.yaml carry a full reference, and every peer-reviewed
    one a checked DOI or PMID (or an explicit to-verify status with none invented)?"""
    sources = load_sources()
    assert sources
    problems = [p for key, entry in sources.items() for p in source_problems(key, entry)]
    assert problems == []


# --------------------------------------------------------------------------------------------
# The lessons
# --------------------------------------------------------------------------------------------

LESSONS = lesson_paths()
LESSON_IDS = [p.relative_to(MODULES).as_posix() for p in LESSONS]
MODULE_DIRS = module_dirs()
MODULE_IDS = [m.name for m in MODULE_DIRS]


def test_modules_exist():
    """Is there at least one lesson in the curriculum?"""
    assert LESSONS, "no lessons found under modules/mNN-*/NN-*.md"


@pytest.fixture(scope="module")
def notebooks():
    return {path: read_text_notebook(path) for path in LESSONS}


@pytest.mark.parametrize("path", LESSONS, ids=LESSON_IDS)
def test_lesson_has_required_headings(path, notebooks):
    lines = {line.strip() for line in markdown_text(notebooks[path]).splitlines()}
    missing = [h for h in REQUIRED_HEADINGS if h not in lines]
    assert missing == []


@pytest.mark.parametrize("path", LESSONS, ids=LESSON_IDS)
def test_lesson_has_a_myst_header_and_kernel(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    assert "format_name: myst" in text.split("---", 2)[1]
    assert "name: python3" in text.split("---", 2)[1]


@pytest.mark.parametrize("path", LESSONS, ids=LESSON_IDS)
def test_objectives_end_with_known_competency_ids(path, notebooks):
    assert objective_problems(markdown_text(notebooks[path]), competency_ids()) == []


@pytest.mark.parametrize("path", LESSONS, ids=LESSON_IDS)
def test_every_figure_carries_a_citation(path, notebooks):
    """Does each paragraph or bullet with a figure also carry an author-year citation?"""
    assert uncited_figures(markdown_text(notebooks[path])) == []


@pytest.mark.parametrize("path", LESSONS, ids=LESSON_IDS)
def test_cited_authors_are_in_references(path, notebooks):
    markdown = markdown_text(notebooks[path])
    references = section(markdown, "## References")
    assert bullets(references), "References must be a numbered list"
    missing = sorted(n for n in cited_first_authors(markdown) if n not in references)
    assert missing == []


@pytest.mark.parametrize("path", LESSONS, ids=LESSON_IDS)
def test_references_cite_the_sources_file(path, notebooks):
    """Does every reference end with a key from course/sources.yaml whose first author and year
    match, so that each citation has one full reference with its DOI or PMID?"""
    references = section(markdown_text(notebooks[path]), "## References")
    assert reference_problems(references, load_sources()) == []


@pytest.mark.parametrize("path", LESSONS, ids=LESSON_IDS)
def test_eleven_second_figure_uses_the_exact_wording(path, notebooks):
    """Is the 11-second interruption figure always the median among encounters in which the
    agenda was elicited and the patient interrupted (Singh Ospina et al., 2019), never an average
    over all clinicians and never abbreviated "11 s"?"""
    for block in prose_blocks(markdown_text(notebooks[path])):
        unquoted = re.sub(r'"[^"]*"|“[^”]*”', "", block)  # a quoted claim is being examined
        if re.search(r"\b11\s?(?:s|secs?|seconds?)\b", unquoted):
            assert "11 seconds" in block, block
            assert "median" in block, block
            assert "Singh Ospina" in block or "agenda" in block, block


@pytest.mark.parametrize("path", LESSONS, ids=LESSON_IDS)
def test_check_your_understanding_uses_knowledge_check(path, notebooks):
    assert "knowledge_check(" in code_text(notebooks[path])


@pytest.mark.parametrize("path", LESSONS, ids=LESSON_IDS)
def test_language_scan_is_clean(path, notebooks):
    """Do flagged words ("denies", "non-compliant"...) appear only inside quotation marks?"""
    nb = notebooks[path]
    assert unquoted_flagged_terms(markdown_text(nb)) == []
    assert unquoted_flagged_terms(code_text(nb)) == []


@pytest.mark.parametrize("path", LESSONS, ids=LESSON_IDS)
def test_no_grading_metadata_or_markers(path, notebooks):
    nb = notebooks[path]
    for cell in nb.cells:
        meta = cell.get("metadata", {})
        assert "nbgrader" not in meta
        assert "grading" not in meta
    assert FORBIDDEN_MARKERS.search(path.read_text(encoding="utf-8")) is None


@pytest.mark.parametrize("module", MODULE_DIRS, ids=MODULE_IDS)
def test_module_has_lessons_and_instructor_notes(module):
    assert sorted(module.glob("[0-9][0-9]-*.md")), f"{module.name} has no NN-*.md lesson"
    notes = module / "instructor-notes.md"
    assert notes.is_file(), f"{module.name} has no instructor-notes.md"
    text = notes.read_text(encoding="utf-8")
    assert unquoted_flagged_terms(text) == []
    assert FORBIDDEN_MARKERS.search(text) is None
    assert not list(module.rglob("*.ipynb"))


@pytest.mark.parametrize("module", MODULE_DIRS, ids=MODULE_IDS)
def test_module_shows_a_live_widget(module, notebooks):
    code = "\n".join(code_text(notebooks[p]) for p in LESSONS if p.parent == module)
    live = widget_modules(code) - NOT_A_LIVE_WIDGET
    assert live, f"{module.name}: no bpscare.widgets.* widget besides knowledge checks"


@pytest.mark.parametrize("module", MODULE_DIRS, ids=MODULE_IDS)
def test_module_works_through_a_library_case(module, notebooks):
    code = "\n".join(code_text(notebooks[p]) for p in LESSONS if p.parent == module)
    used = re.findall(r"load_case\(\s*[\"']([^\"']+)[\"']", code)
    assert used, f"{module.name}: no worked case (bpscare.api.load_case)"
    assert sorted(set(used) - set(case_ids())) == []


def test_every_case_is_used_in_a_lesson_or_an_assignment(notebooks):
    """Is every case in the library worked through in at least one lesson or assignment (issue
    13: "each case is used at least once")?"""
    texts = [code_text(nb) for nb in notebooks.values()]
    texts += [p.read_text(encoding="utf-8") for p in (REPO / "assignments").glob("*/*.py")]
    used = {cid for cid in case_ids() if any(f'"{cid}"' in text for text in texts)}
    assert sorted(set(case_ids()) - used) == []


@pytest.mark.content
@pytest.mark.parametrize("path", LESSONS, ids=LESSON_IDS)
def test_lesson_executes_top_to_bottom(path, tmp_path):
    """Does the lesson run without error, from a copy of its module folder, in under 120 s?"""
    from nbclient import NotebookClient

    work = tmp_path / path.parent.name
    shutil.copytree(path.parent, work)
    nb = read_text_notebook(work / path.name)
    client = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(work)}},
    )
    started = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - started
    errors = [
        output
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert errors == []
    assert elapsed < 120, f"{path.name} took {elapsed:.1f} s to execute"
