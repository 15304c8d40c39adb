"""The parser on small files written for each edge case of the corpus format (SOURCE.md)."""

import datetime

import pytest

from statutes.parser import StatuteFormatError, normalize_heading, parse_file, parse_statute
from tests.helpers import statute_text


def parse(body: str, **kwargs):
    return parse_statute(statute_text("中华人民共和国测试法", body, **kwargs))


def by_label(statute):
    return {provision.label: provision for provision in statute.provisions}


class TestProvisions:
    def test_reads_number_text_and_paragraphs(self):
        statute = parse(
            """
第一条 为了测试，制定本法。

第一千零三十二条 自然人享有隐私权。

本法所称隐私，是私人生活安宁。
"""
        )
        assert [(p.number, p.suffix) for p in statute.provisions] == [(1, 0), (1032, 0)]
        assert statute.provisions[1].text == "自然人享有隐私权。\n本法所称隐私，是私人生活安宁。"
        assert statute.provisions[1].label == "第一千零三十二条"

    def test_suffixed_provisions_keep_their_suffix(self):
        statute = parse("第二百五十三条 甲。\n\n第二百五十三条之一 乙。\n\n第一百二十条之六 丙。")
        assert by_label(statute)["第二百五十三条之一"].text == "乙。"
        assert (statute.provisions[2].number, statute.provisions[2].suffix) == (120, 6)

    def test_items_in_both_bracket_styles_are_lines_of_the_provision(self):
        statute = parse("第三条 有下列情形之一的：\n\n（一）全角；\n\n(二)半角。")
        assert statute.provisions[0].text.splitlines() == ["有下列情形之一的：", "（一）全角；", "(二)半角。"]

    def test_repealed_in_place_stays_and_is_marked(self):
        statute = parse("第一百九十八条 甲。\n\n第一百九十九条 （删去）\n\n第二百条 乙。")
        repealed = by_label(statute)["第一百九十九条"]
        assert repealed.is_repealed
        assert not by_label(statute)["第二百条"].is_repealed

    def test_a_provision_named_in_the_text_does_not_start_one(self):
        statute = parse("第五条 依照本法第三条规定。\n\n依照第六条 的规定处理。")
        assert len(statute.provisions) == 1

    def test_space_misplaced_before_tiao_still_starts_the_next_provision(self):
        statute = parse("第一百二十七条 甲。\n\n第一百二十八 条侦查人员应当勘验。\n\n第一百二十九条 乙。")
        assert [p.number for p in statute.provisions] == [127, 128, 129]
        assert statute.provisions[1].text == "侦查人员应当勘验。"

    def test_the_same_provision_twice_is_an_error(self):
        with pytest.raises(StatuteFormatError, match="第五条 appears twice"):
            parse("第五条 甲。\n\n第六条 乙。\n\n第五条 丙。")

    def test_invisible_characters_are_removed(self):
        statute = parse("## 第一章 总则\n\n\u200b\n\n第一条 \ufeff甲\u200b。")
        assert statute.provisions[0].text == "甲。"
        assert statute.provisions[0].chapter == "第一章 总则"


class TestHeadings:
    def test_headings_are_classified_by_their_text_not_their_hashes(self):
        statute = parse(
            """
## 第一编 总则
#### 第一章 一般规定
第一条 甲。
### 第二分编 典型合同
## 第二章  买卖合同
### 第一节 定义
第二条 乙。
## 第二节 效力
第三条 丙。
## 第三章 附 则
第四条 丁。
"""
        )
        first, second, third, fourth = statute.provisions
        assert (first.part, first.chapter) == ("第一编 总则", "第一章 一般规定")
        assert (second.part, second.subpart, second.chapter, second.section) == (
            "第一编 总则",
            "第二分编 典型合同",
            "第二章 买卖合同",
            "第一节 定义",
        )
        assert third.section == "第二节 效力" and third.chapter == "第二章 买卖合同"
        assert fourth.chapter == "第三章 附则" and fourth.section == ""

    def test_numbered_headings_without_zhang_stand_for_chapters(self):
        statute = parse("## 一、一般规定\n\n第一条 甲。\n\n## 二、附则\n\n第二条 乙。")
        assert [p.chapter for p in statute.provisions] == ["一、一般规定", "二、附则"]

    def test_a_wrapped_heading_is_joined(self):
        statute = parse("## 第五章 没有划入军事禁区、军事管理区的\n\n军事设施的保护\n\n第一条 甲。")
        assert statute.provisions[0].chapter == "第五章 没有划入军事禁区、军事管理区的军事设施的保护"

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("## 第一章  一般规定", "第一章 一般规定"),
            ("## 第十五章 附 则", "第十五章 附则"),
            ("## 附 则", "附则"),
            ("### 第一节 设　立", "第一节 设立"),
            ("## 第二章 听取和审议 专项工作报告", "第二章 听取和审议 专项工作报告"),
            ("##", ""),
        ],
    )
    def test_normalize_heading(self, raw, expected):
        assert normalize_heading(raw) == expected


class TestTextOutsideProvisions:
    def test_preamble_before_the_first_provision(self):
        statute = parse(
            "## 序言\n\n中国是世界上历史最悠久的国家之一。\n\n<!-- FORCE BREAK -->\n\n## 第一章 总纲\n\n第一条 甲。"
        )
        assert statute.preamble == ["中国是世界上历史最悠久的国家之一。"]
        assert statute.provisions[0].chapter == "第一章 总纲"

    def test_annex_after_the_last_provision_is_not_part_of_it(self):
        statute = parse(
            "第八十条 本条例自公布之日起施行。\n\n附：\n\n电信业务分类目录\n\n## 一、基础电信业务\n\n(一)固定电话。"
        )
        assert statute.provisions[-1].text == "本条例自公布之日起施行。"
        assert statute.annex == ["附：", "电信业务分类目录", "一、基础电信业务", "(一)固定电话。"]

    @pytest.mark.parametrize(
        "heading", ["## 附件一", "附件：主要文书参考样式", "附表二", "附图 标志式样", "附录"]
    )
    def test_annex_markers(self, heading):
        statute = parse(f"第一条 甲。\n\n{heading}\n\n附件内容。")
        assert statute.provisions[0].text == "甲。"
        assert statute.annex[-1] == "附件内容。"

    @pytest.mark.parametrize(
        "line",
        [
            "附件三所列全国性法律的增减，由常委会决定。",
            "附带民事诉讼的当事人可以上诉。",
            "附加刑也可以独立适用。",
            "附利息的债权停止计息。",
        ],
    )
    def test_text_starting_with_fu_is_ordinary_text(self, line):
        statute = parse(f"第一条 甲。\n\n{line}\n\n第二条 乙。")
        assert statute.provisions[0].text.splitlines() == ["甲。", line]
        assert statute.annex == []

    def test_fuze_heading_is_a_chapter_not_an_annex(self):
        statute = parse("第一条 甲。\n\n## 附则\n\n第二条 乙。")
        assert statute.provisions[1].chapter == "附则"
        assert statute.annex == []

    def test_footnotes_are_notes_not_paragraphs(self):
        statute = parse("第四百五十二条 本法自1997年10月1日起施行。①\n\n① 施行日期分别依据各法律确定。")
        assert statute.provisions[0].text == "本法自1997年10月1日起施行。①"
        assert statute.notes == ["① 施行日期分别依据各法律确定。"]

    def test_a_file_without_provisions_keeps_its_text(self):
        statute = parse("一、将第五条修改为：“……”\n\n二、本决定自公布之日起施行。")
        assert statute.provisions == []
        assert statute.preamble == ["一、将第五条修改为：“……”", "二、本决定自公布之日起施行。"]


class TestHeader:
    def test_title_part_and_history(self):
        text = statute_text(
            "中华人民共和国民法典",
            "第九百八十九条 甲。",
            part="人格权编",
            history="2020年5月28日 第十三届全国人民代表大会第三次会议通过\n\n2021年1月1日 施行",
        )
        statute = parse_statute(text)
        assert statute.title == "中华人民共和国民法典"
        assert statute.part_title == "人格权编"
        assert statute.provisions[0].part == "人格权编"
        assert statute.history_dates == [
            (datetime.date(2020, 5, 28), "第十三届全国人民代表大会第三次会议通过"),
            (datetime.date(2021, 1, 1), "施行"),
        ]

    def test_a_wrapped_history_line_is_joined(self):
        statute = parse(
            "第一条 甲。", history="2014年7月29日 《国务院关于修改部分\n行政法规的决定》第一次修订"
        )
        assert statute.history == ["2014年7月29日 《国务院关于修改部分行政法规的决定》第一次修订"]

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("", "empty"),
            ("第一条 甲。", "title"),
            ("# 测试法\n\n第一条 甲。", "INFO END"),
        ],
    )
    def test_broken_files_raise(self, text, message):
        with pytest.raises(StatuteFormatError, match=message):
            parse_statute(text)

    def test_parse_file_takes_the_date_from_the_file_name_and_refuses_non_utf8(self, tmp_path):
        good = tmp_path / "电信条例(2016-02-06).md"
        good.write_text(statute_text("中华人民共和国电信条例", "第一条 甲。"), encoding="utf-8")
        assert parse_file(good).file_date == datetime.date(2016, 2, 6)
        bad = tmp_path / "坏文件.md"
        bad.write_bytes(statute_text("测试法", "第一条 甲。").encode("gb18030"))
        with pytest.raises(StatuteFormatError, match="UTF-8"):
            parse_file(bad)
