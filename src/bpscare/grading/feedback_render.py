"""Feedback HTML, rendered as nbconvert's ``HTMLExporter`` renders it, byte for byte, but faster.

``HTMLExporter`` renders the template, then parses the whole page with BeautifulSoup (to add
``alt`` text and ``tabindex`` attributes) and prints it again: most of the time a feedback page
takes, and nearly all of it spent on markup every learner shares (instructions, test cells,
highlighted code).

:class:`FeedbackHTMLExporter` prints each piece of highlighted code and rendered markdown through
BeautifulSoup once per process (:func:`normalized`), leaves a placeholder tag in its place in the
page, parses only the page around the placeholders, and puts the printed pieces back. That is the
same text BeautifulSoup prints for the whole page, because a piece is only set aside when

* it is balanced (its tags close in order, none is left open, it closes no tag it did not
  open), starts with a start tag and ends with an end tag (so no text joins the page's text
  around it) and leaves the parser in its ordinary state (no open comment, script or style);
* it has no ``img`` and none of the classes the exporter's selectors look for, and neither it
  nor the page has an end tag for an empty element (``</br>``, whose effect depends on what came
  before); and
* in the page, the placeholder sits in no ``pre``, ``textarea``, ``template``, ``rt`` or ``rp``
  (where BeautifulSoup treats text differently).

The same holds one level up (:meth:`_Pieces.chunked`, :func:`cell_printed`): the page's
``head`` and each whole notebook cell, its pieces' placeholders still in it, is printed once per
process and set aside under the same conditions, and besides only if every placeholder in it is
a tag of its parse, in none of those elements. A cell's markup around its pieces (prompts,
panels, scores, outputs) repeats from learner to learner, so most of a page is printed from
memory and only the page around the cells (heading, table of contents) is parsed.

Otherwise the page is printed whole, as nbconvert does. It applies only to bpscare's feedback
template, whose filter chains end in the two filters replaced here; other templates render as
nbconvert renders them.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

from bs4 import BeautifulSoup
from bs4.builder._htmlparser import BeautifulSoupHTMLParser, HTMLParserTreeBuilder
from jinja2 import pass_context
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.exporters.html import WidgetsDataTypeFilter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.strings import strip_files_prefix
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbformat import NotebookNode

#: bpscare's feedback template (the only one whose filter chains are known to end in ours).
TEMPLATE = Path(__file__).resolve().parents[1] / "data/feedback_templates/feedback/index.html.j2"
#: A placeholder's tag name: random per process, so no notebook's text can spell it.
_TAG = f"bpscare-{secrets.token_hex(8)}"
_PLACEHOLDER = re.compile(f'<{_TAG} n="([0-9]+)"></{_TAG}>')
#: A whole notebook cell's placeholder (see :meth:`_Pieces.chunked`).
_CHUNK_TAG = f"bpscare-cell-{secrets.token_hex(8)}"
_CHUNK = re.compile(f'<{_CHUNK_TAG} n="([0-9]+)"></{_CHUNK_TAG}>')
#: Where the feedback template starts a notebook cell (only a candidate: see ``cell_printed``):
#: a line that opens a ``div`` of this class.
_CELL_CLASS = 'class="cell border-box-sizing'
_CELL_START = re.compile(r'<div\b[^<>]*\bclass="cell border-box-sizing')
_VOID_END = re.compile(
    r"</\s*(?:" + "|".join(sorted(HTMLParserTreeBuilder.DEFAULT_EMPTY_ELEMENT_TAGS or ())) + ")",
    re.IGNORECASE,
)
#: Where BeautifulSoup keeps whitespace or changes the kind of text (a placeholder must not be).
_CONTEXT_TAGS = frozenset(
    set(HTMLParserTreeBuilder.DEFAULT_PRESERVE_WHITESPACE_TAGS)
    | set(HTMLParserTreeBuilder.DEFAULT_STRING_CONTAINERS)
    | {"script", "style"}
)
#: What HTMLExporter's selectors after rendering can touch.
_SELECTED_CLASSES = frozenset({"jp-Notebook", "jp-Cell-inputWrapper", "jp-OutputArea-output"})


class _CheckedParser(BeautifulSoupHTMLParser):
    def close(self) -> None:
        soup: Any = self.soup
        soup.bps_complete = not self.rawdata and self.cdata_elem is None
        super().close()


class _CheckedBuilder(HTMLParserTreeBuilder):
    def feed(self, markup: Any, _parser_class: Any = _CheckedParser) -> None:
        super().feed(markup, _parser_class=_CheckedParser)


class _CheckedSoup(BeautifulSoup):
    """BeautifulSoup that notes whether its markup is a balanced piece (see the module doc)."""

    def reset(self) -> None:
        super().reset()
        self.bps_ok = True
        self.bps_complete = False
        self.bps_open: list[str] = []
        self.bps_text_last = False

    def handle_starttag(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self.bps_open.append(name)
        self.bps_text_last = False
        return super().handle_starttag(name, *args, **kwargs)

    def handle_endtag(self, name: str, nsprefix: str | None = None) -> None:
        if not self.bps_open or self.bps_open.pop() != name:
            self.bps_ok = False
        self.bps_text_last = False
        super().handle_endtag(name, nsprefix)

    def handle_data(self, data: str) -> None:
        self.bps_text_last = True
        super().handle_data(data)


#: How many entries a cache keeps (a long-running process, e.g. the hub service, stays bounded).
CACHE_SIZE = 20_000


def _remember(cache: dict[Any, Any], key: Any, value: Any, size: int = CACHE_SIZE) -> None:
    if len(cache) >= size:
        cache.clear()
    cache[key] = value


def _balanced(piece: str) -> Any | None:
    """The checked parse of a balanced piece of markup; None if it must stay in the page.

    Balanced: it opens with a tag, ends with one, and closes every element it opens.
    """
    if not (re.match(r"<[a-zA-Z]", piece) and piece.endswith(">")) or _VOID_END.search(piece):
        return None
    soup = parse(piece, checked=True)
    if soup.bps_ok and soup.bps_complete and not soup.bps_open and not soup.bps_text_last:
        return soup
    return None


def _plain(tags: Any) -> bool:
    """No image and no tag whose classes the page's own pass rewrites."""
    return not any(t.name == "img" or _SELECTED_CLASSES & set(_classes(t)) for t in tags)


def parse(page: str, *, checked: bool = False) -> Any:
    """``BeautifulSoup(page, features="html.parser")``; ``checked``: a :class:`_CheckedSoup`."""
    if checked:
        return _CheckedSoup(page, builder=_CheckedBuilder())
    return BeautifulSoup(page, features="html.parser")


_NORMALIZED: dict[str, str | None] = {}


def normalized(piece: str) -> str | None:
    """BeautifulSoup's print of a balanced piece of markup; None if it must stay in the page."""
    if piece in _NORMALIZED:
        return _NORMALIZED[piece]
    result: str | None = None
    soup = _balanced(piece)
    if soup is not None and _plain(soup.find_all(True)):
        result = str(soup)
    _remember(_NORMALIZED, piece, result)
    return result


_CELLS: dict[str, str | None] = {}
#: Cells are larger than pieces: fewer of them are remembered.
CELL_CACHE_SIZE = 4_000


def cell_printed(chunk: str) -> str | None:
    """BeautifulSoup's print of a whole cell's markup, its pieces' placeholders in it; or None.

    As :func:`normalized`, and besides: every placeholder in the text is a tag of the parse
    (none inside a comment or an attribute), and none of them sits in a ``pre``, ``textarea``,
    ``template``, ``rt``, ``rp``, ``script`` or ``style`` of the cell.
    """
    if chunk in _CELLS:
        return _CELLS[chunk]
    result: str | None = None
    soup = _balanced(chunk)
    if soup is not None:
        tags = soup.find_all(True)
        inner = [t for t in tags if t.name == _TAG]
        if (
            len(inner) == len(_PLACEHOLDER.findall(chunk))
            and _plain(tags)
            and not any(p.name in _CONTEXT_TAGS for t in inner for p in t.parents)
            and not any(t.name == _CHUNK_TAG for t in tags)
        ):
            result = str(soup)
    _remember(_CELLS, chunk, result, CELL_CACHE_SIZE)
    return result


def _between(page: str, start: str, end: str, *, keep_end: bool = False) -> tuple[int, int]:
    """The span from ``start`` to (before, or with) the next ``end``; (-1, -1) if missing."""
    begin = page.find(start)
    stop = page.find(end, begin) if begin >= 0 else -1
    if stop < 0:
        return (-1, -1)
    return (begin, stop + len(end) if keep_end else stop)


def _cell_starts(page: str) -> list[int]:
    """Where lines that open a notebook cell's ``div`` start, in order."""
    starts: list[int] = []
    at = page.find(_CELL_CLASS)
    while at >= 0:
        line = page.rfind("\n", 0, at) + 1
        if (not starts or line > starts[-1]) and _CELL_START.match(page, line):
            starts.append(line)
        at = page.find(_CELL_CLASS, at + 1)
    return starts


def _selectable(soup: Any) -> bool:
    """Say whether HTMLExporter's selectors could match anything in ``soup`` (an exact test)."""
    return any(
        tag.name == "img" or any(c.lower() == "jp-notebook" for c in _classes(tag))
        for tag in soup.find_all(True)
    )


def _classes(tag: Any) -> list[str]:
    value = tag.get("class") or []
    return [value] if isinstance(value, str) else list(value)


class _Pieces:
    """The pieces set aside while one page renders."""

    def __init__(self) -> None:
        self.raw: list[str] = []
        self.printed: list[str] = []

    def wrap(self, render: Callable[..., Any]) -> Callable[..., Any]:
        def filtered(*args: Any, **kwargs: Any) -> Any:
            return self.put(render(*args, **kwargs))

        return filtered

    def put(self, html: Any) -> Any:
        if not isinstance(html, str):
            return html
        html = str(html)  # a plain str: Markup would escape the placeholder added to it
        piece = html.strip()
        printed = normalized(piece) if piece else None
        if printed is None:
            return html
        start = html.index(piece)
        self.raw.append(piece)
        self.printed.append(printed)
        tag = f'<{_TAG} n="{len(self.raw) - 1}"></{_TAG}>'
        return html[:start] + tag + html[start + len(piece) :]

    def unprinted(self, page: str) -> str:
        """The page as the template would have rendered it with the original filters."""
        return _PLACEHOLDER.sub(lambda m: self.raw[int(m.group(1))], page)

    def fits(self, soup: Any, cells: Sequence[tuple[str, str]] = ()) -> bool:
        """Say whether every placeholder is in the parsed page (or a cell) once, where it may be.

        ``cells``: the (raw, printed) cells set aside; their placeholders are tags of the page,
        and the pieces' placeholders inside them were checked by :func:`cell_printed`.
        """
        found = soup.find_all(_TAG)
        numbers = [str(t.get("n")) for t in found]
        numbers += [n for raw, _ in cells for n in _PLACEHOLDER.findall(raw)]
        if sorted(numbers) != sorted(str(i) for i in range(len(self.raw))):
            return False
        chunks = soup.find_all(_CHUNK_TAG) if cells else []
        if [t.get("n") for t in chunks] != [str(i) for i in range(len(cells))]:
            return False
        return not any(p.name in _CONTEXT_TAGS for t in (*found, *chunks) for p in t.parents)

    def chunked(self, page: str) -> tuple[str, list[tuple[str, str]]]:
        """The page with the parts that print alone set aside, and those parts (raw, printed).

        The parts are the page's ``head`` (the same for every learner: title, styles, scripts),
        the feedback heading (score and table of contents) and each notebook cell, from where
        the template starts one to where it starts the next (the last one up to the two
        closing ``div`` before ``</main>``). Each is only a candidate, set aside if
        :func:`cell_printed` accepts it (balanced, as a piece is); :meth:`fits` then checks
        where its placeholder landed in the parsed page.
        """
        spans = [
            _between(page, "<head>", "</head>", keep_end=True),
            _between(page, '<div class="panel-heading">', '<div class="panel-body">'),
        ]
        starts = _cell_starts(page)
        spans += list(itertools.pairwise(starts))
        if starts:  # the last cell: up to its notebook's two closing divs
            main_end = page.rfind("</main>")
            end = page.rfind("</div>", starts[-1], main_end)
            spans.append((starts[-1], page.rfind("</div>", starts[-1], end)))
        cells: list[tuple[str, str]] = []
        parts: list[str] = []
        done = 0
        for begin, end in spans:
            if begin < done or end <= begin:  # not found, or overlaps the part before
                continue
            text = page[begin:end]
            chunk = text.rstrip()
            printed = cell_printed(chunk)
            if printed is None:
                continue
            parts += [page[done:begin], f'<{_CHUNK_TAG} n="{len(cells)}"></{_CHUNK_TAG}>']
            done = begin + len(chunk)
            cells.append((chunk, printed))
        parts.append(page[done:])
        return "".join(parts), cells

    def print(self, page: str, soup: Callable[..., Any]) -> str:
        """``str(soup(page))`` of the page as rendered without placeholders, whole or in parts."""
        if self.raw and not _VOID_END.search(page):
            skeleton, cells = self.chunked(page)
            parsed = soup(skeleton, checked=True)
            if parsed.bps_complete and self.fits(parsed, cells):
                printed = self.printed_page(str(parsed), cells)
                if printed is not None:
                    return printed
        return str(soup(self.unprinted(page)))  # as nbconvert prints it: the whole page

    def printed_page(self, page: str, cells: Sequence[tuple[str, str]] = ()) -> str | None:
        cell_count = 0

        def put_cell(match: re.Match[str]) -> str:
            nonlocal cell_count
            cell_count += 1
            return cells[int(match.group(1))][1]

        if cells:
            page = _CHUNK.sub(put_cell, page)
            if cell_count != len(cells):
                return None
        count = 0

        def put_back(match: re.Match[str]) -> str:
            nonlocal count
            count += 1
            return self.printed[int(match.group(1))]

        page = _PLACEHOLDER.sub(put_back, page)
        return page if count == len(self.printed) else None


_STRIPPED: dict[str, str] = {}


def _memo_strip_files_prefix(text: str) -> str:
    """Return nbconvert's strip_files_prefix of text (a pure function), remembered."""
    if text not in _STRIPPED:
        _remember(_STRIPPED, text, strip_files_prefix(text))
    return _STRIPPED[text]


class MemoHighlight(Highlight2HTML):
    """nbconvert's code highlighting, remembered by its inputs (same HTML).

    A cell shown to every learner (an instruction or test cell) is highlighted once per process.
    """

    _cache: ClassVar[dict[tuple[str, ...], str]] = {}

    def __call__(self, source: str, language: str | None = None, metadata: Any = None) -> str:
        """Highlight2HTML's HTML for these inputs, made once."""
        key = (
            str(self.pygments_lexer),
            source,
            str(language),
            json.dumps(metadata, sort_keys=True, default=str),
        )
        if key not in self._cache:
            _remember(self._cache, key, super().__call__(source, language, metadata))
        return self._cache[key]


class FeedbackHTMLExporter(HTMLExporter):
    """nbgrader's feedback exporter (``HTMLExporter``): same HTML, remembered work."""

    _markdown: ClassVar[dict[tuple[str, ...], str]] = {}

    def from_notebook_node(  # type: ignore[override]  # HTMLExporter's own signature
        self, nb: NotebookNode, resources: dict | None = None, **kw: Any
    ) -> tuple[str, dict]:
        """HTMLExporter.from_notebook_node, its BeautifulSoup pass on the page's own markup."""
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        highlight: Any = MemoHighlight(lexer, parent=self)
        # in place: assigning ``self.filters`` would rebuild the Jinja environment (and
        # recompile every template) on each notebook
        self.filters["highlight_code"] = highlight
        if not self._ours():
            return super().from_notebook_node(nb, resources, **kw)
        pieces = _Pieces()
        self.register_filter("markdown2html", self._memo_markdown)
        self.register_filter("strip_files_prefix", pieces.wrap(_memo_strip_files_prefix))
        try:
            # HTMLExporter.from_notebook_node (nbconvert 7), line for line, up to the soup
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", pieces.wrap(highlight))
            self.register_filter("filter_data_type", filter_data_type)
            page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        finally:
            self.register_filter("strip_files_prefix", strip_files_prefix)
            self.register_filter("highlight_code", highlight)
        return pieces.print(page, self._soup), resources

    def _ours(self) -> bool:
        template = getattr(self.template, "filename", None)
        return bool(template) and Path(str(template)).resolve() == TEMPLATE

    def _soup(self, page: str, *, checked: bool = False) -> Any:
        """HTMLExporter's pass over the rendered page (alt text, focusable cells)."""
        soup = parse(page, checked=checked)
        if not _selectable(soup):  # nothing the selectors below can match (nor compile them)
            return soup
        missing_alt = 0
        for elem in soup.select("img:not([alt])"):
            elem.attrs["alt"] = "No description has been provided for this image"
            missing_alt += 1
        if missing_alt:
            self.log.warning("Alternative text is missing on %s image(s).", missing_alt)
        for elem in soup.select(".jp-Notebook div.jp-Cell-inputWrapper"):
            elem.attrs["tabindex"] = "0"
        for elem in soup.select(".jp-Notebook div.jp-OutputArea-output"):
            elem.attrs["tabindex"] = "0"
        return soup

    @pass_context
    def _memo_markdown(self, context: Any, source: str) -> str:
        """HTMLExporter.markdown2html, remembered by everything it reads (same HTML)."""
        if self.embed_images:
            return str(HTMLExporter.markdown2html(self, context, source))
        cell = context.get("cell", {})
        key = (
            source,
            json.dumps(cell.get("attachments", {}), sort_keys=True, default=str),
            str(self.anchor_link_text),
            str(self.exclude_anchor_links),
            json.dumps(self.lexer_options, sort_keys=True, default=str),
        )
        if key not in self._markdown:
            _remember(self._markdown, key, HTMLExporter.markdown2html(self, context, source))
        return self._markdown[key]


class CachedCSS(CSSHTMLHeaderPreprocessor):
    """CSSHTMLHeaderPreprocessor, its header (pygments CSS) built once per process."""

    _cache: ClassVar[dict[str, Any]] = {}

    def _generate_header(self, resources: dict) -> Any:
        custom = os.path.join(str(resources.get("config_dir")), "custom", "custom.css")
        try:  # the user's custom CSS, inlined when present: a changed file is read again
            seen = os.stat(custom)
            stamp = f"{seen.st_mtime_ns}:{seen.st_size}:{seen.st_ino}"
        except OSError:
            stamp = "-"
        key = f"{resources.get('config_dir')}|{self.style}|{self.highlight_class}|{stamp}"
        if key not in self._cache:
            self._cache[key] = super()._generate_header(resources)
        return list(self._cache[key])
