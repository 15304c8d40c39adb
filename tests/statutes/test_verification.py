"""Quotes that run straight on after a reference, and quotes of an older version of a law."""

import datetime

import pytest

from statutes.models import Provision
from statutes.numerals import format_key, format_label
from statutes.verification import check_text, current_counterpart
from tests.helpers import make_law

pytestmark = pytest.mark.django_db

DRUNK_DRIVING = (
    "饮酒后驾驶机动车的，处暂扣六个月机动车驾驶证，并处一千元以上二千元以下罚款。"
    "因饮酒后驾驶机动车被处罚，再次饮酒后驾驶机动车的，处十日以下拘留，并处一千元以上二千元以下罚款，吊销机动车驾驶证。"
)


def provision(law, number: int, text: str) -> Provision:
    return Provision.objects.create(
        law=law, number=number, key=format_key(number), label=format_label(number), text=text, order=number
    )


@pytest.fixture
def traffic_law():
    law = make_law("中华人民共和国道路交通安全法")
    provision(law, 91, DRUNK_DRIVING)
    provision(law, 92, "公路客运车辆载客超过额定乘员的，处二百元以上五百元以下罚款。")
    return law


@pytest.fixture
def company_law_versions():
    """公司法 as amended in 2018 (第十一条 on the articles of association) and as revised in 2023,
    where that rule moved to 第五条 in other words."""
    old = make_law(
        "中华人民共和国公司法",
        is_current=False,
        promulgated_on=datetime.date(2018, 10, 26),
        short_title="公司法",
    )
    new = make_law("中华人民共和国公司法", promulgated_on=datetime.date(2023, 12, 29), short_title="公司法")
    provision(
        old, 11, "设立公司必须依法制定公司章程。公司章程对公司、股东、董事、监事、高级管理人员具有约束力。"
    )
    provision(old, 5, "公司从事经营活动，必须遵守法律。")
    provision(
        new, 5, "设立公司应当依法制定公司章程。公司章程对公司、股东、董事、监事、高级管理人员具有约束力。"
    )
    provision(new, 11, "法定代表人以公司名义从事的民事活动，其法律后果由公司承受。")
    return old, new


class TestRunOnQuotes:
    def test_a_run_on_quote_that_matches_is_confirmed(self, traffic_law):
        text = "法律依据：《中华人民共和国道路交通安全法》第九十一条" + DRUNK_DRIVING[:60] + "……"
        (checked,) = check_text(text, ["道路交通安全法", "中华人民共和国道路交通安全法"])
        assert checked.quote is not None and checked.quote.run_on
        assert checked.quote_matches is True
        assert checked.quote.text.startswith("饮酒后驾驶机动车的")

    def test_a_run_on_quote_of_another_article_is_a_misquote_with_its_source(self, traffic_law):
        text = "《道路交通安全法》第九十二条饮酒后驾驶机动车的，处暂扣六个月机动车驾驶证，并处一千元以上二千元以下罚款。"
        (checked,) = check_text(text, ["道路交通安全法"])
        assert checked.quote_matches is False
        assert checked.suggestion is not None and checked.suggestion.key == "91"

    def test_the_writers_own_words_after_a_reference_are_not_a_quote(self, traffic_law):
        text = "《道路交通安全法》第九十一条则对酒后驾驶的处罚作出了更严格的规定，值得每位司机注意。"
        (checked,) = check_text(text, ["道路交通安全法"])
        assert checked.quote is None and checked.quote_matches is None

    def test_the_quote_ends_where_the_provision_does(self, traffic_law):
        text = "《道路交通安全法》第九十一条" + DRUNK_DRIVING + "所以，喝酒千万不要开车，这是律师的忠告。"
        (checked,) = check_text(text, ["道路交通安全法"])
        assert checked.quote_matches is True
        assert "律师的忠告" not in checked.quote.text and checked.quote.text.endswith("吊销机动车驾驶证。")


class TestOlderVersions:
    def test_a_quote_of_the_older_version_names_it_and_the_current_article(self, company_law_versions):
        old, new = company_law_versions
        text = "《公司法》第十一条规定：“设立公司必须依法制定公司章程。公司章程对公司、股东、董事、监事、高级管理人员具有约束力。”"
        (checked,) = check_text(text, ["公司法"])
        assert checked.reference.law == new
        assert checked.quote_matches is False
        assert checked.suggestion.law == old and checked.suggestion.key == "11"
        assert checked.current is not None and (checked.current.law, checked.current.key) == (new, "5")
        suggestion = checked.as_dict()["suggestion"]
        assert suggestion["version"] == 2018 and suggestion["current"] == {"key": "5", "label": "第五条"}
        # The law's own words before it changed: a quotation of that version, not a misquote.
        assert checked.quotes_older_version and checked.as_dict()["quotes_older_version"]

    def test_a_current_provision_is_preferred_over_an_older_one(self, company_law_versions):
        # Both versions hold this sentence: the current one is suggested, with no older version named.
        _, new = company_law_versions
        text = "《公司法》第十一条规定：“公司章程对公司、股东、董事、监事、高级管理人员具有约束力。”"
        (checked,) = check_text(text, ["公司法"])
        assert checked.quote_matches is False
        assert (checked.suggestion.law, checked.suggestion.key) == (new, "5")
        assert checked.current is None and checked.as_dict()["suggestion"]["version"] is None
        assert not checked.quotes_older_version  # the current text elsewhere: a misquote still

    def test_counterpart_of_a_dropped_article_is_none(self, company_law_versions):
        old, _ = company_law_versions
        dropped = provision(old, 200, "本条在修订时整条删去，现行版本没有相近的规定。")
        assert current_counterpart(dropped) is None
        assert current_counterpart(Provision.objects.get(law=old, key="11")).key == "5"


class TestLookUpsStayBounded:
    """A misquote is looked up in the whole library (a scan of every provision's text): a body that
    repeats one, or holds very many, must not scan the library once per occurrence (issue 20: a
    100,000-character body took 12 s to preview)."""

    MISQUOTE = "《道路交通安全法》第九十二条饮酒后驾驶机动车的，处暂扣六个月机动车驾驶证，并处一千元以上二千元以下罚款。\n\n"

    def counting_finder(self, calls):
        from statutes.verification import provisions_quoting

        def find(quote, law):
            calls.append(quote)
            return provisions_quoting(quote, law)

        return find

    def test_one_misquote_pasted_many_times_is_looked_up_once(self, traffic_law):
        calls = []
        checked = check_text(self.MISQUOTE * 50, ["道路交通安全法"], find_quoted=self.counting_finder(calls))
        assert len(checked) == 50
        assert all(item.quote_matches is False and item.suggestion.key == "91" for item in checked)
        assert len(calls) == 1

    def test_past_the_bound_a_misquote_is_still_reported_without_its_source(self, traffic_law):
        from statutes.verification import MAX_QUOTE_LOOKUPS

        calls = []
        distinct = "".join(
            f"《道路交通安全法》第九十二条规定：“饮酒后驾驶机动车的，处暂扣{n}个月机动车驾驶证，并处罚款。”\n\n"
            for n in range(MAX_QUOTE_LOOKUPS + 10)
        )
        checked = check_text(distinct, ["道路交通安全法"], find_quoted=self.counting_finder(calls))
        assert len(calls) == MAX_QUOTE_LOOKUPS
        assert len(checked) == MAX_QUOTE_LOOKUPS + 10
        assert all(item.quote_matches is False for item in checked)
        assert sum(item.suggestion is not None for item in checked) <= MAX_QUOTE_LOOKUPS
