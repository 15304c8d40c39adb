import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from statutes.models import Law, Provision, Status
from tests.helpers import make_law, make_provisions

pytestmark = pytest.mark.django_db


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def civil_code():
    law = make_law(
        "中华人民共和国民法典",
        level="法律",
        promulgated_on=datetime.date(2020, 5, 28),
        effective_on=datetime.date(2021, 1, 1),
        history="2020年5月28日 通过\n2021年1月1日 施行",
    )
    Provision.objects.bulk_create(
        [
            Provision(
                law=law,
                number=1032,
                label="第一千零三十二条",
                key="1032",
                order=1,
                part="第四编 人格权",
                chapter="第六章 隐私权和个人信息保护",
                text="自然人享有隐私权。\n本法所称隐私，是自然人的私人生活安宁。",
            ),
            Provision(
                law=law,
                number=1033,
                label="第一千零三十三条",
                key="1033",
                order=2,
                part="第四编 人格权",
                chapter="第六章 隐私权和个人信息保护",
                text="除法律另有规定外，任何组织或者个人不得实施下列行为：\n（一）以电话、短信侵扰他人；",
            ),
            Provision(
                law=law,
                number=1260,
                label="第一千二百六十条",
                key="1260",
                order=3,
                part="附则",
                text="本法自2021年1月1日起施行。",
            ),
        ]
    )
    return law


class TestLawList:
    def test_groups_current_laws_by_level_with_counts(self, client, civil_code):
        make_law("中华人民共和国电信条例", level="行政法规")
        make_law(
            "中华人民共和国电信条例",
            level="行政法规",
            is_current=False,
            status=Status.AMENDED,
            promulgated_on=datetime.date(2000, 9, 25),
        )
        response = client.get(reverse("statutes:law_list"))
        content = response.content.decode()
        assert response.status_code == 200
        assert content.index("<h2>法律</h2>") < content.index("<h2>行政法规</h2>")
        assert "民法典" in content and "3 条" in content
        assert '法律 <span class="muted">1 部</span>' in content
        assert content.count("电信条例</a>") == 1
        with_versions = client.get(reverse("statutes:law_list"), {"versions": "all"}).content.decode()
        assert with_versions.count("电信条例</a>") == 2

    def test_filters_by_title_and_level(self, client, civil_code):
        make_law("中华人民共和国电信条例", level="行政法规")
        content = client.get(reverse("statutes:law_list"), {"q": "电信"}).content.decode()
        assert "电信条例</a>" in content and "民法典</a>" not in content
        content = client.get(reverse("statutes:law_list"), {"level": "法律"}).content.decode()
        assert "民法典</a>" in content and "电信条例</a>" not in content

    def test_laws_run_in_pinyin_order_within_each_level(self, client, civil_code):
        for title in ["中华人民共和国刑法", "中华人民共和国安全生产法", "中华人民共和国行政诉讼法"]:
            make_law(title, level="法律")
        make_law("中华人民共和国电信条例", level="行政法规")
        make_law("艾滋病防治条例", level="行政法规")
        content = client.get(reverse("statutes:law_list")).content.decode()
        order = [
            "安全生产法</a>",
            "民法典</a>",
            "刑法</a>",
            "行政诉讼法</a>",
            "<h2>行政法规</h2>",
            "艾滋病防治条例</a>",
        ]
        positions = [content.index(title) for title in [*order, "电信条例</a>"]]
        assert positions == sorted(positions)
        # 中华人民共和国 is shown, lighter, but is no part of the order: the list says so.
        assert '<span class="law-title__prefix">中华人民共和国</span>民法典' in content
        assert "排在 M" in content

    def test_a_long_level_lists_its_laws_under_their_initials(self, client):
        titles = [f"{first}{number}法" for first in "安保民刑" for number in "一二三四五六"]
        for title in titles:
            make_law(title, level="法律")
        content = client.get(reverse("statutes:law_list")).content.decode()
        assert '<h3 class="law-initial" id="level-1-M">M</h3>' in content
        assert '<a href="#level-1-X">X</a>' in content
        positions = [content.index(f'id="level-1-{letter}"') for letter in "ABMX"]
        assert positions == sorted(positions)
        assert content.index('id="level-1-M"') < content.index("民一法") < content.index('id="level-1-X"')

    def test_no_initials_where_one_letter_holds_most_of_a_level(self, client):
        for number in range(25):
            make_law(f"最高人民法院关于第{number}号问题的解释", level="司法解释")
        make_law("人民法院诉讼规则", level="司法解释")
        content = client.get(reverse("statutes:law_list")).content.decode()
        assert "law-initial" not in content and "initial-index" not in content

    def test_odd_filters_are_harmless(self, client, civil_code):
        for params in ({"q": "x" * 5000}, {"level": "<script>"}, {"q": "%' OR 1=1 --"}, {"q": "\x00"}):
            response = client.get(reverse("statutes:law_list"), params)
            assert response.status_code == 200
        content = client.get(reverse("statutes:law_list"), {"q": "<b>民法</b>"}).content.decode()
        assert "<b>民法</b>" not in content and "没有找到" in content

    def test_query_count_does_not_grow_with_the_number_of_laws(self, client):
        make_law("甲法")
        few = queries_for(client, reverse("statutes:law_list"))
        for number in range(30):
            make_provisions(make_law(f"测试法{number}"), 3)
        assert queries_for(client, reverse("statutes:law_list")) == few


class TestLawDetail:
    def test_shows_title_status_dates_toc_and_all_provisions(self, client, civil_code):
        response = client.get(civil_code.get_absolute_url())
        content = response.content.decode()
        assert "<h1>中华人民共和国民法典</h1>" in content
        assert "现行有效" in content and "2021年1月1日" in content
        assert 'href="#h1">第四编 人格权</a>' in content
        assert 'href="#h2">第六章 隐私权和个人信息保护</a>' in content
        assert 'href="#h3">附则</a>' in content
        assert 'id="h2">第六章 隐私权和个人信息保护</h2>' in content
        for label in ("第一千零三十二条", "第一千零三十三条", "第一千二百六十条"):
            assert label in content
        assert '<p class="item">（一）以电话、短信侵扰他人；</p>' in content
        assert f'href="/statutes/{civil_code.pk}/1032/"' in content

    def test_an_older_version_points_to_the_current_one(self, client, civil_code):
        old = make_law(
            "中华人民共和国民法典",
            is_current=False,
            status=Status.AMENDED,
            promulgated_on=datetime.date(2019, 1, 1),
        )
        content = client.get(old.get_absolute_url()).content.decode()
        assert "本页为历史版本" in content and civil_code.get_absolute_url() in content
        assert "<summary>全部 2 个版本</summary>" in content

    def test_query_count_does_not_grow_with_the_size_of_the_law(self, client):
        small = make_law("小法")
        make_provisions(small, 3, chapter_every=2)
        large = make_law("大法")
        make_provisions(large, 300, chapter_every=20)
        assert queries_for(client, large.get_absolute_url()) == queries_for(client, small.get_absolute_url())

    def test_unknown_law_is_404(self, client):
        response = client.get("/statutes/987654/")
        assert response.status_code == 404
        assert "页面不存在" in response.content.decode()


class TestProvisionDetail:
    def test_shows_label_text_breadcrumb_status_and_neighbours(self, client, civil_code):
        provision = civil_code.provisions.get(key="1033")
        content = client.get(provision.get_absolute_url()).content.decode()
        assert "<h1>第一千零三十三条</h1>" in content
        assert '<p class="item">（一）以电话、短信侵扰他人；</p>' in content
        assert "第四编 人格权 › 第六章 隐私权和个人信息保护 › 第一千零三十三条" in content
        assert f'rel="prev" href="/statutes/{civil_code.pk}/1032/"' in content
        assert f'rel="next" href="/statutes/{civil_code.pk}/1260/"' in content
        assert "现行有效" in content
        assert "引用本条的文章" in content

    def test_suffixed_keys_in_urls(self, client):
        law = make_law("中华人民共和国刑法")
        Provision.objects.create(law=law, number=253, suffix=1, text="侵犯公民个人信息。", order=1)
        response = client.get(f"/statutes/{law.pk}/253-1/")
        assert response.status_code == 200
        assert "第二百五十三条之一" in response.content.decode()

    @pytest.mark.parametrize("key", ["9999", "1032-1", "0", "abc", "1032-0", "99999"])
    def test_unknown_or_malformed_keys_are_404(self, client, civil_code, key):
        assert client.get(f"/statutes/{civil_code.pk}/{key}/").status_code == 404

    def test_query_count_is_constant(self, client):
        small = make_law("小法")
        make_provisions(small, 3)
        large = make_law("大法")
        make_provisions(large, 300)
        assert queries_for(client, large.provisions.get(key="150").get_absolute_url()) == queries_for(
            client, small.provisions.get(key="2").get_absolute_url()
        )


def test_repealed_law_is_flagged(client):
    law = make_law("旧解释", status=Status.REPEALED)
    make_provisions(law, 1)
    assert "本法规已废止" in client.get(law.get_absolute_url()).content.decode()
    assert Law.objects.in_force().count() == 0
