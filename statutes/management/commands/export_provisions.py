"""python manage.py export_provisions 民法典:1032..1034 电信条例:34,65 -o fixtures/demo_statutes.json

Writes chosen provisions, with their laws, as a fixture with natural keys, so that it
loads into any database (loaddata) without clashing ids and loads again without
duplicating anything. This is how fixtures/demo_statutes.json is made from an imported
corpus.
"""

from django.core import serializers
from django.core.management.base import BaseCommand, CommandError

from statutes.models import Law
from statutes.numerals import parse_key


def parse_selection(spec: str) -> tuple[str, list[str]]:
    """ "民法典:1032..1034,1038" → ("民法典", ["1032", "1033", "1034", "1038"]); "刑法:253-1" stays a key."""
    law_name, _, numbers = spec.partition(":")
    if not law_name or not numbers:
        raise CommandError(f"expected LAW:KEYS such as 民法典:1032..1034,1038, got {spec!r}")
    keys = []
    for item in numbers.split(","):
        item = item.strip()
        start, dash, end = item.partition("..")
        if dash:
            try:
                keys.extend(str(number) for number in range(int(start), int(end) + 1))
            except ValueError:
                raise CommandError(f"bad range {item!r}: write 1032..1034") from None
            continue
        try:
            parse_key(item)
        except ValueError as error:
            raise CommandError(str(error)) from None
        keys.append(item)
    return law_name, keys


class Command(BaseCommand):
    help = "Write chosen provisions and their laws as a JSON fixture with natural keys."

    def add_arguments(self, parser):
        parser.add_argument(
            "selections", nargs="+", help="LAW:KEYS, e.g. 民法典:1032..1034,1038 or 刑法:253-1,293-1"
        )
        parser.add_argument("-o", "--output", required=True, help="the fixture file to write")

    def handle(self, *args, selections, output, **options):
        laws, provisions = [], []
        for spec in selections:
            law_name, keys = parse_selection(spec)
            law = Law.objects.current().filter(short_title=law_name).first()
            if law is None:
                raise CommandError(f"no current law with the short title {law_name!r}")
            found = list(law.provisions.filter(key__in=keys).order_by("order"))
            missing = sorted(set(keys) - {provision.key for provision in found})
            if missing:
                raise CommandError(f"{law.title} has no provision {', '.join(missing)}")
            laws.append(law)
            provisions.extend(found)
        with open(output, "w", encoding="utf-8") as handle:
            serializers.serialize(
                "json",
                [*laws, *provisions],
                stream=handle,
                indent=1,
                ensure_ascii=False,
                use_natural_foreign_keys=True,
                use_natural_primary_keys=True,
            )
        self.stdout.write(f"Wrote {len(laws)} laws and {len(provisions)} provisions to {output}.")
