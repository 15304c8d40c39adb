"""Finding, resolving and verifying statute references in running text."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from statutes.citations import (
    BACK_REFERENCE_RE,
    LIST_GLUE_RE,
    RANGE_GLUE,
    find_references,
    resolve_references,
)
from statutes.verification import check_text, provisions_quoting, quote_matches

NAMES = sorted(
    [
        "民法典",
        "中华人民共和国民法典",
        "刑法",
        "电信条例",
        "中华人民共和国电信条例",
        "个人信息保护法",
        "民间借贷司法解释",
        "互联网信息服务管理办法",
        "劳动合同法",
        "公司法",
    ],
    key=len,
    reverse=True,
)

# text → [(law as written or from context, number, suffix, paragraph)]
PATTERNS = [
    ("《中华人民共和国电信条例》第六十五条", [("中华人民共和国电信条例", 65, 0, 0)]),
    ("《民法典》第一千零三十二条、第一千零三十三条", [("民法典", 1032, 0, 0), ("民法典", 1033, 0, 0)]),
    ("民法典第1032条", [("民法典", 1032, 0, 0)]),
    ("依民法典1032条", [("民法典", 1032, 0, 0)]),
    ("《民法典》第一千零三十二条第二款", [("民法典", 1032, 0, 2)]),
    ("刑法第二百五十三条之一", [("刑法", 253, 1, 0)]),
    ("《刑法》第253条之1", [("刑法", 253, 1, 0)]),
    ("《民法典》第一千零三十二条至第一千零三十四条", [("民法典", n, 0, 0) for n in (1032, 1033, 1034)]),
    ("《民法典》第1032条到第1034条", [("民法典", n, 0, 0) for n in (1032, 1033, 1034)]),
    ("《民法典》第一千零三十二条和第一千零三十四条", [("民法典", 1032, 0, 0), ("民法典", 1034, 0, 0)]),
    ("《民法典》第一千零三十二条及第一千零三十四条", [("民法典", 1032, 0, 0), ("民法典", 1034, 0, 0)]),
    (
        "《个人信息保护法》第十三条要求同意，第十条禁止非法提供",
        [("个人信息保护法", 13, 0, 0), ("个人信息保护法", 10, 0, 0)],
    ),
    ("《个人信息保护法》规定……本法第十条", [("个人信息保护法", 10, 0, 0)]),
    ("《电信条例》规定，该条例第三十四条", [("电信条例", 34, 0, 0)]),
    ("《电信条例》……上述条例第六十五条", [("电信条例", 65, 0, 0)]),
    (
        "《最高人民法院关于审理民间借贷案件适用法律若干问题的规定》第二十五条",
        [("最高人民法院关于审理民间借贷案件适用法律若干问题的规定", 25, 0, 0)],
    ),
    ("民间借贷司法解释第二十五条", [("民间借贷司法解释", 25, 0, 0)]),
    ("《民法典》第一千零三十二条第二款第三项", [("民法典", 1032, 0, 2)]),
    ("《不存在的法》第三条", [("不存在的法", 3, 0, 0)]),
    ("第一千零三十二条第二款", [("", 1032, 0, 2)]),
    ("《民法典》 第 1032 条", [("民法典", 1032, 0, 0)]),
    ("《民法典》第一编第二章", []),
    ("第三章 劳动合同的解除", []),
    ("没有任何引用的句子。", []),
    # The seed post's own lines.
    (
        "《中华人民共和国电信条例》第三十四条规定:“电信用户依法使用电信的自由",
        [("中华人民共和国电信条例", 34, 0, 0)],
    ),
    (
        "《互联网信息服务管理办法》第十五条规定:“互联网信息服务提供者不得制作",
        [("互联网信息服务管理办法", 15, 0, 0)],
    ),
    ("根据《中华人民共和国民典》第一千零三十二条规定", [("中华人民共和国民典", 1032, 0, 0)]),
    ("根据《中华人民共和国民法典》第一千零三十二条规定", [("中华人民共和国民法典", 1032, 0, 0)]),
    # Items, with or without brackets.
    ("《劳动合同法》第三十八条第一款第（二）项", [("劳动合同法", 38, 0, 1)]),
    ("《劳动合同法》第三十八条第一款第二项", [("劳动合同法", 38, 0, 1)]),
    ("《劳动合同法》第十条第二款", [("劳动合同法", 10, 0, 2)]),
    # Lists: every glue, and 条 listed without 第.
    ("《劳动合同法》第四十七条、第八十七条", [("劳动合同法", 47, 0, 0), ("劳动合同法", 87, 0, 0)]),
    ("《劳动合同法》第三十九条，第四十条", [("劳动合同法", 39, 0, 0), ("劳动合同法", 40, 0, 0)]),
    ("《劳动合同法》第三十九条或者第四十条", [("劳动合同法", 39, 0, 0), ("劳动合同法", 40, 0, 0)]),
    ("《劳动合同法》第三十九条以及第四十条", [("劳动合同法", 39, 0, 0), ("劳动合同法", 40, 0, 0)]),
    ("《劳动合同法》第82条、83条", [("劳动合同法", 82, 0, 0), ("劳动合同法", 83, 0, 0)]),
    ("《民法典》第一千零三十二条、一千零三十三条", [("民法典", 1032, 0, 0), ("民法典", 1033, 0, 0)]),
    ("劳动合同法第82条", [("劳动合同法", 82, 0, 0)]),
    # Ranges with other dashes.
    ("《民法典》第1079条~第1081条", [("民法典", n, 0, 0) for n in (1079, 1080, 1081)]),
    ("《民法典》第一千零七十九条—第一千零八十一条", [("民法典", n, 0, 0) for n in (1079, 1080, 1081)]),
    # Dated titles (the year itself is checked in test_dated_titles_keep_their_year).
    ("《公司法》（2018年修正）第二十条", [("公司法", 20, 0, 0)]),
    ("《公司法》(2018)第二十条", [("公司法", 20, 0, 0)]),
    # 之N with a paragraph; words between the law and its 条.
    ("《刑法》第二百八十七条之二第一款", [("刑法", 287, 2, 1)]),
    ("《民法典》中的第一千零三十二条", [("民法典", 1032, 0, 0)]),
    ("《民法典》第五百八十五条之规定", [("民法典", 585, 0, 0)]),
    ("《刑法》规定，前述法律第二百五十三条之一", [("刑法", 253, 1, 0)]),
    # Several laws in one sentence.
    ("《民法典》第一千零三十二条；《刑法》第二百五十三条之一", [("民法典", 1032, 0, 0), ("刑法", 253, 1, 0)]),
    (
        "《民法典》第一千零三十二条、《个人信息保护法》第十三条",
        [("民法典", 1032, 0, 0), ("个人信息保护法", 13, 0, 0)],
    ),
    ("依据民法典第一千零三十二条和刑法第二百五十三条之一", [("民法典", 1032, 0, 0), ("刑法", 253, 1, 0)]),
    # A longer title is not a shorter known law.
    ("《劳动合同法实施条例》第十条", [("劳动合同法实施条例", 10, 0, 0)]),
    # Not a number: nothing.
    ("《民法典》第〇条", []),
]


@pytest.mark.parametrize(("text", "expected"), PATTERNS)
def test_reference_patterns(text, expected):
    found = [(r.law_name, r.number, r.suffix, r.paragraph) for r in find_references(text, NAMES)]
    assert found == expected


# Every way the grammar joins 条 (statutes.citations.LIST_GLUE_RE), and every 本法/该条例 … it reads.
LIST_GLUES = ["、", "，", ",", "和", "及", "以及", "与", "或者", "或"]
RANGE_GLUES = ["至", "到", "—", "-", "~", "～"]
BACK_REFERENCES = [
    first + kind
    for first in ("本", "该", "上述", "前述", "此")
    for kind in ("法律", "法", "条例", "规定", "办法", "解释", "细则", "决定")
]


def test_the_tables_below_hold_every_glue_and_back_reference_of_the_grammar():
    glues = re.search(r"\(\?P<glue>([^)]*)\)", LIST_GLUE_RE.pattern)[1].split("|")
    assert sorted(glues) == sorted(LIST_GLUES + RANGE_GLUES)
    assert set(RANGE_GLUES) == RANGE_GLUE
    firsts, kinds = (
        group.split("|")
        for group in re.fullmatch(r"\(\?:(.*)\)\(\?:(.*)\)", BACK_REFERENCE_RE.pattern).groups()
    )
    assert sorted(first + kind for first in firsts for kind in kinds) == sorted(BACK_REFERENCES)


@pytest.mark.parametrize("glue", LIST_GLUES)
def test_each_list_glue_gives_the_articles_it_joins(glue):
    text = f"《劳动合同法》第三十九条{glue}第四十条"
    found = find_references(text, NAMES)
    # One run, both 条 of the law written with it (not a second reference to the law named last).
    assert [(r.law_name, r.number, r.explicit_law, r.text) for r in found] == [
        ("劳动合同法", 39, True, text),
        ("劳动合同法", 40, True, text),
    ]
    assert [text[slice(*r.link_span)] for r in found] == ["《劳动合同法》第三十九条", "第四十条"]


@pytest.mark.parametrize("glue", RANGE_GLUES)
def test_each_range_glue_gives_every_article_of_the_range(glue):
    found = find_references(f"《民法典》第1079条{glue}第1081条", NAMES)
    assert [(r.law_name, r.number) for r in found] == [("民法典", n) for n in (1079, 1080, 1081)]
    assert [r.link_span is None for r in found] == [False, True, False]  # the 条 inside is not written


@pytest.mark.parametrize("back", BACK_REFERENCES)
def test_each_back_reference_means_the_law_named_last(back):
    text = f"《民法典》第一千零三十二条……《电信条例》规定，{back}第六十五条"
    found = find_references(text, NAMES)
    assert [(r.law_name, r.number, r.explicit_law) for r in found] == [
        ("民法典", 1032, True),
        ("电信条例", 65, False),
    ]
    assert found[1].text == text[slice(*found[1].link_span)] == f"{back}第六十五条"  # linked with its 本法


def test_dated_titles_keep_their_year():
    (reference,) = find_references("《公司法》（2018年修正）第二十条", NAMES)
    assert (reference.law_name, reference.year, reference.number) == ("公司法", 2018, 20)


def test_spans_cover_the_reference_as_written():
    text = "依照《中华人民共和国电信条例》第三十四条规定：“……”"
    (reference,) = find_references(text, NAMES)
    assert reference.text == "《中华人民共和国电信条例》第三十四条"
    assert text[reference.start : reference.end] == reference.text


def test_quotes_compare_without_punctuation_and_across_ellipses():
    provision = "除法律另有规定外，任何组织或者个人不得实施下列行为：（一）以电话、短信、即时通讯工具等方式侵扰他人的私人生活安宁；"
    assert quote_matches("任何组织或者个人不得实施下列行为:(一)以电话,短信", provision)
    assert quote_matches("以电话、短信……侵扰他人的私人生活安宁", provision)
    assert not quote_matches("电信用户依法使用电信的自由和通信秘密受法律保护", provision)


@pytest.mark.django_db
class TestWithTheLibrary:
    @pytest.fixture(autouse=True)
    def demo_statutes(self):
        call_command("loaddata", "fixtures/demo_statutes.json", verbosity=0)

    def test_resolution_and_numbers_beyond_the_last_article(self):
        from statutes.citations import known_law_names

        references = resolve_references(
            find_references(
                "《电信条例》第六十五条；《电信条例》第九十九条；《不存在的法》第三条", known_law_names()
            )
        )
        assert [r.resolved for r in references] == [True, False, False]
        assert references[0].provision.law.title == "中华人民共和国电信条例"
        assert references[1].problem.startswith("beyond the last article")
        assert references[2].problem == "unknown law"

    def test_a_misquote_is_traced_in_the_database_even_where_punctuation_differs(self):
        # The provision has a full stop after 保护 and a comma after 需要; the quote has neither.
        quote = "电信用户依法使用电信的自由和通信秘密受法律保护除因国家安全或者追查刑事犯罪的需要由公安机关"
        found = provisions_quoting(quote)
        assert (found.law.short_title, found.key) == ("电信条例", "65")
        assert provisions_quoting("这句话在法规库里根本不存在也不会被找到") is None

    def test_a_caller_may_bring_its_own_finder(self):
        asked = []
        text = "《电信条例》第三十四条规定：“电信用户依法使用电信的自由和通信秘密受法律保护”"
        (checked,) = check_text(text, ["电信条例"], find_quoted=lambda quote, law: asked.append((quote, law)))
        assert checked.quote_matches is False and checked.suggestion is None
        assert asked == [("电信用户依法使用电信的自由和通信秘密受法律保护", checked.reference.law)]

    def test_the_seed_post_misquotes_article_34_which_is_65(self):
        seed = Path(__file__).resolve().parents[3] / "shared" / "seed" / "lawyer-qa-post.txt"
        text = (
            seed.read_text(encoding="utf-8")
            if seed.exists()
            else (
                "《中华人民共和国电信条例》第三十四条规定:“电信用户依法使用电信的自由和通信秘密受法律保护,除因国家安全"
                "或者追查刑事犯罪的需要,由公安机关、国家安全机关或者人民检察院依照法律规定的程序对电信内容进行检查外,"
                "任何组织或者个人不得以任何理由对电信内容进行检查。”"
            )
        )
        checked = {item.reference.key: item for item in check_text(text) if item.reference.law}
        telecom = checked["34"]
        assert telecom.reference.law.short_title == "电信条例"
        assert telecom.quote_matches is False
        assert telecom.suggestion is not None and telecom.suggestion.key == "65"
