"""Law.title_pinyin: the short title in pinyin, the order of the law list (statutes.collation).

Filled here for the laws already stored; every later write of a law derives it.
"""

from django.db import migrations, models

from statutes.collation import title_pinyin


def fill_title_pinyin(apps, schema_editor):
    Law = apps.get_model("statutes", "Law")
    laws = list(Law.objects.only("id", "title", "short_title"))
    for law in laws:
        law.title_pinyin = title_pinyin(law.short_title or law.title)
    Law.objects.bulk_update(laws, ["title_pinyin"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("statutes", "0002_library_imports"),
    ]

    operations = [
        migrations.AddField(
            model_name="law",
            name="title_pinyin",
            field=models.CharField(blank=True, editable=False, max_length=255, verbose_name="标题拼音"),
        ),
        migrations.RunPython(fill_title_pinyin, migrations.RunPython.noop, elidable=True),
    ]
