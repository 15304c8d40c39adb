"""The whole national corpus (../shared/data/laws), imported twice. Slow: about half a minute."""

from pathlib import Path

import pytest

from statutes.importer import import_statutes
from statutes.models import Law, Provision

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "laws"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (CORPUS / "db.sqlite3").is_file(),
        reason=f"the statute corpus is not beside the checkout ({CORPUS}); CI has it there",
    ),
]


def current(short_title):
    return Law.objects.current().get(short_title=short_title)


def test_the_whole_corpus_imports_with_the_known_counts_twice():
    first = import_statutes(CORPUS)
    assert not first.skipped, first.skipped

    civil_code = Law.objects.filter(short_title="民法典")
    assert civil_code.count() == 1
    assert civil_code.get().is_current
    assert civil_code.get().provisions.count() == 1260
    assert sorted(civil_code.get().provisions.values_list("number", flat=True)) == list(range(1, 1261))

    criminal_law = current("刑法")
    labels = set(criminal_law.provisions.values_list("label", flat=True))
    assert {"第二百五十三条之一", "第二百九十三条之一", "第一百二十条之六"} <= labels
    assert criminal_law.provisions.get(key="199").is_repealed

    telecom = current("电信条例")
    assert telecom.provisions.count() == 80
    assert "通信秘密" in telecom.provisions.get(key="65").text
    assert "交纳电信费用" in telecom.provisions.get(key="34").text
    assert telecom.provisions.get(key="80").text == "本条例自公布之日起施行。"
    # The annex (电信业务分类目录 and its lists) is kept beside the provisions, not in 第八十条.
    assert not telecom.provisions.filter(text__contains="固定网络国内长途及本地电话业务").exists()
    assert telecom.annex.startswith("附：\n电信业务分类目录")

    assert current("互联网信息服务管理办法").provisions.count() == 27
    assert current("个人信息保护法").provisions.count() == 74
    assert Provision.objects.count() >= 64_000

    titles = Law.objects.values("title").distinct().count()
    assert Law.objects.current().count() == titles

    second = import_statutes(CORPUS)
    assert not second.changed
    assert (second.laws, second.provisions) == (first.laws, first.provisions)
