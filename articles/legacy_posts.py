"""Importing legacy Q&A posts (a law firm's page, saved as text or HTML) as draft articles.

A post like ../shared/seed/lawyer-qa-post.txt is read as its site lays it out: a breadcrumb
(当前位置:首页>金融债务>正文内容), the title (often the question twice, worded two ways), a line of
author and date, the answer with its sections (建议参考, 相关法条, 小编总结 …), then the site's
footer (二维码, 版权声明, 本文链接, related posts), which is left out except for the credit and the
permalink. The answer becomes Markdown: sections as headings, numbered advice as a list, ASCII
punctuation in Chinese text made full width.

The 相关法条 section is not kept as pasted text. Each of its references is checked against the
library and cited as a record instead: the provision written, or, when the pasted text is really
another provision's (电信条例 第三十四条 quoting 第六十五条), the provision the text comes from.
A paragraph whose reference the library cannot resolve stays in the body, so that nothing is lost.

Every file is read and checked before anything is written, then all are written in one
transaction, as drafts: an editor reviews each before readers see it. A post remembers where it
came from (its permalink, or its title), so importing it again changes nothing.

The check report is kept with the draft (ImportCheck rows, shown on its change form): each reference,
its verdict, and the provision to cite instead. A quote that is word for word another provision's is
proof, and is cited by that provision at once (the row says 34 → 65, done); anything less certain is
a suggestion the editor takes with one click. Suggestions that need the search's evidence (a quote
the library cannot place word for word, a reference it cannot resolve, provisions the post should
cite) come from a `suggest` function the caller passes in (kb.search.suggestions, by
kb's import_posts command): this layer does not search.
"""

import hashlib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from statutes.citations import known_law_names
from statutes.models import Law, Provision
from statutes.verification import CheckedReference, check_text

from . import categories, services
from .editor import fix_for
from .markdown import markdown_problem, plain_text, render_markdown
from .models import Article, Author, Category, ImportCheck
from .punctuation import full_width
from .references import reference_verdict

KEY_PREFIX = "post"
MAX_TITLE = 200
# A saved page larger than this is not one post: refused before it is read into memory and parsed.
MAX_FILE_BYTES = 20 * 1024 * 1024
# The firm's name becomes the author's name (when the post names no lawyer) and the reprint's source.
MAX_FIRM = Author._meta.get_field("name").max_length
MAX_SOURCE_NAME = Article._meta.get_field("source_name").max_length
ENCODINGS = ("utf-8-sig", "gb18030")
SUGGESTIONS = 5  # provisions the post does not cite, suggested from the search's evidence

# (the post's question, its own words: a passage the library cannot place word for word, or the
# answer's opening; the law it names or None) → provisions to cite, best first
# (kb.search.suggestions.provisions_for).
Suggest = Callable[[str, str, Law | None], list[Provision]]
HTML_SUFFIXES = {".html", ".htm"}

BREADCRUMB_RE = re.compile(r"^(?:当前位置|您的位置|你的位置)\s*[:：]|^首页\s*[>›»]")
META_RE = re.compile(r"律师|\d+\s*(?:分钟|小时|天|个月|年)前|\d{4}-\d{1,2}-\d{1,2}|\(\d{2}-\d{2}\)")
AUTHOR_RE = re.compile(r"^(?P<author>[\u4e00-\u9fffA-Za-z·]{1,16}?律师)")
FOOTER_RE = re.compile(
    r"^(?:扫描二维码|扫一扫|版权声明|本文链接|上一篇|下一篇|推荐阅读|相关推荐|标签[:：])|的相关文章$"
)
COPYRIGHT_RE = re.compile(r"^版权声明\s*[:：]\s*本文由(?P<firm>[^，,。]+?)(?:结合|原创|整理|发布|编辑)")
PERMALINK_RE = re.compile(r"^本文链接\s*[:：]\s*(?P<url>https?://\S+)")
SECTION_NAMES = {
    "建议参考": "建议参考",
    "律师建议": "建议参考",
    "相关法条": "相关法条",
    "法律依据": "相关法条",
    "法条依据": "相关法条",
    "相关法律规定": "相关法条",
    "小编总结": "小编总结",
    "问题解答": "问题解答",
    "律师解答": "问题解答",
    "温馨提示": "温馨提示",
}
SECTION_RE = re.compile(
    r"^\**\s*(?P<name>"
    + "|".join(sorted(SECTION_NAMES, key=len, reverse=True))
    + r")\s*\**\s*[:：]?\s*\**\s*(?P<rest>.*)$"
)
STATUTE_SECTION = "相关法条"
NUMBERED_RE = re.compile(r"^(?P<number>\d{1,2})\s*[、.．)）]\s*(?P<text>.+)$")
QUESTION_RE = re.compile(r"^[^。！!]{4,50}[?？]$")
HAN = r"[\u3400-\u9fff]"


class PostFileError(ValueError):
    """Files that cannot be imported as they are; nothing was written."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("；".join(problems))


@dataclass
class StatuteCheck:
    """A reference of the post, checked: what it says, and what the article cites for it."""

    text: str
    verdict: str
    cited: Provision | None = None  # for a 相关法条 reference: the provision cited instead of the pasted text
    corrected: bool = False  # the cited provision is not the one written
    written: Provision | None = None  # what the reference says, as written
    suggested: Provision | None = None  # a fix the editor may take (not cited until then)
    source: str = ""  # ImportCheck.Source of the correction or the suggestion
    quote: str = ""
    misquoted: bool = False  # a quote that is not the written provision's text

    def describe(self) -> str:
        line = f"{self.text}：{self.verdict}"
        if self.cited is not None:
            line += f" → 引用 {self.cited.law.short_title} {self.cited.label}"
        if self.suggested is not None:
            line += f"；建议改为 {self.suggested.law.short_title} {self.suggested.label}（请在文章页确认）"
        return line


@dataclass
class BodyCheck:
    """A reference left in the body, checked, with its fix: what to write in its place."""

    text: str
    verdict: str
    written: Provision | None
    suggested: Provision | None = None
    source: str = ""
    replacement: str = ""


@dataclass
class Post:
    path: Path
    title: str
    body: str
    digest: str
    category_name: str = ""
    author_name: str = ""
    firm: str = ""
    source_url: str = ""
    sections: list[str] = field(default_factory=list)
    statutes: list[StatuteCheck] = field(default_factory=list)  # the 相关法条, each cited as a record
    kept_statute_paragraphs: int = 0  # 相关法条 paragraphs left in the body: not resolved
    suggested: list[Provision] = field(default_factory=list)  # what else to cite, from the evidence
    body_checks: list["BodyCheck"] = field(default_factory=list)  # the references left in the body

    @property
    def import_key(self) -> str:
        identity = self.source_url or self.title
        return f"{KEY_PREFIX}:{hashlib.sha1(identity.encode()).hexdigest()[:20]}"

    @property
    def source_name(self) -> str:
        """Whom the reprint credits: the firm, else the permalink's site."""
        return self.firm or (self.source_url.split("/")[2] if self.source_url else "")

    @property
    def cited(self) -> list[Provision]:
        return list({check.cited.pk: check.cited for check in self.statutes if check.cited}.values())


@dataclass
class PostResult:
    post: Post
    outcome: str  # created, unchanged, kept (imported before, not overwritten), updated, would create
    article: Article | None = None
    checks: list[str] = field(default_factory=list)  # every reference of the saved body, checked
    report: list[ImportCheck] = field(default_factory=list)  # what the draft keeps of the checks

    def lines(self) -> list[str]:
        post = self.post
        kept = self.article is not None and self.article.pk and self.outcome != "would create"
        where = f"（id {self.article.pk}）" if kept else ""
        lines = [f"{post.path.name} → 《{post.title}》：{OUTCOMES[self.outcome]}{where}"]
        lines.append("  分节：" + ("、".join(post.sections) if post.sections else "（无）"))
        for check in post.statutes:
            lines.append(f"  相关法条 {check.describe()}")
        if post.kept_statute_paragraphs:
            lines.append(
                f"  相关法条中 {post.kept_statute_paragraphs} 段无法在法规库中找到，留在正文中，请核对。"
            )
        lines += [f"  正文引用 {check}" for check in self.checks]
        if post.suggested:
            lines.append(
                "  建议引用（相似问答与条文用语）："
                + "、".join(f"{provision.law.short_title} {provision.label}" for provision in post.suggested)
            )
        return lines


OUTCOMES = {
    "created": "已导入为草稿",
    "would create": "将导入为草稿（试运行，未写入）",
    "updated": "已按新文件更新草稿",
    "unchanged": "已导入过，内容相同，未改动",
    "kept": "已导入过，文件有变化；未覆盖（加 --update 才会更新仍是草稿的文章）",
    "published": "已导入过且已发布，未覆盖",
}


# --- reading ----------------------------------------------------------------------------------


class _TextOfHTML(HTMLParser):
    """The lines of a saved page: a line per block; scripts, styles and navigation left out."""

    BLOCKS = {
        "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
        "blockquote", "ul", "ol", "dd", "dt", "table", "title", "header", "footer",
    }  # fmt: skip
    SKIPPED = {"script", "style", "noscript", "template", "svg", "nav", "aside", "form", "button", "select"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.headings: list[str] = []
        self.title = ""
        self._in = ""
        self._captured: list[str] = []
        self._lists: list[list[int]] = []  # per open list: [is ordered, items so far]

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        if tag in self.BLOCKS:
            self.parts.append("\n")
        if tag in ("ol", "ul"):
            self._lists.append([tag == "ol", 0])
        if tag == "li" and self._lists and self._lists[-1][0]:
            self._lists[-1][1] += 1
            self.parts.append(f"{self._lists[-1][1]}、")
        if tag in ("h1", "title"):
            self._in, self._captured = tag, []

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self.skipping:
            self.skipping -= 1
        if tag in ("ol", "ul") and self._lists:
            self._lists.pop()
        if tag == self._in:
            text = " ".join("".join(self._captured).split())
            if tag == "h1":
                self.headings.append(text)
            else:
                self.title = text
            self._in = ""
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if self._in:
            self._captured.append(data)
        if not self.skipping and self._in != "title":
            self.parts.append(data)


def decode(path: Path, raw: bytes) -> str:
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PostFileError([f"{path}：不是 UTF-8 或 GBK 编码的文本"])


def is_html(path: Path, text: str) -> bool:
    return path.suffix.lower() in HTML_SUFFIXES or bool(
        re.match(r"\s*<(?:!doctype|html|head|body)", text, re.I)
    )


def read_post(path: Path) -> Post:
    """A post file, parsed; PostFileError says why one cannot be."""
    if path.is_dir():
        raise PostFileError([f"{path}：是一个目录，不是文件"])
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PostFileError([f"{path}：文件过大（{size:,} 字节，上限 {MAX_FILE_BYTES:,}），不是一篇文章"])
        raw = path.read_bytes()
    except OSError as error:
        raise PostFileError([f"{path}：无法读取（{error.strerror or error}）"]) from None
    text = decode(path, raw)
    if "\x00" in text or not re.search(HAN, text):
        raise PostFileError([f"{path}：不是一篇中文文章（二进制文件，或没有中文）"])
    title_hint = ""
    if is_html(path, text):
        parser = _TextOfHTML()
        parser.feed(text)
        parser.close()
        title_hint = next((heading for heading in parser.headings if len(heading) >= 6), "")
        if not title_hint and parser.title:
            title_hint = re.split(r"\s+[-_|–—]\s+|_|\|", parser.title)[0].strip()
        text = "".join(parser.parts)
    lines = [" ".join(html.unescape(line).split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    return parse_post(path, lines, title_hint, digest=hashlib.sha256(raw).hexdigest())


def parse_post(path: Path, lines: list[str], title_hint: str = "", *, digest: str = "") -> Post:
    start = 0
    if title_hint:
        start = next((index for index, line in enumerate(lines) if title_hint in line), len(lines))
    while start < len(lines) and BREADCRUMB_RE.search(lines[start]):
        start += 1
    if start >= len(lines):
        raise PostFileError([f"{path}：找不到标题"])
    category_name = breadcrumb_category(lines[:start])
    title = clean_title(title_hint or lines[start])
    if not re.search(HAN, title):
        raise PostFileError([f"{path}：找不到标题（第一行是“{title[:30]}”）"])
    position = start + 1
    author_name = ""
    if position < len(lines) and len(lines[position]) <= 60 and META_RE.search(lines[position]):
        author = AUTHOR_RE.match(lines[position])
        author_name = author["author"] if author else ""
        position += 1
    end = next((index for index in range(position, len(lines)) if FOOTER_RE.search(lines[index])), len(lines))
    body_lines = lines[position:end]
    firm = source_url = ""
    for line in lines[end:]:
        if copyright_line := COPYRIGHT_RE.match(line):
            firm = copyright_line["firm"].strip()
        if permalink := PERMALINK_RE.match(line):
            source_url = permalink["url"].rstrip("。.")
    if not any(body_lines):
        raise PostFileError([f"{path}：标题“{title}”之后没有正文"])
    post = Post(
        path=path,
        title=title,
        body="",
        digest=digest,
        category_name=category_name,
        author_name=author_name,
        firm=firm,
        source_url=source_url,
    )
    post.body = markdown_of(post, body_lines)
    return post


def breadcrumb_category(lines: list[str]) -> str:
    """金融债务 from 当前位置:首页>金融债务>正文内容."""
    for line in lines:
        if BREADCRUMB_RE.search(line):
            parts = [part.strip() for part in re.split(r"[>›»]", re.sub(r"^[^:：]*[:：]", "", line))]
            named = [part for part in parts if part and part not in ("首页", "正文", "正文内容")]
            return named[-1] if named else ""
    return ""


def clean_title(line: str) -> str:
    """The question once: 网贷逾期…违法吗?网贷逾期…是否违法 → 网贷逾期…违法吗？"""
    line = full_width(line.strip())
    first = re.match(r"^(.{4,}?[？?])(.+)$", line)
    if first:
        line = first.group(1)
    return line[:MAX_TITLE]


def markdown_of(post: Post, lines: list[str]) -> str:
    """The answer as Markdown; the 相关法条 section's resolved references become post.statutes."""
    blocks: list[str] = []
    section = ""
    statute_paragraphs: list[str] = []
    statute_heading_at = None
    first_paragraph = True
    for line in lines:
        line = full_width(line.strip().strip("*").strip())
        if not line:
            continue
        heading = SECTION_RE.match(line)
        if heading and (not heading["rest"] or len(heading["name"]) >= 4):
            section = SECTION_NAMES[heading["name"]]
            post.sections.append(section)
            if section == STATUTE_SECTION:
                statute_heading_at = len(blocks)
            blocks.append(f"## {section}")
            line = heading["rest"].strip()
            if not line:
                continue
        elif QUESTION_RE.match(line) and not first_paragraph and not NUMBERED_RE.match(line):
            blocks.append(f"## {line}")
            section = ""
            continue
        first_paragraph = False
        if section == STATUTE_SECTION:
            statute_paragraphs.append(line)
            blocks.append(line)
            continue
        numbered = NUMBERED_RE.match(line)
        if numbered:
            item = numbered["text"]
            label = re.match(r"^([^：:，。]{2,12})[：:](.+)$", item)
            if label:
                item = f"**{label.group(1)}**：{label.group(2)}"
            blocks.append(f"{numbered['number']}. {item}")
        else:
            blocks.append(escape_markdown(line))
    if statute_heading_at is not None:
        kept = cite_statutes(post, statute_paragraphs)
        blocks = [block for block in blocks if block not in statute_paragraphs or block in kept]
        if not kept:
            blocks = [block for block in blocks if block != f"## {STATUTE_SECTION}"]
    return join_blocks(blocks)


def escape_markdown(line: str) -> str:
    """A line of prose that Markdown would read as something else (a heading, a list, a rule)."""
    if re.match(r"^(?:#|[-+*]\s|\d+\.\s|>|={3,}|-{3,})", line):
        return "\\" + line
    return line


def join_blocks(blocks: list[str]) -> str:
    """Paragraphs apart; the items of a list together."""
    out = ""
    previous = ""
    for block in blocks:
        in_list = bool(re.match(r"^\d+\. ", block) and re.match(r"^\d+\. ", previous))
        out += ("\n" if in_list else "\n\n" if out else "") + block
        previous = block
    return out + "\n"


def cite_statutes(post: Post, paragraphs: list[str]) -> list[str]:
    """Check the pasted 相关法条; cite what the library confirms; the paragraphs to keep in the body."""
    names = known_law_names()
    kept = []
    for paragraph in paragraphs:
        checked = check_text(paragraph, names)
        if not checked or not all(item.reference.resolved for item in checked):
            kept.append(paragraph)
            continue  # left in the body: checked there, with the body's references
        for item in checked:
            post.statutes.append(statute_check(item))
    return kept


def statute_check(item: CheckedReference) -> StatuteCheck:
    """What to cite for a pasted reference: the provision its text is from when that is not the one written."""
    entry = item.as_dict()
    verdict = reference_verdict(entry)
    provision = item.reference.provision
    quote = item.quote.text if item.quote else ""
    if item.quote_matches is False and item.suggestion is not None:
        replacement = item.suggestion if item.suggestion.law.is_current else item.current
        if replacement is not None:
            return StatuteCheck(
                entry["text"],
                verdict,
                replacement,
                corrected=replacement.pk != getattr(provision, "pk", None),
                written=provision,
                source=ImportCheck.Source.QUOTE,
                quote=quote,
                misquoted=True,
            )
    return StatuteCheck(
        entry["text"],
        verdict,
        provision,
        written=provision,
        quote=quote,
        misquoted=item.quote_matches is False,
    )


def evidence_fix(suggest: Suggest | None, question: str, item: CheckedReference) -> Provision | None:
    """For a reference the quote check cannot settle (its quote is in no provision word for word, or
    its law or 条 is not in the library): the provision of the law it names that the search's evidence
    ranks first for the question and the quote; None when there is nothing to go on."""
    quote = item.quote.text if item.quote else ""
    law = item.reference.law
    if suggest is None or not (quote or law is not None):
        return None
    if item.reference.resolved and item.quote_matches is not False:
        return None  # confirmed, or nothing to compare: no reason to doubt it
    for provision in suggest(question, quote, law):
        if provision.pk != getattr(item.reference.provision, "pk", None):
            return provision
    return None


def suggest_fixes(post: Post, suggest: Suggest | None) -> None:
    """Fixes for what the quotes cannot settle, and the provisions to cite besides, from the search's
    evidence (suggest; None: the quotes' own fixes alone): a fix for each 相关法条 reference whose quote
    is in no provision word for word, one for each reference in the body (rewriting it), and the
    provisions the post does not cite that answers to the same question do."""
    for item in check_text(post.body, known_law_names()):
        entry = item.as_dict()
        check = BodyCheck(entry["text"], reference_verdict(entry), item.reference.provision)
        fix = fix_for(item, post.body)
        if fix is not None:
            check.suggested, check.source, check.replacement = (
                item.suggestion,
                ImportCheck.Source.QUOTE,
                fix.replacement,
            )
        elif (found := evidence_fix(suggest, post.title, item)) is not None:
            check.suggested, check.source = found, ImportCheck.Source.EVIDENCE
            check.replacement = f"《{found.law.title}》{found.label}"
        post.body_checks.append(check)
    if suggest is None:
        return
    for check in post.statutes:
        if check.corrected or not check.misquoted:
            continue  # corrected by its quote already, or nothing to doubt
        for provision in suggest(post.title, check.quote, check.written.law if check.written else None):
            if provision.pk != getattr(check.written, "pk", None):
                check.suggested, check.source = provision, ImportCheck.Source.EVIDENCE
                break
    cited = {provision.pk for provision in post.cited}
    opening = plain_text(render_markdown(post.body))  # the answer's own words, as an article's topics
    post.suggested = [
        provision for provision in suggest(post.title, opening, None) if provision.pk not in cited
    ][:SUGGESTIONS]


# --- writing ----------------------------------------------------------------------------------


def read_posts(paths: list[Path]) -> list[Post]:
    """Every file parsed; PostFileError with every problem when any cannot be."""
    files: list[Path] = []
    problems = []
    for path in paths:
        if path.is_dir():
            found = sorted(item for item in path.iterdir() if item.suffix.lower() in {".txt", *HTML_SUFFIXES})
            if not found:
                problems.append(f"{path}：目录中没有 .txt 或 .html 文件")
            files += found
        elif path.exists():
            files.append(path)
        else:
            problems.append(f"{path}：文件不存在")
    posts = []
    for path in files:
        try:
            post = read_post(path)
        except PostFileError as error:
            problems += error.problems
            continue
        # Past what an article may hold: said before anything is written.
        too_much = markdown_problem(post.body)
        if too_much:
            problems.append(f"{path}：{too_much}")
        if len(post.firm) > MAX_FIRM:
            problems.append(f"{path}：版权声明中的律所名称过长（{len(post.firm)} 个字符，上限 {MAX_FIRM}）")
        elif len(post.source_name) > MAX_SOURCE_NAME:
            problems.append(
                f"{path}：本文链接的网站名过长（{len(post.source_name)} 个字符，上限 {MAX_SOURCE_NAME}）"
            )
        posts.append(post)
    if problems:
        raise PostFileError(problems)
    return posts


def import_posts(
    paths: list[Path],
    *,
    update: bool = False,
    dry_run: bool = False,
    user=None,
    suggest: Suggest | None = None,
) -> list[PostResult]:
    """Import the posts as drafts, all or none (PostFileError before anything is written).

    suggest: where the search's evidence suggests provisions (see Suggest); None: the finder alone.
    """
    posts = read_posts(paths)
    for post in posts:
        suggest_fixes(post, suggest)  # searches: before the write transaction opens
    results = []
    with transaction.atomic():
        for post in posts:
            results.append(import_post(post, update=update, dry_run=dry_run, user=user))
        if dry_run:
            transaction.set_rollback(True)
    return results


def import_post(post: Post, *, update: bool, dry_run: bool, user=None) -> PostResult:
    existing = Article.objects.filter(import_key=post.import_key).first()
    if existing is not None:
        if existing.import_digest == post.digest:
            return PostResult(post, "unchanged", existing)
        if existing.status == Article.Status.PUBLISHED:
            return PostResult(post, "published", existing)
        if not update:
            return PostResult(post, "kept", existing)
    article = existing or Article(import_key=post.import_key, status=Article.Status.DRAFT)
    article.title = post.title
    article.body = post.body
    article.import_digest = post.digest
    article.category = category_for(post)
    article.author = author_for(post)
    if post.firm or post.source_url:
        article.origin = Article.Origin.REPRINT
        article.source_name = post.source_name
        article.source_url = post.source_url[:200]
    services.save_article(
        article=article,
        editor_citations=[provision.pk for provision in post.cited],
        user=user,
        comment=f"导入自 {post.path.name}",
    )
    outcome = "updated" if existing is not None else ("would create" if dry_run else "created")
    checks = [
        f"{check.text}：{check.verdict}" + (f" → 建议改为 {check.replacement}" if check.replacement else "")
        for check in post.body_checks
    ]
    report = keep_report(post, article)
    return PostResult(post, outcome, article, checks, report)


def keep_report(post: Post, article: Article) -> list[ImportCheck]:
    """The check report, kept with the draft (replacing an earlier import's): the 相关法条 as cited,
    the body's references with their fixes, and the provisions suggested."""
    now = timezone.now()
    rows = []
    for check in post.statutes:
        corrected = check.cited is not None and check.corrected
        rows.append(
            ImportCheck(
                kind=ImportCheck.Kind.STATUTES,
                text=check.text[:200],
                verdict=check.verdict,
                written=check.written,
                suggested=check.cited if corrected else check.suggested,
                source=check.source,
                applied_at=now if corrected else None,
            )
        )
    for check in post.body_checks:
        rows.append(
            ImportCheck(
                kind=ImportCheck.Kind.BODY,
                text=check.text[:200],
                verdict=check.verdict,
                written=check.written,
                suggested=check.suggested,
                source=check.source,
                replacement=check.replacement[:200],
            )
        )
    rows += [
        ImportCheck(kind=ImportCheck.Kind.SUGGESTED, suggested=provision, source=ImportCheck.Source.EVIDENCE)
        for provision in post.suggested
    ]
    ImportCheck.objects.filter(article=article).delete()
    for order, row in enumerate(rows, start=1):
        row.article, row.order, row.file_name = article, order, post.path.name[:200]
    return ImportCheck.objects.bulk_create(rows)


def category_for(post: Post) -> Category:
    """The breadcrumb's category when the site has one by that name, else the one its citations point to."""
    if post.category_name:
        named = Category.objects.filter(name=post.category_name).first()
        if named is not None:
            return named
    return categories.category(categories.kind_for(post.cited))


def author_for(post: Post) -> Author:
    name = post.author_name or post.firm or "历史文章"
    author = Author.objects.filter(name=name).first()
    if author is None:
        author = Author.objects.create(name=name, firm=post.firm)
    return author
