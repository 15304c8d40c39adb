"""Statute references in an article body: linked in its HTML, kept as Citation rows, reported to editors.

Run when an article is saved (Article.save renders the body once): every reference the finder
resolves becomes a link to the provision page, with the provision's text as a preview (a title
on hover; static/js/statute-preview.js shows it on tap). The report of the references is kept
with the article; articles.services makes the Citation rows follow it.
"""

import html
import re

from statutes.citations import known_law_names
from statutes.verification import CheckedReference, QuoteFinder, check_text, provisions_quoting

from .markdown import render_markdown

TAG_RE = re.compile(r"(<[^>]*>)")
NO_LINK_INSIDE = {"a", "code", "pre"}
BLOCK_END_RE = re.compile(r"^</?(?:p|li|h[1-6]|blockquote|td|th|tr|div|pre|dd|dt)\b|^<br\b", re.IGNORECASE)
PREVIEW_LENGTH = 160


def preview_text(provision) -> str:
    text = re.sub(r"\s+", " ", provision.text).strip()
    if len(text) > PREVIEW_LENGTH:
        text = text[:PREVIEW_LENGTH] + "…"
    return f"{provision.law.short_title} {provision.label}：{text}"


def link_references(
    body_html: str, law_names: list[str] | None = None, *, find_quoted: QuoteFinder = provisions_quoting
) -> tuple[str, list[CheckedReference]]:
    """The body's HTML with resolved references linked, and every reference found (checked).

    find_quoted: as for check_text; the links themselves depend only on what the references resolve to.
    """
    tokens = TAG_RE.split(body_html)
    pieces = []  # (token index or None, unescaped text)
    open_tags = []
    linkable = {}  # text token index → not inside a link or code
    for index, token in enumerate(tokens):
        if index % 2:  # a tag
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", token)
            if name and name[1].lower() in NO_LINK_INSIDE:
                if token.startswith("</"):
                    if open_tags and open_tags[-1] == name[1].lower():
                        open_tags.pop()
                elif not token.endswith("/>"):
                    open_tags.append(name[1].lower())
            if BLOCK_END_RE.match(token):
                pieces.append((None, "\n"))
            continue
        pieces.append((index, html.unescape(token)))
        linkable[index] = not open_tags
    text = "".join(piece for _, piece in pieces)
    checked = check_text(
        text, law_names if law_names is not None else known_law_names(), find_quoted=find_quoted
    )

    # Where each text token lies in the plain text.
    spans = {}
    offset = 0
    for index, piece in pieces:
        if index is not None:
            spans[index] = (offset, offset + len(piece))
        offset += len(piece)

    links = sorted(
        {
            (*item.reference.link_span, item.reference.provision)
            for item in checked
            if item.reference.provision is not None and item.reference.link_span is not None
        },
        key=lambda link: link[:2],
    )

    for index in sorted(spans, reverse=True):
        node_start, node_end = spans[index]
        inside = [link for link in links if node_start <= link[0] and link[1] <= node_end]
        if not inside or not linkable.get(index):
            continue
        node_text = html.unescape(tokens[index])
        rebuilt, cursor = [], 0
        for link_start, link_end, provision in sorted(inside, key=lambda link: link[0]):
            local_start, local_end = link_start - node_start, link_end - node_start
            if local_start < cursor:
                continue
            rebuilt.append(html.escape(node_text[cursor:local_start], quote=False))
            preview = html.escape(preview_text(provision))
            rebuilt.append(
                f'<a class="statute-ref" href="{provision.get_absolute_url()}" title="{preview}" '
                f'data-preview="{preview}">{html.escape(node_text[local_start:local_end], quote=False)}</a>'
            )
            cursor = local_end
        rebuilt.append(html.escape(node_text[cursor:], quote=False))
        tokens[index] = "".join(rebuilt)
    return "".join(tokens), checked


def reference_report(checked: list[CheckedReference]) -> list[dict]:
    """What the article keeps of its references: each as check_citations prints it, with the
    provision it resolved to (the citations the body makes follow it)."""
    return [
        {**item.as_dict(), "provision_id": item.reference.provision.pk if item.reference.provision else None}
        for item in checked
    ]


PROBLEMS = {
    "unknown law": "法规库中没有这部法规",
    "no law named": "没有写明是哪部法规",
    "no such provision": "该法规没有这一条",
}
# What keeps an article from being published unless an editor insists: a quote that is not the
# provision's text, a law the library does not have.
BLOCKING_PROBLEMS = {"unknown law", "no law named"}


def reference_verdict(entry: dict) -> str:
    """A reference's check in words for editors: 正确, 引文与该条不符；引文出自 …, 法规库中没有这部法规 …"""
    if not entry["resolved"]:
        problem = entry["problem"] or ""
        if problem.startswith("beyond the last article"):
            return "超出该法规的条数" + problem[len("beyond the last article") :].replace(
                "(", "（共 "
            ).replace(")", " 条）")
        verdict = PROBLEMS.get(problem, "无法识别")
    elif entry.get("quotes_older_version"):
        # The law's own words before it changed: not a misquote, a quotation of that version.
        suggestion = entry["suggestion"]
        verdict = f"引用的是 {suggestion['version']} 年版本（{suggestion['label']}）"
        current = suggestion.get("current")
        return verdict + (
            f"，现行版本为{current['label']}，请核对" if current else "，现行版本中没有对应的条文"
        )
    elif entry["quote_matches"] is False:
        verdict = "引文与该条不符"
    else:
        return "正确" if entry["quote_matches"] is None else "正确，引文相符"
    suggestion = entry["suggestion"]
    if suggestion and suggestion.get("version"):
        # Copied before the law changed: the older version's article, and what replaced it.
        verdict += f"；引文出自 {suggestion['law']} {suggestion['version']} 年版本{suggestion['label']}"
        current = suggestion.get("current")
        verdict += f"，现行版本为{current['label']}" if current else "，现行版本中没有对应的条文"
    elif suggestion:
        verdict += f"；引文出自 {suggestion['law']} {suggestion['label']}"
    return verdict


def is_misquote(entry: dict) -> bool:
    """A quote that is no text of the cited law (an older version's own words are not a misquote)."""
    return entry["quote_matches"] is False and not entry.get("quotes_older_version")


def publication_problems(report: list[dict]) -> list[str]:
    """The references that keep an article from being published: misquotes and unknown laws."""
    return [
        f"{entry['text']}：{reference_verdict(entry)}"
        for entry in report
        if is_misquote(entry) or (not entry["resolved"] and entry["problem"] in BLOCKING_PROBLEMS)
    ]


def body_publication_problems(markdown_body: str) -> list[str]:
    """publication_problems of a Markdown body, checked on the library as it is now."""
    _, checked = link_references(render_markdown(markdown_body))
    return publication_problems(reference_report(checked))
