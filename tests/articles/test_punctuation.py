"""Half-width punctuation typed in Chinese text: what the editor's hint points out and its one click fixes."""

import pytest

from articles import editor
from articles.punctuation import full_width, half_width_marks


@pytest.mark.parametrize(
    ("typed", "fixed"),
    [
        ("网贷逾期违法吗?网贷逾期是否违法", "网贷逾期违法吗？网贷逾期是否违法"),
        ("如下:第一,第二;好!", "如下：第一，第二；好！"),
        ("**注意**:催收不得骚扰", "**注意**：催收不得骚扰"),  # through Markdown's emphasis
        ("民法典(2020年)规定", "民法典（2020年）规定"),
        ("(一)反对宪法所确定的基本原则的", "（一）反对宪法所确定的基本原则的"),
        ("网址:https://www.example.com/a?b=1,2 见上", "网址：https://www.example.com/a?b=1,2 见上"),
    ],
)
def test_marks_in_chinese_become_full_width(typed, fixed):
    assert full_width(typed) == fixed


@pytest.mark.parametrize(
    "left_alone",
    [
        "共1,000元，10:30前还款",  # numbers
        "代码 `a,b:c` 与 ```x?y```",  # code spans
        "```\n代码,不动:\n```",  # a fenced block
        "说明：\n\n    缩进的代码,不动:\n",  # an indented block
        "见 https://example.com/path?q=借款,逾期 与 <https://example.com/a:b>",  # URLs
        "[合同法](https://example.com/law(1),2) 和 ![图片](a.png)所示",  # link targets, an image's !
        '<abbr title="a,b">缩写</abbr>',  # HTML
        "Hello, world: ok? f(x)!",  # no Chinese beside them
        "| 列一 | 列二 |\n|:---|---:|",  # a table's alignment
    ],
)
def test_code_urls_numbers_and_markdown_syntax_are_left_alone(left_alone):
    assert half_width_marks(left_alone) == []
    assert full_width(left_alone) == left_alone


def test_the_preview_lists_each_mark_where_the_browser_finds_it(editor_client):
    body = "😀 违法吗?\r\n\r\n`a,b` 共1,000元,如下:"
    answer = editor_client.post(
        "/admin/articles/article/preview/", {"body": body, "title": "违法吗?好"}
    ).json()
    in_browser = body.replace("\r\n", "\n").encode("utf-16-le")
    found = [
        (in_browser[mark["start"] * 2 : mark["end"] * 2].decode("utf-16-le"), mark["replacement"])
        for mark in answer["punctuation"]
    ]
    assert found == [("?", "？"), (",", "，"), (":", "：")]
    assert answer["punctuation"][0]["context"] == "😀 违法吗? `a,b"  # six characters each side, one line
    assert [(mark["start"], mark["replacement"]) for mark in answer["title_punctuation"]] == [(3, "？")]


def test_many_marks_stay_quick_and_bounded():
    fixes = editor.punctuation_fixes("中,文" * 20_000)
    assert len(fixes) == editor.MAX_PUNCTUATION and fixes[-1].start == 3 * (editor.MAX_PUNCTUATION - 1) + 1
