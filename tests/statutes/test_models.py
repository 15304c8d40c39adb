import datetime

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from statutes.models import Law, Provision
from tests.helpers import make_law, make_provisions

pytestmark = pytest.mark.django_db


class TestLaw:
    def test_current_returns_only_the_latest_versions(self):
        make_law(is_current=False, promulgated_on=datetime.date(2018, 1, 1))
        latest = make_law(promulgated_on=datetime.date(2023, 1, 1))
        assert list(Law.objects.current()) == [latest]

    def test_a_title_has_at_most_one_current_version(self):
        make_law(promulgated_on=datetime.date(2018, 1, 1))
        with pytest.raises(IntegrityError), transaction.atomic():
            make_law(promulgated_on=datetime.date(2023, 1, 1))

    def test_a_version_is_unique_by_title_and_date(self):
        make_law(is_current=False)
        with pytest.raises(IntegrityError), transaction.atomic():
            make_law(is_current=False)

    def test_natural_key_round_trip(self):
        law = make_law()
        assert Law.objects.get_by_natural_key(*law.natural_key()) == law


class TestProvision:
    def test_save_derives_label_and_key(self):
        law = make_law()
        provision = Provision.objects.create(law=law, number=253, suffix=1, text="甲。", order=1)
        assert (provision.label, provision.key) == ("第二百五十三条之一", "253-1")
        assert provision.get_absolute_url() == f"/statutes/{law.pk}/253-1/"
        assert Provision.objects.get_by_natural_key(*provision.natural_key()) == provision

    def test_number_and_suffix_are_unique_within_a_law(self):
        law = make_law()
        make_provisions(law, 1)
        with pytest.raises(IntegrityError), transaction.atomic():
            Provision.objects.create(law=law, number=1, text="重复。", order=2)

    def test_layout_tells_items_from_clauses(self):
        provision = make_provisions(make_law(), 1)[0]
        assert [kind for kind, _ in provision.layout] == ["clause", "item", "clause"]


class TestDemoFixture:
    def test_loads_twice_without_duplicates_and_carries_the_cited_provisions(self):
        call_command("loaddata", "fixtures/demo_statutes.json", verbosity=0)
        counts = (Law.objects.count(), Provision.objects.count())
        call_command("loaddata", "fixtures/demo_statutes.json", verbosity=0)
        assert (Law.objects.count(), Provision.objects.count()) == counts

        def keys(short_title):
            return set(Provision.objects.filter(law__short_title=short_title).values_list("key", flat=True))

        assert {"1032", "1033", "1034"} <= keys("民法典")
        assert {"34", "65"} <= keys("电信条例")
        assert "通信秘密" in Provision.objects.get(law__short_title="电信条例", key="65").text
        assert "15" in keys("互联网信息服务管理办法")
        assert keys("个人信息保护法")
        assert Law.objects.current().count() == Law.objects.count()
