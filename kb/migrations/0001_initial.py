from django.db import migrations, models


def first_generation(apps, schema_editor):
    apps.get_model("kb", "ContentGeneration").objects.get_or_create(pk=1)


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name='ContentGeneration',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('value', models.BigIntegerField(default=1, verbose_name='代数')),
            ],
            options={
                'verbose_name': '内容代数',
                'verbose_name_plural': '内容代数',
            },
        ),
        migrations.RunPython(first_generation, migrations.RunPython.noop),
    ]
