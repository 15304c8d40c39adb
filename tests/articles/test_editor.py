"""The editors' workflow in the admin: live preview, one-click fixes, publishing guards, revisions,
the state column and the citation box."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import editor, services
from articles.models import Article, Citation
from articles.references import publication_problems, reference_verdict
from articles.revisions import compare, revisions_of
from statutes.diff import word_diff
from statutes.models import Provision
from tests.helpers import make_article

pytestmark = pytest.mark.django_db

MISQUOTE = "《中华人民共和国电信条例》第三十四条规定：“电信用户依法使用电信的自由和通信秘密受法律保护。”"
RIGHT_QUOTE = "《中华人民共和国电信条例》第六十五条规定：“电信用户依法使用电信的自由和通信秘密受法律保护。”"


@pytest.fixture
def statutes(db):
    from django.core.management import call_command

    call_command("loaddata", "fixtures/demo_statutes.json", verbosity=0)


def change_form(article: Article, **overrides) -> dict:
    """The change form as the admin posts it for this article, with the given fields changed."""
    published_at = overrides.pop("published_at", article.published_at)
    data = {
        "title": article.title,
        "category": article.category_id,
        "author": article.author_id,
        "body": article.body,
        "summary": article.summary,
        "status": article.status,
        "published_at_0": published_at.strftime("%Y-%m-%d") if published_at else "",
        "published_at_1": published_at.strftime("%H:%M:%S") if published_at else "",
        "origin": article.origin,
        "source_name": article.source_name,
        "source_url": article.source_url,
        "loaded_version": article.updated_at.isoformat(),
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
    }
    citations = list(article.citations.order_by("order"))
    data["citations-TOTAL_FORMS"] = data["citations-INITIAL_FORMS"] = str(len(citations))
    for number, citation in enumerate(citations):
        data[f"citations-{number}-id"] = citation.pk
        data[f"citations-{number}-article"] = article.pk
        data[f"citations-{number}-provision"] = citation.provision_id
        data[f"citations-{number}-order"] = citation.order
    data.update(overrides)
    return data


class TestLivePreview:
    url = reverse("admin:articles_article_preview")

    def test_renders_like_the_site_and_checks_each_reference(self, editor_client, statutes):
        body = f"## 相关法条\n\n{MISQUOTE}\n\n见《民法典》第一千零三十二条。《不存在法》第三条。<script>alert(1)</script>"
        answer = editor_client.post(self.url, {"body": body}).json()
        assert "<h2" in answer["html"] and "<script>" not in answer["html"]
        assert answer["html"].count('class="statute-ref"') == 2  # linked as written: the misquote too
        states = [(reference["text"], reference["state"]) for reference in answer["references"]]
        assert states == [
            ("《中华人民共和国电信条例》第三十四条", "misquoted"),
            ("《民法典》第一千零三十二条", "resolved"),
            ("《不存在法》第三条", "unknown"),
        ]
        misquoted = answer["references"][0]
        assert "第六十五条" in misquoted["verdict"]
        assert misquoted["fix"]["label"] == "改为 第六十五条"
        assert misquoted["fix"]["replacement"] == "《中华人民共和国电信条例》第六十五条"
        assert answer["references"][1]["fix"] is None and answer["references"][2]["url"] is None

    def test_fix_offsets_count_as_the_browser_does(self, statutes):
        # A character beyond the BMP before the reference counts two in JavaScript; CRLF lines count one.
        body = "😀 说明：\r\n\r\n" + MISQUOTE
        fix = editor.preview(body)["references"][0]["fix"]
        in_browser = body.replace("\r\n", "\n")
        as_utf16 = in_browser.encode("utf-16-le")
        written = as_utf16[fix["start"] * 2 : fix["end"] * 2].decode("utf-16-le")
        assert written == fix["text"] == "《中华人民共和国电信条例》第三十四条"
        # Applying the fix as the browser does gives a body the check confirms.
        fixed = (
            as_utf16[: fix["start"] * 2] + fix["replacement"].encode("utf-16-le") + as_utf16[fix["end"] * 2 :]
        ).decode("utf-16-le")
        assert [reference["state"] for reference in editor.preview(fixed)["references"]] == ["resolved"]

    def test_a_refused_body_says_why(self, editor_client):
        answer = editor_client.post(self.url, {"body": "字" * 200_001}).json()
        assert answer["html"] == "" and answer["problem"]

    def test_staff_only_post_only_with_csrf(self, client, editor_user, statutes):
        assert client.post(self.url, {"body": "x"}).status_code == 302  # to the login page
        reader = User.objects.create_user("reader", password="not-a-real-password-1")
        client.force_login(reader)
        assert client.post(self.url, {"body": "x"}).status_code == 302
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(editor_user)
        assert strict.post(self.url, {"body": "x"}).status_code == 403
        assert strict.get(self.url).status_code == 405
        # Staff without the right to write articles.
        idle = User.objects.create_user("idle", password="not-a-real-password-1", is_staff=True)
        client.force_login(idle)
        assert client.post(self.url, {"body": "x"}).status_code == 403

    def test_change_form_has_the_toolbar_config_and_preview_link(self, editor_client):
        draft = make_article("草稿文章", status=Article.Status.DRAFT)
        page = editor_client.get(reverse("admin:articles_article_change", args=[draft.pk])).content.decode()
        assert 'id="kb-editor-config"' in page and "js/editor.js" in page
        assert draft.get_absolute_url() in page and "预览（读者看不到）" in page
        assert reverse("admin:articles_article_revisions", args=[draft.pk]) in page

    def test_one_history_entry_point(self, editor_client):
        article = make_article("已发布文章")
        page = editor_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
        assert page.count('class="historylink"') == 1 and "修订历史" in page
        assert reverse("admin:articles_article_history", args=[article.pk]) not in page
        assert "在站点上查看" in page and "预览（读者看不到）" not in page
        # Django's own history page, reached by its address, leads to the revisions too.
        response = editor_client.get(reverse("admin:articles_article_history", args=[article.pk]))
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:articles_article_revisions", args=[article.pk])
        assert editor_client.get("/admin/articles/article/x1/history/").status_code == 404


class TestPublishingGuards:
    def test_the_form_refuses_to_publish_a_misquote_and_lists_the_problems(self, editor_client, statutes):
        draft = make_article("通信秘密", status=Article.Status.DRAFT, body=MISQUOTE)
        url = reverse("admin:articles_article_change", args=[draft.pk])
        published_at = timezone.now() - datetime.timedelta(minutes=1)
        response = editor_client.post(url, change_form(draft, status="published", published_at=published_at))
        assert response.status_code == 200
        page = response.content.decode()
        assert "没有发布" in page and "第三十四条" in page and "第六十五条" in page
        # Still a draft: the editors' preview of the page stays (the form's "published" is not the article's).
        assert "预览（读者看不到）" in page and "在站点上查看" not in page
        draft.refresh_from_db()
        assert draft.status == Article.Status.DRAFT

        # Ticked without a reason: still refused, asking for one.
        data = change_form(draft, status="published", published_at=published_at, publish_anyway="on")
        response = editor_client.post(url, data)
        assert response.status_code == 200 and "写明理由" in response.content.decode()

        data["publish_reason"] = "原文如此，待律师确认"
        assert editor_client.post(url, data).status_code == 302
        draft.refresh_from_db()
        assert draft.status == Article.Status.PUBLISHED
        latest = revisions_of(draft).first().revision
        assert (
            latest.comment.startswith("仍然发布（原文如此，待律师确认）") and "第三十四条" in latest.comment
        )
        assert latest.user.username == "editor"
        assert (
            "原文如此，待律师确认"
            in LogEntry.objects.filter(object_id=str(draft.pk)).latest("pk").get_change_message()
        )

    def test_a_correct_body_publishes_without_asking(self, editor_client, statutes):
        draft = make_article("通信秘密", status=Article.Status.DRAFT, body=RIGHT_QUOTE)
        url = reverse("admin:articles_article_change", args=[draft.pk])
        data = change_form(draft, status="published", published_at=timezone.now())
        assert editor_client.post(url, data).status_code == 302
        draft.refresh_from_db()
        assert draft.status == Article.Status.PUBLISHED

    def test_editing_a_published_body_into_a_misquote_is_refused(self, editor_client, statutes):
        article = make_article("通信秘密", body=RIGHT_QUOTE)
        url = reverse("admin:articles_article_change", args=[article.pk])
        response = editor_client.post(url, change_form(article, body=MISQUOTE))
        assert response.status_code == 200 and "没有发布" in response.content.decode()
        article.refresh_from_db()
        assert article.body == RIGHT_QUOTE
        # A change elsewhere (the title) of an already published body is not held up.
        assert editor_client.post(url, change_form(article, title="通信秘密受保护吗")).status_code == 302

    def test_the_list_action_refuses_and_says_why(self, editor_client, statutes):
        bad = make_article("引错了", status=Article.Status.DRAFT, body=MISQUOTE)
        good = make_article("引对了", status=Article.Status.DRAFT, body=RIGHT_QUOTE)
        response = editor_client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "publish", "_selected_action": [bad.pk, good.pk]},
            follow=True,
        )
        page = response.content.decode()
        assert "《引错了》没有发布" in page and "第六十五条" in page and "已发布 1 篇文章" in page
        bad.refresh_from_db()
        good.refresh_from_db()
        assert bad.status == Article.Status.DRAFT and good.status == Article.Status.PUBLISHED

    def test_the_check_runs_again_on_the_library_as_it_is_at_publish_time(self, statutes):
        draft = make_article("通信秘密", status=Article.Status.DRAFT, body=RIGHT_QUOTE)
        # The library changes after the draft was saved: 第六十五条 is amended.
        Provision.objects.filter(law__short_title="电信条例", key="65").update(text="全新的文字。")
        with pytest.raises(services.PublishRefused) as refused:
            services.publish_article(article=draft)
        assert "第六十五条" in refused.value.problems[0]
        draft.refresh_from_db()
        assert draft.status == Article.Status.DRAFT
        assert services.publish_article(article=draft, override_reason="已请律师核对")
        assert revisions_of(draft).first().revision.comment.startswith("仍然发布（已请律师核对）")

    def test_an_unknown_law_blocks_too(self, statutes):
        draft = make_article("未知法规", status=Article.Status.DRAFT, body="依据《不存在的条例》第三条。")
        with pytest.raises(services.PublishRefused) as refused:
            services.publish_article(article=draft)
        assert "不存在的条例" in refused.value.problems[0]


class TestRevisions:
    def test_every_save_keeps_a_revision_with_its_user(self, editor_client, statutes):
        article = make_article("第一版标题", body="第一版正文。")
        url = reverse("admin:articles_article_change", args=[article.pk])
        assert (
            editor_client.post(url, change_form(article, title="第二版标题", body="第二版正文。")).status_code
            == 302
        )
        versions = list(revisions_of(article))
        assert len(versions) == 2
        assert (
            versions[0].field_dict["title"] == "第二版标题" and versions[0].revision.user.username == "editor"
        )
        assert versions[1].field_dict["body"] == "第一版正文。"

    def test_an_edit_that_leaves_the_time_alone_keeps_it_to_the_second(self, editor_client):
        article = make_article("标题", published_at=timezone.now().replace(second=37, microsecond=123456))
        stored = article.published_at
        url = reverse("admin:articles_article_change", args=[article.pk])
        # The form shows the time to the minute (中文 formats), and posts it back so.
        data = change_form(
            article, body="改过的正文。", published_at=timezone.localtime(stored).replace(second=0)
        )
        assert editor_client.post(url, data).status_code == 302
        article.refresh_from_db()
        assert article.published_at == stored
        newer, older = revisions_of(article)[:2]
        assert [change.field for change in compare(older, newer)] == ["body"]

    def test_compare_two_revisions_shows_an_escaped_diff_word_by_word(self, editor_client):
        article = make_article("标题", body="同一行。\n旧的一行<b>。")
        article.body = "同一行。\n新的一行<script>。"
        services.save_article(article=article)
        newer, older = revisions_of(article)
        page = editor_client.get(
            reverse("admin:articles_article_revisions", args=[article.pk]), {"compare": [older.pk, newer.pk]}
        ).content.decode()
        # Only the words that changed are marked; the rest of the line reads as it is.
        assert '<del class="diff-out">旧</del><ins class="diff-in">新</ins>的一行&lt;' in page
        assert '&lt;<del class="diff-out">b</del><ins class="diff-in">script</ins>&gt;。' in page
        assert "<script>。" not in page

    def test_a_reworded_sentence_marks_its_words_not_the_line(self):
        old = "网贷平台在发送此类短信时，需要遵守相关法律法规。"
        new = "网贷平台在群发此类短信时，必须遵守相关法律法规。"
        assert word_diff(old, new) == [
            (0, "网贷平台在"), (-1, "发送"), (1, "群发"), (0, "此类短信时，"),
            (-1, "需要"), (1, "必须"), (0, "遵守相关法律法规。"),
        ]  # fmt: skip
        # Nothing is lost or invented: the kept and taken-out words are the old text, the kept and
        # put-in words the new one, whatever the texts.
        for before, after in [
            (old, new),
            ("", "新的一段。"),
            ("第1,000条\n\n## 标题", "第1,000条\n## 标题改"),
        ]:
            diffs = word_diff(before, after)
            assert "".join(text for operation, text in diffs if operation <= 0) == before
            assert "".join(text for operation, text in diffs if operation >= 0) == after

    def test_comparing_one_revision_says_two_are_needed(self, editor_client):
        article = make_article("标题", body="第一版。")
        article.body = "第二版。"
        services.save_article(article=article)
        newer, _older = revisions_of(article)
        url = reverse("admin:articles_article_revisions", args=[article.pk])
        for ticked, says in (([newer.pk], "请再勾选一个"), ([], "现在勾选了 0 个")):
            page = editor_client.get(url, {"compare": ticked, "do": "compare"}).content.decode()
            assert "比较需要勾选两个版本" in page and says in page
            assert 'class="kb-compare"' not in page
        page = editor_client.get(url, {"compare": [newer.pk], "do": "compare"}).content.decode()
        assert f'value="{newer.pk}" checked' in page  # the box ticked stays ticked
        assert "比较需要" not in editor_client.get(url).content.decode()  # opening the page is no comparison

    def test_restore_is_a_new_revision_rendered_and_checked_again(self, editor_client, statutes):
        electricity_65 = Provision.objects.get(law__short_title="电信条例", key="65")
        privacy = Provision.objects.get(law__short_title="民法典", key="1032")
        article = make_article("标题", body=RIGHT_QUOTE, cites=[privacy])
        services.save_article(article=article)  # a revision holding the editor's citation too
        first = revisions_of(article).first()
        article.body = "改写后不再引用。"
        services.save_article(article=article)
        Citation.objects.filter(article=article, provision=privacy).delete()
        response = editor_client.post(reverse("admin:articles_article_restore", args=[article.pk, first.pk]))
        assert response.status_code == 302
        article.refresh_from_db()
        assert article.body == RIGHT_QUOTE and 'class="statute-ref"' in article.body_html
        assert list(article.citations.values_list("provision_id", flat=True)) == [
            electricity_65.pk,
            privacy.pk,
        ]
        assert article.reference_report and article.reference_report[0]["quote_matches"] is True
        versions = list(revisions_of(article))
        assert len(versions) == 4 and versions[0].revision.comment.startswith("恢复到")
        assert versions[0].revision.user.username == "editor"

    def test_restore_brings_back_an_editors_citation_that_a_later_body_cited_itself(self, statutes):
        electricity_65 = Provision.objects.get(law__short_title="电信条例", key="65")
        article = make_article("标题", body="正文没有引用。", cites=[electricity_65])
        services.save_article(article=article)  # the editor's citation, kept in the revision
        first = revisions_of(article).first()
        Citation.objects.filter(article=article).delete()
        article.body = RIGHT_QUOTE  # now the body cites it: the finder's row
        services.save_article(article=article)
        services.restore_article(article=article, version=first)
        assert list(article.citations.values_list("provision_id", "added_by")) == [
            (electricity_65.pk, Citation.AddedBy.EDITOR)
        ]

    def test_restore_takes_a_post_and_a_version_of_this_article(self, editor_client):
        article = make_article("甲")
        other = make_article("乙")
        version = revisions_of(article).first()
        restore = reverse("admin:articles_article_restore", args=[article.pk, version.pk])
        assert editor_client.get(restore).status_code == 405
        foreign = revisions_of(other).first()
        assert (
            editor_client.post(
                reverse("admin:articles_article_restore", args=[article.pk, foreign.pk])
            ).status_code
            == 404
        )


class TestArticleList:
    def test_state_reads_draft_published_or_scheduled_with_its_time(self, editor_client):
        make_article("草稿一篇", status=Article.Status.DRAFT)
        make_article("已发布一篇")
        when = timezone.now() + datetime.timedelta(days=2)
        make_article("定时一篇", published_at=when)
        page = editor_client.get(reverse("admin:articles_article_changelist")).content.decode()
        assert '<span class="kb-state kb-state--draft">草稿</span>' in page
        assert '<span class="kb-state kb-state--published">已发布</span>' in page
        scheduled = f"定时（{timezone.localtime(when):%Y-%m-%d %H:%M}）"
        assert f'<span class="kb-state kb-state--scheduled">{scheduled}</span>' in page

    def test_the_citation_box_shows_provision_and_order_only(self, editor_client, statutes):
        article = make_article("标题", body=RIGHT_QUOTE)
        page = editor_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
        assert 'name="citations-0-provision"' in page and 'name="citations-0-order"' in page
        assert "citations-0-added_by" not in page and "添加方式" not in page

    def test_citations_follow_the_body_and_an_editors_rows_come_after(self, statutes):
        privacy = Provision.objects.get(law__short_title="民法典", key="1032")
        article = make_article(
            "标题",
            cites=[privacy],
            body="先引《电信条例》第六十五条，再引《互联网信息服务管理办法》第十五条。",
        )
        cited = list(
            article.citations.order_by("order").values_list("provision__law__short_title", "provision__key")
        )
        assert cited[0] == ("电信条例", "65") and cited[1][1] == "15" and cited[2] == ("民法典", "1032")
        assert list(article.citations.order_by("order").values_list("order", flat=True)) == [1, 2, 3]


def test_the_verdict_names_the_older_version_and_the_current_article():
    entry = {
        "resolved": True,
        "problem": None,
        "quote_matches": False,
        "suggestion": {
            "law": "中华人民共和国公司法",
            "key": "11",
            "label": "第十一条",
            "version": 2018,
            "current": {"key": "5", "label": "第五条"},
        },
    }
    assert (
        reference_verdict(entry)
        == "引文与该条不符；引文出自 中华人民共和国公司法 2018 年版本第十一条，现行版本为第五条"
    )
    entry["suggestion"]["current"] = None
    assert reference_verdict(entry).endswith("现行版本中没有对应的条文")


def test_a_quote_of_the_cited_laws_older_version_is_named_so_and_does_not_block_publishing():
    entry = {
        "text": "《公司法》第五条",
        "resolved": True,
        "problem": None,
        "quote_matches": False,
        "quotes_older_version": True,
        "suggestion": {
            "law": "中华人民共和国公司法",
            "key": "11",
            "label": "第十一条",
            "version": 2018,
            "current": {"key": "5", "label": "第五条"},
        },
    }
    assert reference_verdict(entry) == "引用的是 2018 年版本（第十一条），现行版本为第五条，请核对"
    assert publication_problems([entry]) == []
    entry["quotes_older_version"] = False
    assert publication_problems([entry]) == ["《公司法》第五条：" + reference_verdict(entry)]
