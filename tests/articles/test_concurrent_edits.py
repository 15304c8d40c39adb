"""Two editors who opened the same article post at the same moment: one is saved, the other told.

Two processes (each its own database connection, as two web workers) post the admin's change form
together, on the database the suite runs on (make test-postgres: PostgreSQL).
"""

import json

from tests.processes import manage, start_shell

SETUP = """
from django.contrib.auth.models import User
from articles.models import Article, Author, Category
from articles.services import ensure_editor_group
group = ensure_editor_group()
for name in ("editor-a", "editor-b"):
    User.objects.create_user(name, password="not-a-real-password-1", is_staff=True).groups.add(group)
article = Article.objects.create(
    title="网贷逾期爆通讯录怎么办", body="原文。", status="draft",
    category=Category.objects.create(name="金融债务", slug="finance-debt"),
    author=Author.objects.create(name="林清远"),
)
print(article.pk, article.updated_at.isoformat())
"""

# One editor's request. Both processes wait for each other (a file each), then post the form they
# opened before either saved. Saving is slowed down, so that without a lock both would have
# passed validation before either commits.
EDITOR = """
import json, time
from pathlib import Path
from unittest import mock
from django.contrib.auth.models import User
from django.test import Client
from articles.admin import ArticleAdmin
from articles.models import Article, Author, Category

article = Article.objects.get(pk={pk})
client = Client()
client.force_login(User.objects.get(username="{username}"))
form = {{
    "title": article.title, "category": article.category_id, "author": article.author_id,
    "body": "{username} 的修改。", "summary": "", "status": "draft", "published_at_0": "",
    "published_at_1": "", "origin": "original", "source_name": "", "source_url": "",
    "loaded_version": "{version}", "citations-TOTAL_FORMS": "0", "citations-INITIAL_FORMS": "0",
    "citations-MIN_NUM_FORMS": "0", "citations-MAX_NUM_FORMS": "1000",
}}
real_save_model = ArticleAdmin.save_model

def slow_save_model(self, *args):
    time.sleep(0.5)
    real_save_model(self, *args)

folder = Path("{folder}")
(folder / "{username}.ready").touch()
while len(list(folder.glob("*.ready"))) < 2:
    time.sleep(0.005)
with mock.patch.object(ArticleAdmin, "save_model", slow_save_model):
    response = client.post("/admin/articles/article/{pk}/change/", form)
print(json.dumps({{"status": response.status_code, "stale": "已被其他人修改" in response.content.decode()}}))
"""


def test_two_simultaneous_saves_of_one_article_never_both_succeed(site_processes, tmp_path):
    setup = manage(site_processes, SETUP)
    assert setup.returncode == 0, setup.stderr
    pk, version = setup.stdout.split()[-2:]
    folder = tmp_path / "barrier"
    folder.mkdir()
    editors = {
        username: start_shell(
            site_processes, EDITOR.format(pk=pk, version=version, username=username, folder=folder)
        )
        for username in ("editor-a", "editor-b")
    }
    results = {}
    for username, process in editors.items():
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        results[username] = json.loads(out.strip().splitlines()[-1])

    saved = [name for name, result in results.items() if result["status"] == 302]
    refused = [name for name, result in results.items() if result["status"] == 200 and result["stale"]]
    assert len(saved) == 1 and len(refused) == 1, results
    body = manage(
        site_processes, f"from articles.models import Article; print(Article.objects.get(pk={pk}).body)"
    )
    assert body.stdout.strip().splitlines()[-1] == f"{saved[0]} 的修改。"
