"""What readers search for (recorded for editors) and what editors put first for a query."""

from django.db import models

from .query import normalize_query


class SearchRecord(models.Model):
    """One question a reader searched for, and what it found: for editors to see what to write next.

    Only the normalized text, the counts and the time: no address, no user, no session.
    """

    query = models.CharField("搜索词", max_length=200, db_index=True)
    articles_found = models.PositiveIntegerField(
        "相关文章数", help_text="回答这个问题的文章：问题的词在其中分量足够，或编辑置顶。"
    )
    provisions_found = models.PositiveIntegerField("法条结果数")
    # The page's own verdict (kb.search.meaning.answered): None for searches recorded before it was kept.
    answered = models.BooleanField("有答案", null=True)
    searched_at = models.DateTimeField("搜索时间", db_index=True)

    class Meta:
        verbose_name = "读者搜索"
        verbose_name_plural = "读者搜索"
        ordering = ["-searched_at"]
        indexes = [
            # The report's "what does this question find now": each question's latest search, a seek.
            models.Index(fields=["query", "-searched_at"], name="searchrecord_query_latest"),
        ]

    def __str__(self):
        return self.query


class SearchClick(models.Model):
    """A result a reader opened from the search page: the question (as recorded) and what it led to.

    Taken from the page's Referer (our own search page, same origin), when the article or provision
    page is counted as a reader's view; nothing about the reader is kept.
    """

    query = models.CharField("搜索词", max_length=200)
    article = models.ForeignKey(
        "articles.Article",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="文章",
    )
    provision = models.ForeignKey(
        "statutes.Provision",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="法条",
    )
    clicked_at = models.DateTimeField("点击时间")

    class Meta:
        verbose_name = "搜索结果点击"
        verbose_name_plural = "搜索结果点击"
        ordering = ["-clicked_at"]
        indexes = [models.Index(fields=["query", "-clicked_at"], name="searchclick_query_time")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(article__isnull=True) ^ models.Q(provision__isnull=True),
                name="searchclick_one_target",
            ),
        ]

    def __str__(self):
        return f"{self.query} → {self.article or self.provision}"


class PinnedResult(models.Model):
    """An article an editor puts first for a query (编辑推荐), whatever the ranking says."""

    query = models.CharField(
        "搜索词", max_length=200, db_index=True, help_text="读者输入这个词（规范化后相同）时置顶。"
    )
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="pins", verbose_name="文章"
    )
    order = models.PositiveSmallIntegerField("顺序", default=0, help_text="同一搜索词有多篇时，小的在前。")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "编辑推荐"
        verbose_name_plural = "编辑推荐"
        ordering = ["query", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["query", "article"], name="pinned_result_unique_article"),
        ]

    def __str__(self):
        return f"{self.query} → {self.article}"

    def save(self, *args, **kwargs):
        # As the search page reads a query: 網貸 and 网贷, full-width and half-width, pin alike.
        self.query = normalize_query(self.query)[0]
        super().save(*args, **kwargs)
