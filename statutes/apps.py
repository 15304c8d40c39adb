from django.apps import AppConfig


class StatutesConfig(AppConfig):
    name = "statutes"
    verbose_name = "法规库"
