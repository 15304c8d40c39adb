"""Versions for readers (修订对照): a provision across the versions of its law, word-level diffs of a
provision and of a whole law, at stable addresses."""

import datetime

import pytest
from django.urls import reverse

from statutes import selectors
from statutes.diff import INSERTED, REMOVED, word_diff
from statutes.importer import import_statutes
from statutes.models import Law, Provision
from tests.statutes.test_update import REVIEW, first_snapshot, second_snapshot

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)


@pytest.fixture
def two_versions(tmp_path):
    root = tmp_path / "laws"
    root.mkdir()
    first_snapshot(root)
    import_statutes(root, today=TODAY)
    second_snapshot(root)
    import_statutes(root, today=TODAY)
    old, new = Law.objects.filter(title=REVIEW).order_by("promulgated_on")
    return old, new


def test_a_word_diff_marks_words_not_lines():
    diff = word_diff("为了防止和纠正违法的具体行政行为", "为了防止和纠正违法的行政行为")
    assert (REMOVED, "具体") in diff and not any(op == INSERTED for op, _ in diff)


def test_a_provision_is_followed_across_versions_by_its_text(two_versions):
    old, new = two_versions
    application = Provision.objects.get(law=old, key="2")  # 第二条 then, 第三条 now
    versions = selectors.provision_versions(application)
    assert [(v.law, v.provision.key if v.provision else None, v.is_this) for v in versions] == [
        (old, "2", True),
        (new, "3", False),
    ]
    # And back from the new version; a provision added since has no earlier text.
    inserted = Provision.objects.get(law=new, key="2")
    assert [v.provision for v in selectors.provision_versions(inserted)] == [None, inserted]


def test_the_provision_page_lists_its_versions_and_links_the_comparison(client, two_versions):
    old, new = two_versions
    page = client.get(reverse("statutes:provision_detail", args=[new.pk, "1"])).content.decode()
    assert "本条的各个版本" in page
    compare_url = reverse("statutes:provision_compare", args=[new.pk, "1", old.pk])
    assert compare_url in page
    compared = client.get(compare_url).content.decode()
    assert '<del class="diff-out">具体</del>' in compared
    assert '<ins class="diff-in">' in compared and "保护公民的合法权益" in compared


def test_the_law_comparison_lists_every_change_and_counts_the_rest(client, two_versions):
    old, new = two_versions
    law_page = client.get(new.get_absolute_url()).content.decode()
    url = reverse("statutes:law_compare", args=[new.pk, old.pk])
    assert url in law_page
    page = client.get(url).content.decode()
    assert "4 条有变动，0 条文字未变" in page
    assert page.count('class="badge">条号变动') == 2 and page.count('class="badge">新增') == 1


def test_comparing_with_another_law_or_itself_is_not_found(client, two_versions):
    old, new = two_versions
    other = Law.objects.exclude(title=REVIEW).first()
    assert client.get(reverse("statutes:law_compare", args=[new.pk, other.pk])).status_code == 404
    assert client.get(reverse("statutes:law_compare", args=[new.pk, new.pk])).status_code == 404
    assert client.get(reverse("statutes:provision_compare", args=[new.pk, "1", other.pk])).status_code == 404
