"""Markdown → safe HTML for article bodies, done once when an article is saved.

Editors write Markdown; readers get HTML that passed an allow-list sanitizer (nh3), so a
<script>, an on* attribute or a javascript: URL in a body never reaches a page.
"""

import html as html_lib
import re

import markdown
import nh3
from markdown.extensions.toc import TocExtension, slugify_unicode

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
    "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
HEADINGS = {"h2", "h3", "h4", "h5", "h6"}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "ol": {"start"},
    **{heading: {"id"} for heading in HEADINGS},
}
URL_SCHEMES = {"http", "https", "mailto"}
ANCHOR_PREFIX = "s-"
# Raised whenever what rendering makes of a body changes (its HTML, its excerpt): `manage.py
# rerender_articles` renders the stored articles again, and make run does it by itself.
RENDERING = 2
SUMMARY_LENGTH = 120
# Bounds that keep rendering within about a second (Python-Markdown's link patterns backtrack on
# thousands of "[", and deep nesting recurses): a real Q&A post stays far below all three.
MAX_BODY_CHARS = 100_000
MAX_BRACKETS = 1_000
MAX_NESTING = 20
LEADING_MARKERS_RE = re.compile(r"^[ \t>]*")


def markdown_problem(text: str) -> str | None:
    """Why this Markdown is refused (an editor-facing message), or None when it can be rendered."""
    text = text or ""
    if len(text) > MAX_BODY_CHARS:
        return f"正文过长：{len(text):,} 个字符，上限为 {MAX_BODY_CHARS:,}。请拆分为多篇文章。"
    if text.count("[") > MAX_BRACKETS:
        return f"方括号“[”过多（{text.count('['):,} 个，上限 {MAX_BRACKETS:,}），请检查链接写法。"
    for number, line in enumerate(text.splitlines(), start=1):
        markers = LEADING_MARKERS_RE.match(line)[0]
        depth = markers.count(">") + len(markers.replace(">", "").expandtabs(4)) // 2
        if depth > MAX_NESTING:
            return f"第 {number} 行嵌套过深（超过 {MAX_NESTING} 层引用或缩进），请简化结构。"
    return None


def heading_anchor(value: str, separator: str) -> str:
    """A Unicode slug, so that Chinese headings get anchors (## 建议参考 → #s-建议参考).

    The prefix keeps the body's anchors apart from the page's own ids.
    """
    return ANCHOR_PREFIX + slugify_unicode(value, separator)


class MarkdownRefused(ValueError):
    """A body past the bounds (markdown_problem says which, in words for the editor)."""


def render_markdown(text: str) -> str:
    """Markdown (with extra, sane lists and heading anchors) → sanitized HTML.

    A body past its bounds raises MarkdownRefused, with the editor-facing message.
    """
    problem = markdown_problem(text)
    if problem:
        raise MarkdownRefused(problem)
    converter = markdown.Markdown(
        extensions=["extra", "sane_lists", TocExtension(slugify=heading_anchor, toc_depth="2-4")],
        output_format="html",
    )
    # A body's "# heading" is demoted: the page's only <h1> is the article title.
    html = converter.convert(text or "")
    html = re.sub(r"<(/?)h1(\b[^>]*)>", r"<\1h2\2>", html)
    return sanitize_html(html)


def body_anchors(tag: str, attribute: str, value: str) -> str:
    """Every id in a body carries the prefix, however it was written (## 标题 {#search-q} included),
    so that no body can take an id of the page around it; in-body links to #x follow (#s-x)."""
    if attribute == "id" and not value.startswith(ANCHOR_PREFIX):
        return ANCHOR_PREFIX + value
    if (
        tag == "a"
        and attribute == "href"
        and value.startswith("#")
        and not value.startswith("#" + ANCHOR_PREFIX)
    ):
        return "#" + ANCHOR_PREFIX + value[1:]
    return value


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=body_anchors,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def plain_text(html: str) -> str:
    """The readable text of sanitized HTML, whitespace folded."""
    text = html_lib.unescape(nh3.clean(html, tags=set()))
    return re.sub(r"\s+", " ", text).strip()


def summarize(html: str, length: int = SUMMARY_LENGTH) -> str:
    """The body's opening as it reads: the paragraphs and list items before the first heading (or of
    the first section that has any), in order, cut at a sentence end where one comes close enough.

    A paragraph that leads into a list (……几种情况：) goes on with the list, as a reader reads it;
    what follows a heading belongs to another section. Tables and code are left out.
    """
    prose = re.sub(r"<(table|pre)\b.*?</\1>", " ", html, flags=re.S | re.I)
    text = ""
    for section in re.split(r"<h[1-6]\b.*?</h[1-6]>", prose, flags=re.S | re.I):
        blocks = re.findall(r"<(?:p|li)\b[^>]*>(.*?)</(?:p|li)>", section, flags=re.S)
        text = "".join(plain_text(block) for block in blocks) or plain_text(section)
        if text:
            break
    if len(text) <= length:
        return text
    cut = text[:length]
    sentence_end = max(cut.rfind(mark) for mark in "。！？；")
    if sentence_end >= length // 2:
        return cut[: sentence_end + 1]
    return cut.rstrip("，、：; ") + "…"
