from kb.search.analysis import (
    ChineseBigramAnalyzer,
    ChineseWordAnalyzer,
    analyze,
    bigram_tokens,
    synonyms,
    word_tokens,
)


class TestWords:
    def test_legal_terms_stay_whole_and_stop_words_go(self):
        terms = analyze(ChineseWordAnalyzer(), "网贷逾期会爆通讯录吗？")
        assert {"网贷", "逾期", "爆通讯录", "通讯录"} <= set(terms)
        assert "吗" not in terms and "会" not in terms

    def test_search_mode_also_gives_the_parts_of_long_words(self):
        terms = analyze(ChineseWordAnalyzer(), "个人信息保护法")
        assert {"个人", "信息", "保护法"} <= set(terms)

    def test_one_character_is_a_term(self):
        assert analyze(ChineseWordAnalyzer(), "债") == ["债"]

    def test_positions_count_tokens_and_offsets_point_into_the_text(self):
        text = "自然人享有隐私权"
        # Whoosh reuses one Token object: copy what each step says.
        tokens = [
            (t.pos, t.startchar, t.endchar, t.text)
            for t in ChineseWordAnalyzer()(text, positions=True, chars=True)
        ]
        assert [pos for pos, *_ in tokens] == list(range(len(tokens)))
        for _, start, end, word in tokens:
            assert text[start:end] == word

    def test_tokenize_false_and_query_mode_pass_values_whole(self):
        assert [t.text for t in ChineseWordAnalyzer()("*", tokenize=False)] == ["*"]
        assert [t.text for t in ChineseWordAnalyzer()("个人信息保护法", mode="query")] == ["个人信息保护法"]

    def test_latin_and_digits(self):
        assert ("1032", 4, 8) in word_tokens("民法典第1032条")


class TestBigrams:
    def test_pairs_without_particles(self):
        assert analyze(ChineseBigramAnalyzer(), "通讯录吗") == ["通讯", "讯录"]
        assert bigram_tokens("债") == [("债", 0, 1)]


def test_synonyms_map_everyday_words_to_legal_terms():
    assert "配偶" in synonyms()["老公"]
    assert "盗窃" in synonyms()["偷东西"]
