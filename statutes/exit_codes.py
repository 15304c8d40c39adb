"""What an importer's exit status says: one convention for import_statutes, import_qa and import_posts.

- 0 (IMPORTED): everything was imported, or there was nothing to do (a second run);
- 1 (FAILED): nothing was written;
- 2 (PARTIAL): some records were imported and some refused.

On 1 and 2 the command ends with a CommandError, which manage.py prints without a traceback and
exits with its returncode: a verdict, and every problem on a line of its own naming its file (and
line) and why. One problem is one line in all: "CommandError: Nothing imported (1 problem): qa.jsonl:
line 2: not JSON (…)"; several are the verdict, then a line each. A script (or grep) can count them,
and a caller of call_command (bring_up, tests) finds them all in the exception. It lives in the
bottom layer so that the articles app's importers can use it too.
"""

import re
from collections.abc import Iterable

from django.core.management.base import CommandError

IMPORTED, FAILED, PARTIAL = 0, 1, 2
HELP = (
    "Exit status: 0 everything imported, or nothing to do; 1 nothing written; 2 partly imported, "
    "some refused. On 1 and 2 standard error names every problem, a line each, with its file."
)
MAX_LINE = 1_000
# Line breaks of every kind (str.splitlines splits on \x1c-\x1e, \x85, \u2028 and \u2029 too), tabs, controls.
BREAKS_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: object) -> str:
    """A problem as one line: line breaks and control characters become spaces, a very long one is cut.

    A file name that is not UTF-8 (a lone surrogate in Python) is written escaped, not refused.
    """
    line = " ".join(BREAKS_RE.sub(" ", str(text)).split())
    line = line.encode("utf-8", "backslashreplace").decode("utf-8")
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"


def stop(problems: Iterable[str], *, imported: bool, verdict: str, separator: str = ": ") -> None:
    """End an import that had problems with CommandError: the verdict, then a line per problem.

    Its returncode is PARTIAL when something was imported, FAILED when nothing was. With no
    problems it returns: the import succeeded.
    """
    problems = [one_line(problem) for problem in problems]
    if not problems:
        return
    verdict = one_line(verdict)
    if len(problems) == 1:
        message = f"{verdict}{separator}{problems[0]}"
    else:
        message = f"{verdict}{separator}".rstrip() + "\n" + "\n".join(problems)
    raise CommandError(message, returncode=PARTIAL if imported else FAILED)
