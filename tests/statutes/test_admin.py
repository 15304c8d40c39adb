import pytest
from django.urls import reverse

from statutes.citations import parse_citation_search
from statutes.models import Provision
from tests.helpers import make_law, make_provisions

pytestmark = pytest.mark.django_db


@pytest.fixture
def library():
    civil_code = make_law("中华人民共和国民法典")
    make_provisions(civil_code, 3)
    Provision.objects.create(law=civil_code, number=1032, text="自然人享有隐私权。", order=4)
    criminal_law = make_law("中华人民共和国刑法")
    Provision.objects.create(law=criminal_law, number=253, suffix=1, text="侵犯公民个人信息。", order=1)
    Provision.objects.create(law=criminal_law, number=1032, text="不存在的条，只为同号。", order=2)
    return civil_code, criminal_law


class TestLawAdmin:
    def test_changelist_searches_titles_and_filters(self, admin_client, library):
        url = reverse("admin:statutes_law_changelist")
        content = admin_client.get(url, {"q": "刑法"}).content.decode()
        assert "中华人民共和国刑法" in content and "中华人民共和国民法典" not in content
        assert admin_client.get(url, {"level__exact": "法律", "status__exact": "现行有效"}).status_code == 200

    def test_change_page_lists_the_provisions(self, admin_client, library):
        civil_code, _ = library
        content = admin_client.get(
            reverse("admin:statutes_law_change", args=[civil_code.pk])
        ).content.decode()
        assert "第一千零三十二条" in content and "自然人享有隐私权。" in content
        provision = civil_code.provisions.get(key="1032")
        assert reverse("admin:statutes_provision_change", args=[provision.pk]) in content


class TestProvisionAdmin:
    @pytest.mark.parametrize(
        ("term", "expected"),
        [
            ("民法典 1032", ("民法典", 1032)),
            ("民法典第一千零三十二条", ("民法典", 1032)),
            ("《民法典》第1032条", ("民法典", 1032)),
            ("刑法253条之一", ("刑法", 253)),
        ],
    )
    def test_citation_search_finds_the_provision_first(self, admin_client, library, term, expected):
        response = admin_client.get(reverse("admin:statutes_provision_changelist"), {"q": term})
        results = list(response.context["cl"].result_list)
        assert [(p.law.short_title, p.number) for p in results] == [expected]

    def test_plain_words_search_the_text(self, admin_client, library):
        response = admin_client.get(reverse("admin:statutes_provision_changelist"), {"q": "隐私权"})
        assert [p.key for p in response.context["cl"].result_list] == ["1032"]

    def test_change_page_renders(self, admin_client, library):
        provision = Provision.objects.get(key="253-1")
        response = admin_client.get(reverse("admin:statutes_provision_change", args=[provision.pk]))
        assert response.status_code == 200 and "第二百五十三条之一" in response.content.decode()


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("民法典 1032", ("民法典", 1032, 0)),
        ("刑法第二百五十三条之一", ("刑法", 253, 1)),
        ("1032", ("", 1032, 0)),
        ("隐私权", None),
        ("民法典", None),
        ("第十条款", None),
    ],
)
def test_parse_citation_search(term, expected):
    assert parse_citation_search(term) == expected
