import pytest
from django.urls import reverse

from articles.models import Article, Citation
from articles.services import EDITOR_GROUP, ensure_editor_group
from statutes.models import Provision
from tests.helpers import make_article, make_author, make_category, make_law

pytestmark = pytest.mark.django_db


@pytest.fixture
def privacy_provision():
    law = make_law("中华人民共和国民法典")
    return Provision.objects.create(law=law, number=1032, text="自然人享有隐私权。", order=1)


def article_form(**overrides):
    data = {
        "title": "新文章：网贷逾期爆通讯录怎么办",
        "category": make_category().pk,
        "author": make_author().pk,
        "body": "正文第一段。\n\n## 建议参考\n\n1. 保留证据",
        "summary": "",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "origin": "original",
        "source_name": "",
        "source_url": "",
        "loaded_version": "",
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
        "citations-0-provision": "",
        "citations-0-order": "0",
    }
    data.update(overrides)
    return data


class TestEditorGroup:
    def test_has_what_editors_need_and_statutes_read_only(self):
        group = ensure_editor_group()
        codenames = set(group.permissions.values_list("content_type__app_label", "codename"))
        assert ("articles", "add_article") in codenames and ("articles", "delete_category") in codenames
        assert ("statutes", "view_provision") in codenames
        assert ("statutes", "change_provision") not in codenames
        assert not any(app == "auth" for app, _ in codenames)
        assert group.name == EDITOR_GROUP

    def test_editors_cannot_manage_users_or_edit_statutes(self, editor_client, privacy_provision):
        assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403
        url = reverse("admin:statutes_provision_change", args=[privacy_provision.pk])
        page = editor_client.get(url)
        assert page.status_code == 200 and 'name="text"' not in page.content.decode()
        assert editor_client.post(url, {"text": "篡改"}).status_code == 403
        privacy_provision.refresh_from_db()
        assert privacy_provision.text == "自然人享有隐私权。"


class TestArticleAdmin:
    def test_editor_adds_an_article_with_a_citation(self, editor_client, privacy_provision):
        assert editor_client.get(reverse("admin:articles_article_add")).status_code == 200
        response = editor_client.post(
            reverse("admin:articles_article_add"),
            article_form(**{"citations-0-provision": privacy_provision.pk}),
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        article = Article.objects.get(title="新文章：网贷逾期爆通讯录怎么办")
        assert "<h2" in article.body_html
        assert list(article.citations.values_list("provision_id", flat=True)) == [privacy_provision.pk]

    def test_editor_changes_an_article_and_sees_the_preview(self, editor_client):
        article = make_article(body="旧的正文。")
        url = reverse("admin:articles_article_change", args=[article.pk])
        page = editor_client.get(url).content.decode()
        assert "旧的正文。" in page and 'name="body_html"' not in page
        # The live preview: the editor's script and the endpoint it posts the Markdown to.
        assert "js/editor.js" in page and reverse("admin:articles_article_preview") in page
        data = article_form(
            title=article.title,
            body="新的正文。",
            status="published",
            published_at_0=article.published_at.strftime("%Y-%m-%d"),
            published_at_1=article.published_at.strftime("%H:%M:%S"),
            loaded_version=article.updated_at.isoformat(),
        )
        assert editor_client.post(url, data).status_code == 302
        article.refresh_from_db()
        assert "新的正文" in article.body_html

    def test_a_concurrent_edit_is_refused_and_nothing_is_lost(self, editor_client):
        article = make_article(body="原文。")
        url = reverse("admin:articles_article_change", args=[article.pk])
        opened_version = article.updated_at.isoformat()
        # Someone else saves in the meantime.
        article.body = "同事的修改。"
        article.save()
        response = editor_client.post(
            url, article_form(title=article.title, body="我的修改。", loaded_version=opened_version)
        )
        assert response.status_code == 200
        assert "已被其他人修改" in response.content.decode()
        assert "我的修改。" in response.content.decode()  # the editor's text is still in the form
        article.refresh_from_db()
        assert article.body == "同事的修改。"

    def test_publish_and_unpublish_actions(self, editor_client):
        draft = make_article("待发布", status=Article.Status.DRAFT)
        changelist = reverse("admin:articles_article_changelist")
        editor_client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
        draft.refresh_from_db()
        assert draft.status == Article.Status.PUBLISHED and draft.published_at is not None
        editor_client.post(changelist, {"action": "unpublish", "_selected_action": [draft.pk]})
        draft.refresh_from_db()
        assert draft.status == Article.Status.DRAFT
        # Both actions are in the admin's history of the article, with who did them.
        from django.contrib.admin.models import LogEntry

        history = list(LogEntry.objects.filter(object_id=str(draft.pk)).order_by("pk"))
        assert [entry.change_message for entry in history] == [
            "通过批量操作发布。",
            "通过批量操作撤回为草稿。",
        ]
        assert {entry.user.username for entry in history} == {"editor"}

    def test_changelist_filters_and_search(self, editor_client):
        make_article("关于加班费的文章")
        response = editor_client.get(
            reverse("admin:articles_article_changelist"), {"q": "加班费", "status__exact": "published"}
        )
        assert [a.title for a in response.context["cl"].result_list] == ["关于加班费的文章"]

    def test_provision_autocomplete_finds_citations_for_editors(self, editor_client, privacy_provision):
        response = editor_client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "articles",
                "model_name": "citation",
                "field_name": "provision",
                "term": "民法典 1032",
            },
        )
        assert response.status_code == 200
        results = response.json()["results"]
        assert results == [{"id": str(privacy_provision.pk), "text": "民法典 第一千零三十二条"}]

    def test_deleting_a_cited_provision_is_refused(self, admin_client, privacy_provision):
        make_article(cites=[privacy_provision])
        response = admin_client.post(
            reverse("admin:statutes_provision_delete", args=[privacy_provision.pk]), {"post": "yes"}
        )
        assert Provision.objects.filter(pk=privacy_provision.pk).exists()
        assert Citation.objects.count() == 1
        assert response.status_code == 200

    def test_change_page_suggests_the_provisions_search_finds(self, editor_client, privacy_provision):
        from articles.models import ArticleTopic

        other = Provision.objects.create(
            law=privacy_provision.law, number=1033, text="隐私权的例外。", order=2
        )
        article = make_article(body="催收爆通讯录。", cites=[privacy_provision])
        ArticleTopic.objects.filter(article=article).delete()
        ArticleTopic.objects.create(article=article, provision=privacy_provision, rank=0)
        ArticleTopic.objects.create(article=article, provision=other, rank=1)
        page = editor_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
        assert "检索到的相关法条" in page
        assert "第一千零三十二条</a>（已引用）" in page
        assert other.get_absolute_url() in page and "第一千零三十三条</a></div>" in page


@pytest.mark.django_db(transaction=True)
def test_the_admin_renders_a_body_before_its_transaction_opens(editor_client, monkeypatch):
    """The admin validates and saves in one transaction, which on SQLite holds the whole database
    for writing: rendering and checking a long body in it made every other writer wait (issue 20).
    The body as the form will save it (its line breaks as a browser sends them) is rendered once,
    before; the form and the write path take that rendering."""
    from django.db import transaction

    renders = []
    real_render = Article.render

    def recording_render(article):
        renders.append(transaction.get_connection().in_atomic_block)
        return real_render(article)

    monkeypatch.setattr(Article, "render", recording_render)
    body = "第一段，网贷逾期。\r\n\r\n## 建议参考\r\n\r\n1. 保留证据\r\n"
    response = editor_client.post(
        reverse("admin:articles_article_add"), article_form(body=body, status="published")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(title="新文章：网贷逾期爆通讯录怎么办")
    assert article.body == "第一段，网贷逾期。\n\n## 建议参考\n\n1. 保留证据"
    assert "<h2" in article.body_html
    assert renders == [False]  # once, and outside any transaction
