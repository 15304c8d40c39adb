import pytest

from articles.markdown import render_markdown, summarize


class TestRendering:
    def test_extra_sane_lists_and_tables(self):
        html = render_markdown(
            "## 建议参考\n\n1. 保留证据\n2. 投诉\n\n| 项目 | 标准 |\n|---|---|\n| 加班 | 150% |\n\n**重点**"
        )
        assert "<ol>" in html and "<li>保留证据</li>" in html
        assert "<table>" in html and "<td>150%</td>" in html
        assert "<strong>重点</strong>" in html

    def test_no_heading_takes_an_id_of_the_page_and_in_body_links_follow(self):
        html = render_markdown(
            "## 搜索 {#search-q}\n\n## 建议参考\n\n[见上文](#search-q) [见建议](#建议参考) [#](#)"
        )
        assert 'id="search-q"' not in html and '<h2 id="s-search-q">搜索</h2>' in html
        assert 'href="#s-search-q"' in html and 'href="#s-建议参考"' in html

    def test_chinese_headings_get_unicode_anchors(self):
        html = render_markdown("## 建议参考\n\n## 小编总结")
        assert '<h2 id="s-建议参考">建议参考</h2>' in html
        assert '<h2 id="s-小编总结">小编总结</h2>' in html

    def test_a_body_h1_is_demoted_below_the_page_title(self):
        html = render_markdown("# 大标题")
        assert "<h1" not in html and "<h2" in html


class TestSanitizing:
    @pytest.mark.parametrize(
        ("source", "forbidden"),
        [
            ("<script>alert(1)</script>", "<script"),
            ('<img src="x" onerror="alert(1)">', "onerror"),
            ('<a href="#" onclick="steal()">点我</a>', "onclick"),
            ("[点我](javascript:alert(1))", "javascript:"),
            ('<a href="JaVaScRiPt:alert(1)">x</a>', "javascript:"),
            ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "data:"),
            ('<iframe src="https://evil.example"></iframe>', "<iframe"),
            ("<svg onload=alert(1)></svg>", "<svg"),
            ('<p style="background:url(javascript:alert(1))">x</p>', "style="),
            ("<style>body{display:none}</style>", "<style"),
            ('<form action="https://evil.example"><input name="pw"></form>', "<form"),
            ("<object data=x></object>", "<object"),
        ],
    )
    def test_dangerous_markup_never_survives(self, source, forbidden):
        html = render_markdown(source)
        assert forbidden.lower() not in html.lower()

    def test_plain_links_stay_and_get_rel(self):
        html = render_markdown("[国家法律法规数据库](https://flk.npc.gov.cn)")
        assert 'href="https://flk.npc.gov.cn"' in html
        assert 'rel="noopener noreferrer nofollow"' in html


class TestSummary:
    def test_takes_the_opening_before_the_first_heading(self):
        html = render_markdown("第一段。\n\n第二段。\n\n## 小标题\n\n另一节。")
        assert summarize(html) == "第一段。第二段。"
        assert summarize(render_markdown("## 小标题\n\n第一节的话。")) == "第一节的话。"

    def test_reads_on_into_a_list_as_a_reader_does(self):
        html = render_markdown(
            "借款前问自己：\n\n- 利率是否过高；\n- 合同是否写明。\n\n也就是说，要小心。\n\n## 小编总结\n\n别处。"
        )
        assert summarize(html) == "借款前问自己：利率是否过高；合同是否写明。也就是说，要小心。"

    def test_cuts_long_text_at_a_sentence_end(self):
        html = render_markdown("这是一句很长的话，" * 10 + "结束。" + "后面还有很多内容。" * 20)
        summary = summarize(html)
        assert len(summary) <= 120 and summary.endswith(("。", "…"))

    def test_text_is_unescaped_plain_text(self):
        assert summarize(render_markdown("A &amp; B <b>粗体</b>")) == "A & B 粗体"
