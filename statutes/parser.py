"""Parse one statute file of the national corpus (the LawRefBook Markdown format).

Pure Python, no Django: the importer turns what this returns into records. The format
and its edge cases are described in ../shared/data/laws/SOURCE.md; in short:

    # 中华人民共和国民法典            title
    # 人格权编                        a 编 heading, only in the files of a law split in parts
    2020年5月28日 …通过                history lines
    <!-- INFO END -->
    ## 第六章  隐私权和个人信息保护     headings, classified by their text
    第一千零三十二条 自然人享有隐私权。  a 条; each further line is a 款 or a 项

Anything that cannot be read with confidence raises StatuteFormatError with the line,
so that the importer skips the whole file instead of storing half of it.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .numerals import NUMERAL_CHARS, chinese_to_int, format_label
from .text import clean_text

INFO_END = "<!-- INFO END -->"
FORCE_BREAK = "<!-- FORCE BREAK -->"

# 第一千零三十二条 … and 第二百五十三条之一 …; the text starts after one space.
PROVISION_RE = re.compile(
    rf"^第(?P<number>[{NUMERAL_CHARS}]+)条(?:之(?P<suffix>[{NUMERAL_CHARS}]+))?(?:[ \u3000]+|$)(?P<text>.*)$"
)
# A few files of the corpus put the space before 条 ("第一百二十八 条侦查人员…"); such a
# line is still that 条, provided it continues the numbering.
MISPLACED_SPACE_RE = re.compile(
    rf"^第(?P<number>[{NUMERAL_CHARS}]+) 条(?:之(?P<suffix>[{NUMERAL_CHARS}]+))?[ \u3000]*(?P<text>.*)$"
)
HEADING_NUMBER_RE = re.compile(rf"^第[{NUMERAL_CHARS}\d]+(?P<kind>分编|编|章|节)(?:[ \u3000]+(?P<name>.*))?$")
ITEM_RE = re.compile(rf"^[（(][{NUMERAL_CHARS}\d]+[）)]")
# Annexes follow the last 条 and are not part of it: 附：, 附件, 附件一：…, 附表二, 附图 …, 附录.
# 附件三所列…, 附则, 附带…, 附加刑… are ordinary text.
ANNEX_RE = re.compile(rf"^附(?:[:：]|(?:件|表|图|录)[{NUMERAL_CHARS}\d]*(?:[:：\s].*)?$)")
FOOTNOTE_RE = re.compile(r"^[\u2460-\u2473]")  # ① … ⑳
DATE_RE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
FILE_DATE_RE = re.compile(r"^(?P<name>.*?)\((?P<date>\d{4}-\d{2}-\d{2})\)$")
REPEALED_TEXTS = {"（删去）", "(删去)", "删去", "（删除）", "(删除)"}
SENTENCE_END = "。；;：:！？"
# Characters the corpus scatters in the text that a reader cannot see.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))

PREAMBLE_HEADING = "序言"


class StatuteFormatError(ValueError):
    """A file that does not follow the corpus format closely enough to be imported."""

    def __init__(self, message: str, *, line: int | None = None):
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass
class ParsedProvision:
    number: int
    suffix: int
    paragraphs: list[str]
    part: str = ""
    subpart: str = ""
    chapter: str = ""
    section: str = ""
    line: int = 0

    @property
    def label(self) -> str:
        return format_label(self.number, self.suffix)

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    @property
    def is_repealed(self) -> bool:
        return self.text.strip() in REPEALED_TEXTS


@dataclass
class ParsedStatute:
    """One file: a whole law, or one 编 of a law split over several files."""

    title: str
    source_name: str = ""
    part_title: str = ""
    history: list[str] = field(default_factory=list)
    preamble: list[str] = field(default_factory=list)
    provisions: list[ParsedProvision] = field(default_factory=list)
    annex: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    file_date: datetime.date | None = None

    @property
    def history_dates(self) -> list[tuple[datetime.date, str]]:
        """(date, event) for each history line that starts with a date."""
        dated = []
        for line in self.history:
            match = DATE_RE.match(line)
            if match:
                try:
                    day = datetime.date(*map(int, match.groups()))
                except ValueError:
                    continue
                dated.append((day, line[match.end() :].strip()))
        return dated


def clean_line(line: str) -> str:
    return unicodedata.normalize("NFC", line.translate(INVISIBLE)).strip()


def normalize_heading(text: str) -> str:
    """'第一章  一般规定' → '第一章 一般规定'; '第十五章 附 则' → '第十五章 附则'."""
    text = re.sub(r"\s+", " ", text.lstrip("#")).strip()
    match = HEADING_NUMBER_RE.match(text)
    if match and match["name"]:
        number, name = text[: match.start("name")].strip(), match["name"]
    else:
        number, name = "", text
    tokens = name.split(" ")
    # Two-character names are printed letter-spaced in the official texts ("附 则", "总 则").
    if len(tokens) > 1 and all(len(token) == 1 for token in tokens):
        name = "".join(tokens)
    return f"{number} {name}".strip()


def heading_kind(text: str) -> str:
    """编 → part, 分编 → subpart, 章 → chapter, 节 → section; other headings stand for chapters."""
    match = HEADING_NUMBER_RE.match(text)
    if match:
        return {"编": "part", "分编": "subpart", "章": "chapter", "节": "section"}[match["kind"]]
    if ITEM_RE.match(text):
        return "section"
    return "chapter"


def split_file_name(path: Path) -> tuple[str, datetime.date | None]:
    """'电信条例(2016-02-06).md' → ('电信条例', 2016-02-06); '宪法.md' → ('宪法', None)."""
    match = FILE_DATE_RE.match(path.stem)
    if not match:
        return path.stem, None
    try:
        return match["name"], datetime.date.fromisoformat(match["date"])
    except ValueError:
        return match["name"], None


def parse_statute(text: str, *, source_name: str = "") -> ParsedStatute:
    """Parse the text of one statute file. Raises StatuteFormatError."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise StatuteFormatError("the file is empty")
    if not lines[first].startswith("# ") or not clean_line(lines[first][2:]):
        raise StatuteFormatError("the first line is not a '# title' line", line=first + 1)
    statute = ParsedStatute(title=clean_line(lines[first][2:]), source_name=source_name)
    try:
        info_end = next(i for i, line in enumerate(lines) if line.strip() == INFO_END)
    except StopIteration:
        raise StatuteFormatError(f"no '{INFO_END}' line after the header") from None
    if info_end < first:
        raise StatuteFormatError(f"'{INFO_END}' comes before the title", line=info_end + 1)

    for raw in lines[first + 1 : info_end]:
        line = clean_line(raw)
        if not line:
            continue
        if line.startswith("#"):
            statute.part_title = normalize_heading(line)
        elif DATE_RE.match(line) or not statute.history:
            statute.history.append(line)
        else:
            # A history line that wrapped.
            statute.history[-1] += line

    _BodyParser(statute).feed(lines, start=info_end + 1)
    return statute


def parse_file(path: Path) -> ParsedStatute:
    """Read and parse one file; undecodable bytes raise StatuteFormatError."""
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise StatuteFormatError(f"not UTF-8 text (byte {error.start})") from None
    statute = parse_statute(clean_text(text), source_name=str(path))  # no control characters stored
    statute.file_date = split_file_name(Path(path))[1]
    return statute


class _BodyParser:
    """Walks the lines after INFO END, keeping the headings in force and the 条 being read."""

    def __init__(self, statute: ParsedStatute):
        self.statute = statute
        self.headings = {"part": statute.part_title, "subpart": "", "chapter": "", "section": ""}
        self.current: ParsedProvision | None = None
        self.seen: dict[tuple[int, int], int] = {}
        self.in_annex = False
        self.last_was_heading = False
        self.last_heading_kind: str | None = None
        self.front: list[tuple[str, str]] = []  # ("heading" | "text", text) before the first 条

    def feed(self, lines: list[str], *, start: int) -> None:
        for index in range(start, len(lines)):
            line = clean_line(lines[index])
            if line and line != FORCE_BREAK:
                self.line(line, index + 1)
        provisions = self.statute.provisions
        if provisions:
            self.statute.preamble = [text for kind, text in self.front if kind == "text"]
        else:
            self.statute.preamble = [text for _, text in self.front]

    def line(self, line: str, number: int) -> None:
        if self.in_annex:
            self.statute.annex.append(line.lstrip("# ").strip() or line)
            return
        is_heading = line.startswith("#")
        text = normalize_heading(line) if is_heading else line
        if self.statute.provisions and ANNEX_RE.match(text):
            self.in_annex = True
            self.current = None
            self.statute.annex.append(text)
            return
        provision = self.match_provision(line, number)
        if provision:
            self.start_provision(provision, number)
        elif is_heading:
            if text:
                self.heading(text)
        elif FOOTNOTE_RE.match(line):
            self.statute.notes.append(line)
            self.last_was_heading = False
        elif self.last_was_heading and self.is_heading_continuation(line):
            self.continue_heading(line)
        elif self.current is not None:
            self.current.paragraphs.append(line)
            self.last_was_heading = False
        else:
            self.front.append(("text", line))
            self.last_was_heading = False

    def match_provision(self, line: str, number: int) -> ParsedProvision | None:
        match = PROVISION_RE.match(line)
        misplaced = False
        if not match:
            match = MISPLACED_SPACE_RE.match(line)
            misplaced = True
        if not match:
            return None
        try:
            article = chinese_to_int(match["number"])
            suffix = chinese_to_int(match["suffix"]) if match["suffix"] else 0
        except ValueError as error:
            raise StatuteFormatError(f"bad 条 number in {line[:30]!r}: {error}", line=number) from None
        previous = self.statute.provisions[-1] if self.statute.provisions else None
        if misplaced and (previous is None or (article, suffix) <= (previous.number, previous.suffix)):
            return None
        text = match["text"].strip()
        return ParsedProvision(number=article, suffix=suffix, paragraphs=[text] if text else [])

    def start_provision(self, provision: ParsedProvision, number: int) -> None:
        key = (provision.number, provision.suffix)
        if key in self.seen:
            raise StatuteFormatError(
                f"{provision.label} appears twice (lines {self.seen[key]} and {number})", line=number
            )
        self.seen[key] = number
        provision.line = number
        for level, heading in self.headings.items():
            setattr(provision, level, heading)
        self.statute.provisions.append(provision)
        self.current = provision
        self.last_was_heading = False

    def heading(self, text: str) -> None:
        if not self.statute.provisions:
            self.front.append(("heading", text))
        self.last_was_heading = True
        self.current = None
        if text == PREAMBLE_HEADING:
            return
        kind = heading_kind(text)
        levels = list(self.headings)
        self.headings[kind] = text
        for lower in levels[levels.index(kind) + 1 :]:
            self.headings[lower] = ""
        self.last_heading_kind = kind

    @staticmethod
    def is_heading_continuation(line: str) -> bool:
        """A short line right after a heading, without sentence punctuation, is the heading wrapped."""
        return len(line) <= 40 and not any(mark in line for mark in SENTENCE_END)

    def continue_heading(self, line: str) -> None:
        if ITEM_RE.match(line):
            self.heading(normalize_heading(line))
            return
        kind = self.last_heading_kind
        if kind is None:
            self.front.append(("text", line))
            return
        self.headings[kind] += line
        if not self.statute.provisions and self.front and self.front[-1][0] == "heading":
            self.front[-1] = ("heading", self.front[-1][1] + line)
