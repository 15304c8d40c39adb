"""Site-wide state that belongs to no feature."""

from django.db import models


class ContentGeneration(models.Model):
    """The number every kept reader page and result is filed under (kb.reader_cache).

    One row. A change readers would see (an article saved or deleted, the index taking it in)
    moves it on; in the database, so that it never goes backwards: a cache server that restarts
    empty, or each process's own copies, can never bring back a page filed under an older number.
    """

    value = models.BigIntegerField("代数", default=1)

    class Meta:
        verbose_name = "内容代数"
        verbose_name_plural = "内容代数"

    def __str__(self):
        return str(self.value)
