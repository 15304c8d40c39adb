"""Article titles stored before statutes.text.one_line joined Chinese lines without a space.

An imported question written over two lines ("承担违约责任吗？\\n向第三人放货") was stored with a
space where the line broke ("…吗？ 向第三人放货"); a title typed with a space before a full-width
comma kept it. The write path stores them as one_line gives them now; this brings the stored rows
in line. Only the title changes (the search index, the revisions and the kept pages differ from it
by blanks alone, which neither search nor readers see).
Here rather than in articles/: the articles' own migrations are being added to on other branches.
"""

from django.db import migrations

from statutes.text import one_line


def titles_on_one_line(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    changed = []
    for article in Article.objects.only("id", "title").iterator(chunk_size=1000):
        title = one_line(article.title)
        if title and title != article.title:
            article.title = title
            changed.append(article)
    Article.objects.bulk_update(changed, ["title"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0001_initial"),
        ("articles", "0009_drop_page_version"),
    ]

    operations = [
        migrations.RunPython(titles_on_one_line, migrations.RunPython.noop, elidable=True),
    ]
