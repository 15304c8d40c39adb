"""The queue of search index updates that saves leave behind for the single index writer."""

from django.db import models


class IndexTask(models.Model):
    """An object whose search document must be brought up to date (written or removed).

    Rows are written in the editor's transaction's wake and deleted once the index has
    them, so an update is never lost: if the writer is busy or fails, the row waits for
    the next drain (any save, or `manage.py process_index_queue`).
    """

    model = models.CharField("模型", max_length=100)
    object_pk = models.CharField("对象", max_length=64)
    created_at = models.DateTimeField("加入时间", auto_now_add=True)

    class Meta:
        verbose_name = "索引任务"
        verbose_name_plural = "索引任务"
        ordering = ["id"]
        indexes = [models.Index(fields=["model", "object_pk"])]

    def __str__(self):
        return f"{self.model} {self.object_pk}"
