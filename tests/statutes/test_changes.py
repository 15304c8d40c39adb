"""Comparing two versions of a law provision by provision: renumbered is not removed + added."""

from statutes.changes import ADDED, CHANGED, REMOVED, RENUMBERED, ProvisionText, compare


def version(*texts, start=1):
    return [ProvisionText(str(n), f"第{n}条", text) for n, text in enumerate(texts, start=start)]


def kinds(changes):
    return [(c.kind, c.old and c.old.key, c.new and c.new.key) for c in changes]


def test_the_same_text_is_no_change():
    texts = ("公民享有通信自由。", "电信用户依法使用电信的自由和通信秘密受法律保护。")
    assert compare(version(*texts), version(*texts)) == []


def test_an_insertion_renumbers_what_follows_instead_of_removing_and_adding_it():
    old = version("甲条的文字内容。", "乙条的文字内容。", "丙条的文字内容。")
    new = version(
        "甲条的文字内容。", "新插入的一条，讲的是别的事情。", "乙条的文字内容。", "丙条的文字内容。"
    )
    assert kinds(compare(old, new)) == [
        (ADDED, None, "2"),
        (RENUMBERED, "2", "3"),
        (RENUMBERED, "3", "4"),
    ]


def test_words_changed_at_the_same_number_is_a_change_with_its_similarity():
    old = version("经营者不得以格式条款排除消费者的权利。", "第二条原文。")
    new = version("经营者不得以格式条款、通知、声明排除或者限制消费者的权利。", "第二条原文。")
    (change,) = compare(old, new)
    assert (change.kind, change.old.key, change.new.key) == (CHANGED, "1", "1")
    assert 0.6 <= change.similarity < 1 and change.text_changed


def test_a_moved_and_reworded_provision_is_renumbered_with_its_text_changed():
    old = version("前条。", "个人信息处理者应当采取必要措施保障所处理的个人信息的安全。")
    new = version(
        "前条。",
        "完全不同的新规定，关于别的事项。",
        "个人信息处理者应当采取必要措施保障其处理的个人信息的安全。",
    )
    assert kinds(compare(old, new)) == [(ADDED, None, "2"), (RENUMBERED, "2", "3")]
    assert compare(old, new)[1].text_changed


def test_removed_provisions_come_last_and_a_rewrite_at_the_same_number_is_a_change():
    old = version("第一条。", "将被删去的一条，内容很长很长。", "原来的第三条讲甲。")
    new = version("第一条。", start=1) + [ProvisionText("3", "第3条", "现在的第三条讲的是完全不同的乙事项")]
    assert kinds(compare(old, new)) == [(CHANGED, "3", "3"), (REMOVED, "2", None)]


def test_identical_texts_at_many_numbers_pair_in_order():
    old = version("（删除）", "（删除）", "正文。")
    new = version("正文。", "（删除）", "（删除）")
    changes = compare(old, new)
    assert sorted(kinds(changes)) == sorted([(RENUMBERED, "3", "1"), (RENUMBERED, "1", "3")])
