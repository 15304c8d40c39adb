"""manage.py import_posts: legacy Q&A posts (text or saved HTML) as drafts citing the library."""

import html
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from articles.legacy_posts import PostFileError, import_posts
from articles.models import Article, ImportCheck
from articles.revisions import cited_in, revisions_of
from statutes.models import Provision
from tests.helpers import make_article, make_category, save_fails_at
from tests.helpers import run_command as run

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "lawyer-qa-post.txt"


@pytest.fixture
def statutes(db):
    call_command("loaddata", "fixtures/demo_statutes.json", verbosity=0)
    make_category("金融债务", slug="finance-debt")  # the breadcrumb's category, as the site has it


@pytest.fixture
def seed(tmp_path) -> Path:
    if not SEED.exists():
        pytest.skip("../shared/seed/lawyer-qa-post.txt is not beside the checkout")
    path = tmp_path / "seed.txt"
    path.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def saved_page(text: str) -> str:
    """The seed as a law firm's page saved from a browser: navigation, a script, a paragraph per line."""
    lines = [line for line in text.splitlines() if line.strip()]
    title = lines[1]
    paragraphs = "\n".join(f"<p>{html.escape(line)}</p>" for line in lines[2:])
    return (
        "<!DOCTYPE html><html><head><meta charset='gbk'>"
        f"<title>{html.escape(title)} - 合飞律师事务所</title><script>var tracker = '不是正文';</script></head>"
        "<body><nav><a href='/'>首页</a><a href='/jr'>金融债务</a></nav>"
        f"<div class='crumb'>{html.escape(lines[0])}</div><h1>{html.escape(title)}</h1>"
        f"<div class='content'>{paragraphs}</div><footer>备案号 不是正文</footer></body></html>"
    )


def test_the_seed_becomes_a_draft_citing_the_right_provisions(statutes, seed, capsys):
    call_command("import_posts", str(seed))
    output = capsys.readouterr().out
    assert "《中华人民共和国电信条例》第三十四条" in output and "→ 引用 电信条例 第六十五条" in output
    assert "已导入为草稿" in output

    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    assert article.title.startswith("网贷逾期群发短信给通讯录违法吗")
    assert article.category.name == "金融债务"
    assert article.origin == Article.Origin.REPRINT and "合飞律师事务所" in article.source_name
    assert article.source_url == "https://www.hefeilaws.com/hf/154705.html"
    for section in ("## 建议参考", "## 小编总结"):
        assert section in article.body
    # The pasted statute text is gone: the provisions are cited as records instead, 65 not 34.
    assert "第三十四条" not in article.body and "任何组织或者个人不得以任何理由" not in article.body
    cited = list(
        article.citations.order_by("order").values_list("provision__law__short_title", "provision__key")
    )
    assert cited == [("电信条例", "65"), ("互联网信息服务管理办法", "15")]
    # Nothing after the permalink (the related posts) comes along.
    assert "相关文章" not in article.body and "扫描二维码" not in article.body
    # The import is a revision, with the citations it made.
    (version,) = revisions_of(article)
    assert version.revision.comment == "导入自 seed.txt"
    assert [row[0] for row in cited_in(version)] == list(
        article.citations.values_list("provision_id", flat=True)
    )


def test_a_saved_html_page_in_gbk_imports_the_same(statutes, seed, tmp_path):
    page = tmp_path / "post.html"
    page.write_bytes(saved_page(seed.read_text(encoding="utf-8")).encode("gbk"))
    (from_html,) = import_posts([page])
    assert from_html.outcome == "created"
    article = from_html.article
    assert article.title.startswith("网贷逾期群发短信给通讯录违法吗")
    assert "不是正文" not in article.body and "首页" not in article.body
    assert article.category.name == "金融债务"
    cited = list(article.citations.order_by("order").values_list("provision__key", flat=True))
    assert cited == ["65", "15"]


def test_a_second_run_writes_nothing_and_a_changed_file_needs_update(statutes, seed, capsys):
    call_command("import_posts", str(seed))
    article = Article.objects.get()
    call_command("import_posts", str(seed))
    assert "内容相同，未改动" in capsys.readouterr().out
    assert Article.objects.count() == 1 and len(revisions_of(article)) == 1

    seed.write_text(
        seed.read_text(encoding="utf-8").replace("核实短信内容", "先核实短信内容"), encoding="utf-8"
    )
    call_command("import_posts", str(seed))
    assert "未覆盖" in capsys.readouterr().out
    article.refresh_from_db()
    assert "先核实短信内容" not in article.body
    call_command("import_posts", str(seed), update=True)
    article.refresh_from_db()
    assert "先核实短信内容" in article.body and Article.objects.count() == 1


GOOD_POST = "网贷逾期怎么办？\n张律师 2024-05-01\n问题解答：可以与平台协商还款。\n"


def test_a_broken_file_stops_the_whole_import_with_exit_1_and_a_line_per_file(statutes, seed, tmp_path):
    call_command("import_posts", str(seed), stdout=io.StringIO())
    before = list(Article.objects.values_list("pk", "body"))
    seed.write_text(
        seed.read_text(encoding="utf-8").replace("核实短信内容", "先核实短信内容"), encoding="utf-8"
    )
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"\x00\x01\x02 binary \xff\xfe")
    missing = tmp_path / "missing.txt"
    status, _, stderr = run("import_posts", str(seed), str(broken), str(missing), update=True)
    assert status == 1
    assert stderr == [
        "CommandError: 没有导入任何文章（2 个问题）：",
        f"{missing}：文件不存在",
        f"{broken}：不是 UTF-8 或 GBK 编码的文本",
    ]
    assert list(Article.objects.values_list("pk", "body")) == before  # the good file's change neither
    with pytest.raises(PostFileError):
        import_posts([tmp_path / "empty-folder-that-is-not-there"])


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("empty.txt", b"", "不是一篇中文文章"),
        ("latin1.txt", "网贷".encode() + b"\xff\xff\x80", "不是 UTF-8 或 GBK 编码的文本"),
        ("nothing-here", "folder", "目录中没有 .txt 或 .html 文件"),
        ("posts/inner.txt", "folder", "是一个目录，不是文件"),
        (
            "long-firm.txt",
            (GOOD_POST + "版权声明：本文由" + "很" * 80 + "律师事务所原创\n").encode(),
            "版权声明中的律所名称过长（85 个字符，上限 60）",
        ),
        ("huge.txt", (GOOD_POST + "长" * 3000).encode(), "文件过大"),
    ],
)
def test_every_problem_is_one_line_naming_the_file_and_exit_1(
    statutes, tmp_path, monkeypatch, name, content, problem
):
    monkeypatch.setattr("articles.legacy_posts.MAX_FILE_BYTES", 5_000)
    (tmp_path / "good.txt").write_text(GOOD_POST, encoding="utf-8")
    path = tmp_path / name
    if content == "folder":
        path.mkdir(parents=True)
    else:
        path.write_bytes(content)
    given = tmp_path / name.split("/")[0]  # a folder inside the folder given is one of its files
    status, _, stderr = run("import_posts", str(tmp_path / "good.txt"), str(given))
    assert status == 1 and len(stderr) == 1, stderr
    assert stderr[0].startswith(f"CommandError: 没有导入任何文章（1 个问题）：{path}：{problem}")
    assert not Article.objects.exists()


def test_a_database_error_midway_is_one_line_exit_1_and_nothing_written(statutes, tmp_path, monkeypatch):
    from django.db import OperationalError

    calls = save_fails_at(monkeypatch, 2, OperationalError("database is locked"))
    (tmp_path / "a.txt").write_text(GOOD_POST, encoding="utf-8")
    (tmp_path / "b.txt").write_text(
        "公司不给加班费怎么办？\n李律师 2024-05-02\n问题解答：可以申请劳动仲裁。\n", encoding="utf-8"
    )
    status, _, stderr = run("import_posts", str(tmp_path))
    assert status == 1
    assert stderr == [
        f"CommandError: 没有导入任何文章（1 个问题）：{tmp_path}：数据库拒绝了这次导入（database is locked）"
    ]
    assert len(calls) == 2 and not Article.objects.exists()


def test_a_good_import_exits_0_with_nothing_on_stderr(statutes, tmp_path):
    (tmp_path / "good.txt").write_text(GOOD_POST, encoding="utf-8")
    status, out, stderr = run("import_posts", str(tmp_path / "good.txt"))
    assert (status, stderr) == (0, []) and "已导入为草稿" in out
    assert run("import_posts", str(tmp_path / "good.txt"))[::2] == (0, [])  # nothing to do is a success


def test_a_dry_run_reports_and_writes_nothing(statutes, seed, capsys):
    call_command("import_posts", str(seed), dry_run=True)
    output = capsys.readouterr().out
    assert "试运行" in output and "第六十五条" in output
    assert not Article.objects.exists()


class TestCheckReportOnTheDraft:
    """The check report kept with each imported draft, on its change form, each fix one click away."""

    def test_the_seeds_34_to_65_is_on_the_drafts_change_form(self, statutes, seed, editor_client):
        call_command("import_posts", str(seed), stdout=io.StringIO())
        article = Article.objects.get()
        rows = list(article.import_checks.order_by("order"))
        statute_rows = [row for row in rows if row.kind == ImportCheck.Kind.STATUTES]
        written_and_fix = [(row.written.key, row.suggested and row.suggested.key) for row in statute_rows]
        assert written_and_fix == [("34", "65"), ("15", None)]  # 15 is right as written
        telecom = statute_rows[0]
        assert telecom.applied_at is not None and telecom.source == ImportCheck.Source.QUOTE
        assert "引文与该条不符" in telecom.verdict and telecom.file_name == "seed.txt"
        page = editor_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
        assert "导入检查" in page and "《中华人民共和国电信条例》第三十四条" in page
        assert "电信条例 第三十四条 → " in page and "电信条例 第六十五条</a>（导入时已改正）" in page
        assert "正确，引文相符" in page

    def test_a_misquote_left_in_the_body_is_fixed_with_one_click_and_a_revision(
        self, statutes, tmp_path, editor_user
    ):
        post = tmp_path / "body.txt"
        post.write_text(
            "平台能群发短信给通讯录吗？\n张律师 2024-05-01\n问题解答：依照《中华人民共和国电信条例》第三十四条规定："
            "“电信用户依法使用电信的自由和通信秘密受法律保护。”平台不得随意泄露。\n",
            encoding="utf-8",
        )
        (result,) = import_posts([post])
        article = result.article
        (row,) = [row for row in result.report if row.kind == ImportCheck.Kind.BODY]
        assert row.applied_at is None and row.suggested.key == "65"
        assert (
            row.replacement == "《中华人民共和国电信条例》第六十五条"
            and row.fix_label == "改为 电信条例 第六十五条"
        )

        client = Client(enforce_csrf_checks=True)
        client.force_login(editor_user)
        change = reverse("admin:articles_article_change", args=[article.pk])
        page = client.get(change).content.decode()
        apply = reverse("admin:articles_article_apply_import_check", args=[article.pk, row.pk])
        assert f'action="{apply}"' in page and f'form="kb-import-fix-{row.pk}"' in page
        assert client.post(apply).status_code == 403  # no CSRF token
        assert client.get(apply).status_code == 405
        token = client.cookies["csrftoken"].value
        response = client.post(apply, {"csrfmiddlewaretoken": token})
        assert response.status_code == 302 and response["Location"] == change

        article.refresh_from_db()
        assert "第六十五条规定" in article.body and "第三十四条" not in article.body
        assert article.reference_report[0]["quote_matches"] is True  # rendered and checked again
        newest = revisions_of(article).first()
        assert (
            newest.revision.comment.startswith("采纳导入检查的建议") and newest.revision.user == editor_user
        )
        row.refresh_from_db()
        assert row.applied_at is not None
        assert f'form="kb-import-fix-{row.pk}"' not in client.get(change).content.decode()
        # Again: nothing more to do, and nothing written.
        client.post(apply, {"csrfmiddlewaretoken": token})
        assert revisions_of(article).count() == 2

    def test_a_suggested_provision_is_cited_with_one_click(self, statutes, seed, editor_client):
        privacy = Provision.objects.get(law__short_title="民法典", key="1032")
        telecom = Provision.objects.get(law__short_title="电信条例", key="65")
        asked = []

        def suggest(question, passage, law):
            asked.append((question, passage, law))
            return [telecom, privacy]  # the first is cited already: not suggested again

        (result,) = import_posts([seed], suggest=suggest)
        ((question, words, law),) = asked  # the post as a whole: its question and its answer's words
        assert (
            question == "网贷逾期群发短信给通讯录违法吗？"
            and words.startswith("在网贷逾期的情况下")
            and law is None
        )
        (row,) = [row for row in result.report if row.kind == ImportCheck.Kind.SUGGESTED]
        assert row.suggested == privacy and row.fix_label == "引用 民法典 第一千零三十二条"
        article = result.article
        apply = reverse("admin:articles_article_apply_import_check", args=[article.pk, row.pk])
        assert editor_client.post(apply).status_code == 302
        assert list(article.citations.order_by("order").values_list("provision__key", flat=True)) == [
            "65", "15", "1032",
        ]  # fmt: skip
        other = make_article("别的文章")
        wrong = reverse("admin:articles_article_apply_import_check", args=[other.pk, row.pk])
        assert editor_client.post(wrong).status_code == 404

    def test_a_reimport_replaces_the_report_and_a_dry_run_keeps_none(self, statutes, seed):
        import_posts([seed], dry_run=True)
        assert not ImportCheck.objects.exists()
        import_posts([seed])
        first = set(ImportCheck.objects.values_list("pk", flat=True))
        seed.write_text(
            seed.read_text(encoding="utf-8").replace("核实短信内容", "先核实短信内容"), encoding="utf-8"
        )
        import_posts([seed], update=True)
        assert first.isdisjoint(ImportCheck.objects.values_list("pk", flat=True))
        assert ImportCheck.objects.filter(kind=ImportCheck.Kind.STATUTES).count() == 2
