"""What the editor's live preview shows while an article is being written: the page's body and its references.

The body is rendered by the same renderer and sanitizer as the site (Markdown, then statute
references linked); each reference found in the Markdown is reported as it would be on saving:
resolved, misquoted (with the provision the quote comes from, and a fix: where in the Markdown the
reference is written and what to write instead) or unknown. Half-width punctuation typed in the
Chinese of the body or the title (articles.punctuation) is listed too, for a one-click fix.
"""

import re
from dataclasses import asdict, dataclass

from statutes.citations import known_law_names
from statutes.verification import CheckedReference, check_text

from .markdown import MAX_BODY_CHARS, MarkdownRefused, render_markdown
from .punctuation import half_width_marks
from .references import link_references, reference_verdict

NUMBER_PART_RE = re.compile(r"第[^第]*?条(?:之[^条，。、；]+)?$")


@dataclass
class Fix:
    start: int  # in the Markdown as the browser holds it: UTF-16 code units, lines ending in \n
    end: int
    text: str  # what is written there now
    replacement: str
    label: str  # the button: 改为 第六十五条


@dataclass
class PunctuationFix:
    start: int  # UTF-16 code units, as for Fix
    end: int
    text: str
    replacement: str
    context: str  # the words around it: 违法吗?网贷


CONTEXT_CHARS = 6
MAX_PUNCTUATION = 200


@dataclass
class PreviewReference:
    text: str
    state: str  # resolved, misquoted or unknown
    verdict: str
    url: str | None
    fix: Fix | None


def fix_for(item: CheckedReference, source: str) -> Fix | None:
    """The rewrite of a misquoted reference into the one its quote comes from."""
    suggestion, reference = item.suggestion, item.reference
    if suggestion is None or item.quote_matches is not False or not suggestion.law.is_current:
        return None  # a quote of an older version needs its text brought up to date, not its number
    written = source[reference.start : reference.end]
    number = NUMBER_PART_RE.search(written)
    if reference.law is not None and suggestion.law_id == reference.law.pk and number:
        replacement = written[: number.start()] + suggestion.label
    else:
        replacement = f"《{suggestion.law.title}》{suggestion.label}"
    if replacement == written:
        return None
    return Fix(
        utf16_offset(source, reference.start),
        utf16_offset(source, reference.end),
        written,
        replacement,
        f"改为 {suggestion.label}",
    )


def utf16_offset(text: str, index: int) -> int:
    """A Python index into text as a JavaScript string counts it (characters beyond the BMP count two)."""
    return len(text[:index].encode("utf-16-le")) // 2


def punctuation_fixes(text: str) -> list[PunctuationFix]:
    """The half-width marks typed in the Chinese of text (at most MAX_PUNCTUATION: a second click
    fixes the rest), where the browser finds them."""
    if len(text) > MAX_BODY_CHARS:
        return []  # refused anyway (markdown_problem says why)
    marks = half_width_marks(text)[:MAX_PUNCTUATION]
    fixes, position, units = [], 0, 0
    for mark in marks:  # UTF-16 offsets counted once along the text, not from its start for each mark
        units += utf16_offset(text[position : mark.start], mark.start - position)
        position = mark.start
        context = text[max(0, mark.start - CONTEXT_CHARS) : mark.end + CONTEXT_CHARS]
        fixes.append(PunctuationFix(units, units + 1, mark.text, mark.replacement, " ".join(context.split())))
    return fixes


def preview(markdown: str, title: str = "") -> dict:
    """{"html": the body as the page will show it, "references": [...], "problem": why nothing renders,
    "punctuation" and "title_punctuation": half-width marks in Chinese, each with its fix}."""
    # A form posts its lines ending in \r\n; the editor's textarea holds them ending in \n.
    markdown = markdown.replace("\r\n", "\n").replace("\r", "\n")
    punctuation = {
        "punctuation": [asdict(fix) for fix in punctuation_fixes(markdown)],
        "title_punctuation": [asdict(fix) for fix in punctuation_fixes(title)],
    }
    try:
        html = render_markdown(markdown)
    except MarkdownRefused as problem:
        return {"html": "", "references": [], "problem": str(problem), **punctuation}
    law_names = known_law_names()
    # The references are checked once, in the Markdown (where the fixes point); linking the HTML
    # needs only what they resolve to, not where a misquote comes from (a search of the library).
    body_html, _ = link_references(html, law_names, find_quoted=lambda quote, law: None)
    references = []
    for item in check_text(markdown, law_names):
        entry = item.as_dict()
        if not item.reference.resolved:
            state = "unknown"
        elif item.quote_matches is False:
            state = "misquoted"
        else:
            state = "resolved"
        references.append(
            PreviewReference(
                entry["text"], state, reference_verdict(entry), entry["url"], fix_for(item, markdown)
            )
        )
    return {
        "html": body_html,
        "references": [asdict(reference) for reference in references],
        "problem": "",
        **punctuation,
    }
