from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmarks, at the top of the house: they measure every layer below.

    Scripts (load.py, cold_start.py, import_statutes.py) run on their own; the quality
    benchmarks are management commands (bench_search, bench_related) over the configured site.
    """

    name = "bench"
    verbose_name = "基准测试"
