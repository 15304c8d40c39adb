import datetime
import importlib
import json

import pytest
from django.apps import apps
from django.core.management import call_command

from statutes.collation import initial, title_pinyin
from statutes.models import Law
from tests.helpers import make_law


class TestTitlePinyin:
    def test_spells_each_syllable_with_its_tone(self):
        assert title_pinyin("民法典") == "min2 fa3 dian3"

    def test_reads_words_as_words(self):
        # 银行 is yin hang, not yin xing; 长江 chang jiang; 会计 kuai ji.
        assert title_pinyin("银行业监督管理法").startswith("yin2 hang2")
        assert title_pinyin("长江保护法").startswith("chang2 jiang1")
        assert title_pinyin("会计法").startswith("kuai4 ji4")

    def test_orders_like_a_dictionary(self):
        titles = ["先行法", "西安法", "民法典", "安全生产法", "爱国主义教育法", "马法", "吗法", "麻法"]
        ordered = sorted(titles, key=title_pinyin)
        # ai before an; 西安 (xi an) before 先 (xian); tones in order for one syllable: 麻 ma2, 马 ma3, 吗 ma5.
        assert ordered == [
            "爱国主义教育法",
            "安全生产法",
            "麻法",
            "马法",
            "吗法",
            "民法典",
            "西安法",
            "先行法",
        ]

    def test_punctuation_is_no_part_of_the_order(self):
        assert title_pinyin("关于适用《民法典》的解释") == title_pinyin("关于适用民法典的解释")

    def test_digits_and_latin_letters_are_kept(self):
        assert title_pinyin("2018年WTO规则") == "2018 nian2 wto gui1 ze2"

    def test_initial_is_a_capital_letter_or_hash(self):
        assert initial("min2 fa3 dian3") == "M"
        assert initial("2018 nian2") == "#"
        assert initial("") == "#"


@pytest.mark.django_db
class TestLawTitlePinyin:
    def test_derived_from_the_short_title_on_save(self):
        law = make_law("中华人民共和国民法典")
        law.refresh_from_db()
        # Under M, as readers look for it, not under Z with every 中华人民共和国…
        assert law.title_pinyin == "min2 fa3 dian3" and law.title_initial == "M"

    def test_follows_a_title_saved_alone(self):
        law = make_law("中华人民共和国民法典")
        law.short_title = "刑法"
        law.save(update_fields=["short_title"])
        law.refresh_from_db()
        assert law.title_pinyin == "xing2 fa3"

    def test_derived_for_laws_loaded_from_a_fixture(self, tmp_path):
        # loaddata (the demo fixture, a restored backup) saves raw, without Law.save.
        fixture = tmp_path / "laws.json"
        law = {"title": "中华人民共和国电信条例", "short_title": "电信条例", "promulgated_on": "2016-02-06"}
        fixture.write_text(json.dumps([{"model": "statutes.law", "fields": law}], ensure_ascii=False))
        call_command("loaddata", str(fixture), verbosity=0)
        assert Law.objects.get(short_title="电信条例").title_pinyin == "dian4 xin4 tiao2 li4"

    def test_the_migration_fills_laws_stored_before(self):
        make_law("中华人民共和国民法典")
        make_law("中华人民共和国刑法", promulgated_on=datetime.date(2020, 12, 26))
        Law.objects.update(title_pinyin="")
        migration = importlib.import_module("statutes.migrations.0003_law_title_pinyin")
        migration.fill_title_pinyin(apps, None)
        assert dict(Law.objects.values_list("short_title", "title_pinyin")) == {
            "民法典": "min2 fa3 dian3",
            "刑法": "xing2 fa3",
        }

    def test_title_prefix_is_what_comes_before_the_short_title(self):
        assert make_law("中华人民共和国民法典").title_prefix == "中华人民共和国"
        assert make_law("电信条例", promulgated_on=datetime.date(2016, 2, 6)).title_prefix == ""
        quoted = make_law(
            "关于适用《中华人民共和国民法典》时间效力的若干规定",
            short_title="关于适用《民法典》时间效力的若干规定",
        )
        assert quoted.title_prefix == ""
