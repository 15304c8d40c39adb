"""Several processes saving articles at once: no update lost, no LockError for anyone."""

import pytest

from tests.processes import manage, start_shell

SETUP = """
from articles.models import Author, Category
Category.objects.create(name="测试", slug="test")
Author.objects.create(name="测试作者")
"""

WORKER = """
import sys
from articles.models import Article, Author, Category
category, author = Category.objects.get(), Author.objects.get()
for number in range({count}):
    article = Article.objects.create(title="进程{worker}的文章{{}}号".format(number), body="并发保存测试。",
                                     category=category, author=author, status="published")
    article.body = "并发保存测试，第二次保存。"
    article.save()
print("ok")
"""

CHECK = """
from articles.models import Article
from kb.search.selectors import search_backend
reader = search_backend().searcher().reader()
indexed = {fields["django_id"]: fields["text"] for _, fields in reader.iter_docs() if fields["django_ct"] == "articles.article"}
stale = [a.title for a in Article.objects.all() if "第二次保存" not in indexed.get(str(a.pk), "")]
print("articles", Article.objects.count(), "indexed", len(indexed))
print("stale", len(stale), stale[:3])
"""


@pytest.fixture
def site_env(site_processes):
    assert manage(site_processes, SETUP).returncode == 0
    return site_processes


def test_two_processes_saving_at_once_lose_nothing(site_env):
    env = site_env

    workers = [start_shell(env, WORKER.format(worker=worker, count=8)) for worker in (1, 2)]
    outputs = [worker.communicate(timeout=180) for worker in workers]
    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        assert "LockError" not in err and "Traceback" not in err, err
        assert out.strip().endswith("ok")

    check = manage(env, CHECK)
    assert check.returncode == 0, check.stderr
    assert "articles 16 indexed 16" in check.stdout, check.stdout
    assert "stale 0" in check.stdout, check.stdout


EDITOR = """
from articles import services
from articles.models import Article, Author, Category
category, author = Category.objects.get(), Author.objects.get()
for number in range({count}):
    token = "kbtok{worker}x{{}}".format(number)
    article = services.save_article(article=Article(title="进程{worker}文章 " + token, body="正文 " + token,
                                                    category=category, author=author, status="draft"))
    services.publish_article(article=article)          # published
    if number % 3 == 1:
        services.unpublish_article(article=article)    # unpublished again
    elif number % 3 == 2:
        services.delete_article(article=article)       # deleted
print("ok")
"""

READER = """
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
failures = 0
for number in range({count}):
    for path in ["/search/?q=kbtok1x{{}}".format(number % 9), "/search/?q=文章&kind=articles", "/"]:
        status = client.get(path).status_code
        if status != 200:
            failures += 1
            print("status", status, path)
print("failures", failures)
"""

FINDABLE = """
from articles.models import Article
from kb.search.selectors import search
expected = {{}}
for worker in range(1, {workers} + 1):
    for number in range({count}):
        expected["kbtok{{}}x{{}}".format(worker, number)] = number % 3 == 0
wrong = []
for token, published in expected.items():
    titles = [hit.object.title for hit in search(token).articles.hits]
    found = any(token in title for title in titles)
    if found != published:
        wrong.append((token, published, found))
print("published", Article.objects.published().count())
print("wrong", len(wrong), wrong[:5])
"""


def test_saving_publishing_and_deleting_while_readers_search(site_env):
    """Three editors' processes publish, unpublish and delete while a reader's process searches."""
    env = site_env
    workers, count = 3, 9

    def start(code):
        return start_shell(env, code)

    processes = [start(EDITOR.format(worker=worker, count=count)) for worker in range(1, workers + 1)]
    processes.append(start(READER.format(count=15)))
    outputs = [process.communicate(timeout=300) for process in processes]
    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        assert "Traceback" not in err and "LockError" not in err, err
    assert "failures 0" in outputs[-1][0], outputs[-1][0]

    check = manage(env, FINDABLE.format(workers=workers, count=count))
    assert check.returncode == 0, check.stderr
    assert f"published {workers * count // 3}" in check.stdout, check.stdout
    assert "wrong 0" in check.stdout, check.stdout
