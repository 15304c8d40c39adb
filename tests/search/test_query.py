import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.search.elastic import lucene_query
from kb.search.query import MAX_QUERY_LENGTH, Term, normalize_query, understand
from statutes.citations import find_citation

LAW_NAMES = sorted(
    ["民法典", "刑法", "电信条例", "个人信息保护法", "中华人民共和国民法典"], key=len, reverse=True
)


class TestNormalize:
    def test_full_width_traditional_and_whitespace(self):
        assert normalize_query("  網貸逾期　會爆通訊錄嗎？ＡＢＣ１２３ ")[0] == "网贷逾期 会爆通讯录吗?abc123"

    def test_length_cap_is_reported(self):
        text, truncated = normalize_query("债" * 500)
        assert truncated and len(text) == MAX_QUERY_LENGTH


class TestCitations:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("民法典第1032条", ("民法典", 1032, 0)),
            ("民法典1032", ("民法典", 1032, 0)),
            ("刑法第二百五十三条之一", ("刑法", 253, 1)),
            ("电信条例65条", ("电信条例", 65, 0)),
            ("《中华人民共和国民法典》第一千零三十二条规定了什么", ("中华人民共和国民法典", 1032, 0)),
            ("个人信息保护法第十条怎么理解", ("个人信息保护法", 10, 0)),
        ],
    )
    def test_recognized(self, text, expected):
        citation = find_citation(text, LAW_NAMES)
        assert (citation.law_name, citation.number, citation.suffix) == expected

    @pytest.mark.parametrize("text", ["网贷逾期会爆通讯录吗", "民法典规定了什么", "刑法修正案", "1032"])
    def test_not_citations(self, text):
        assert find_citation(text, LAW_NAMES) is None


def test_everyday_words_bring_legal_terms():
    query = understand("老公欠钱不还怎么办")
    assert "配偶" in query.expansions and "借款" in query.expansions


def test_the_questions_vector_may_take_the_legal_terms_of_its_everyday_words(settings):
    """公司不给加班费: USE does not tie 加班费 to 延长工作时间 by itself (the question was judged to have
    no answer here); with KB_MEANING_TERMS its vector takes the whole legal terms too."""
    from kb.search.selectors import meaning_text

    query = understand("公司不给加班费怎么办")
    assert "延长工作时间" in query.legal_terms and "加班费" not in query.legal_terms  # already in the words
    settings.KB_MEANING_TERMS = False
    assert meaning_text(query) == "公司不给加班费"
    settings.KB_MEANING_TERMS = True
    assert meaning_text(query).startswith("公司不给加班费 ") and "延长工作时间" in meaning_text(query)
    assert meaning_text(understand("无人机航拍")) == "无人机航拍"  # no everyday word: as it is


SAFE_TERM = set("abcdefghijklmnopqrstuvwxyz0123456789")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_no_input_becomes_query_syntax(raw):
    query = understand(raw)
    for text in [*query.words, *query.bigrams, *query.expansions]:
        assert text and all(
            ch in SAFE_TERM or "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text
        ), text
    rendered = lucene_query([Term("text", word) for word in query.words])  # what Elasticsearch reads
    assert '"' not in rendered and "*" not in rendered and "'" not in rendered


def test_filler_that_only_asks_how_the_question_ends_is_not_searched():
    """会被抓吗, 怎么办, 可不可以 (data/filler.txt) decided too much (issue 21): the question is searched
    and embedded without them, and shown as typed."""
    plain = understand("网贷逾期会爆通讯录吗")
    padded = understand("网贷逾期会爆通讯录吗？会被抓吗？怎么办？")
    assert padded.words == plain.words and padded.bigrams == plain.bigrams
    assert padded.text == "网贷逾期会爆通讯录吗?会被抓吗?怎么办?" and "被抓" not in padded.core
    assert understand("公司不签劳动合同可不可以").words == understand("公司不签劳动合同").words
    only_filler = understand("怎么办")
    assert only_filler.core == "怎么办"  # nothing else to search: the text as it is
