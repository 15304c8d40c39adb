from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "kb.backups"
    label = "backups"
    verbose_name = "备份"
