"""The statute library: laws (one row per version) and their provisions (条)."""

import datetime

from django.db import models
from django.db.models import Count, Q
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse

from .collation import initial, title_pinyin
from .numerals import format_key, format_label
from .parser import ITEM_RE


class Level(models.TextChoices):
    """The rank of a norm in the hierarchy of Chinese law, highest first."""

    CONSTITUTION = "宪法", "宪法"
    LAW = "法律", "法律"
    ADMINISTRATIVE_REGULATION = "行政法规", "行政法规"
    JUDICIAL_INTERPRETATION = "司法解释", "司法解释"
    DEPARTMENTAL_RULE = "部门规章", "部门规章"
    OTHER = "其他", "其他"

    @classmethod
    def rank(cls, value: str) -> int:
        return cls.values.index(value) if value in cls.values else len(cls.values)


class Status(models.TextChoices):
    IN_FORCE = "现行有效", "现行有效"
    AMENDED = "已修改", "已修改"
    REPEALED = "已废止", "已废止"
    NOT_YET_IN_FORCE = "尚未生效", "尚未生效"


def date_rank(day: datetime.date | None) -> datetime.date:
    """How versions of a law are ordered: by promulgation date, an undated one first."""
    return day or datetime.date.min


# What "in force" means, once: the latest version of a law, with the status 现行有效.
IN_FORCE = Q(is_current=True, status=Status.IN_FORCE)


class LawQuerySet(models.QuerySet):
    def current(self):
        """The latest version of each law: exactly one row per title."""
        return self.filter(is_current=True)

    def in_force(self):
        """Current versions that are in force today."""
        return self.filter(IN_FORCE)

    def not_in_force(self):
        """Older versions, and current ones amended, repealed or not yet in force."""
        return self.exclude(IN_FORCE)

    def with_provision_count(self):
        return self.annotate(provision_count=Count("provisions"))

    def matching_title(self, text: str):
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(title__icontains=text) | Q(short_title__icontains=text))


class LawManager(models.Manager.from_queryset(LawQuerySet)):
    def get_by_natural_key(self, title, promulgated_on):
        return self.get(title=title, promulgated_on=promulgated_on)


class Law(models.Model):
    """One version of one law, regulation or judicial interpretation, as published.

    A law amended over time has one row per version; the latest is_current. Text
    that belongs to no 条 is kept beside the provisions: the preamble (宪法 序言, or the
    whole text of an amendment or decision that has no 条), annexes and editorial notes.
    """

    title = models.CharField("标题", max_length=200, db_index=True)
    short_title = models.CharField("简称", max_length=200, db_index=True)
    # The short title in pinyin, the order of the law list (statutes.collation); derived on every save.
    title_pinyin = models.CharField("标题拼音", max_length=255, blank=True, editable=False)
    aliases = models.JSONField("别名", default=list, blank=True)
    level = models.CharField("效力级别", max_length=10, choices=Level.choices, default=Level.LAW)
    category = models.CharField("法律部门", max_length=30, blank=True)
    status = models.CharField("时效性", max_length=10, choices=Status.choices, default=Status.IN_FORCE)
    is_current = models.BooleanField("最新版本", default=True)
    promulgated_on = models.DateField("公布日期", null=True, blank=True)
    effective_on = models.DateField("施行日期", null=True, blank=True)
    history = models.TextField("制定和修改", blank=True, help_text="每行一次：日期与事件。")
    preamble = models.TextField("序言或正文", blank=True, help_text="不属于任何一条的正文，每段一行。")
    annex = models.TextField("附件", blank=True)
    notes = models.TextField("注释", blank=True)
    source = models.CharField("来源文件", max_length=500, blank=True)

    objects = LawManager()

    class Meta:
        verbose_name = "法律法规"
        verbose_name_plural = "法律法规"
        ordering = ["title", "-promulgated_on"]
        constraints = [
            models.UniqueConstraint(fields=["title", "promulgated_on"], name="law_unique_version"),
            models.UniqueConstraint(
                fields=["title"], condition=Q(is_current=True), name="law_one_current_version"
            ),
        ]
        indexes = [models.Index(fields=["level", "title"])]

    def __str__(self):
        return self.title

    def save(self, *args, update_fields=None, **kwargs):
        # title_pinyin itself is derived just before the row is written (derive_title_pinyin below);
        # a save of the titles alone writes it too.
        if update_fields is not None and {"title", "short_title"} & set(update_fields):
            update_fields = {*update_fields, "title_pinyin"}
        super().save(*args, update_fields=update_fields, **kwargs)

    def get_absolute_url(self):
        return reverse("statutes:law_detail", args=[self.pk])

    def natural_key(self):
        return (self.title, self.promulgated_on.isoformat() if self.promulgated_on else None)

    @property
    def title_initial(self) -> str:
        """The letter the law is listed under in the law list (M for 中华人民共和国民法典)."""
        return initial(self.title_pinyin)

    @property
    def title_prefix(self) -> str:
        """What the title has before its short title (中华人民共和国), shown lighter in lists."""
        if self.short_title and self.title != self.short_title and self.title.endswith(self.short_title):
            return self.title.removesuffix(self.short_title)
        return ""

    @property
    def is_in_force(self) -> bool:
        """The rule of LawQuerySet.in_force(), for one law in hand."""
        return self.is_current and self.status == Status.IN_FORCE

    @property
    def is_repealed(self) -> bool:
        return self.status == Status.REPEALED

    @property
    def status_kind(self) -> str:
        """in-force, pending or inactive: how a page marks the law's status."""
        return {Status.IN_FORCE: "in-force", Status.NOT_YET_IN_FORCE: "pending"}.get(self.status, "inactive")

    @property
    def history_lines(self) -> list[str]:
        return [line for line in self.history.splitlines() if line.strip()]

    @property
    def preamble_paragraphs(self) -> list[str]:
        return [line for line in self.preamble.splitlines() if line.strip()]

    @property
    def annex_paragraphs(self) -> list[str]:
        return [line for line in self.annex.splitlines() if line.strip()]

    @property
    def note_lines(self) -> list[str]:
        return [line for line in self.notes.splitlines() if line.strip()]


@receiver(pre_save, sender=Law)
def derive_title_pinyin(sender, instance: Law, **kwargs):
    """Law.title_pinyin from the short title, at every write of a law: its save, and the raw saves of
    loaddata (the demo fixture, a restored backup), which do not call Law.save."""
    instance.title_pinyin = title_pinyin(instance.short_title or instance.title)


class ProvisionQuerySet(models.QuerySet):
    def of_current_laws(self):
        return self.filter(law__is_current=True)

    def in_reading_order(self):
        return self.order_by("law_id", "order")


class ProvisionManager(models.Manager.from_queryset(ProvisionQuerySet)):
    def get_by_natural_key(self, title, promulgated_on, key):
        return self.get(law__title=title, law__promulgated_on=promulgated_on, key=key)


class Provision(models.Model):
    """One 条 of a law: its number, its text with 款 and 项 as lines, and the headings above it.

    A 条 repealed in place ("（删去）") keeps its row, marked is_repealed, so that the
    numbering of the law stays whole and old citations still land somewhere.
    """

    law = models.ForeignKey(Law, on_delete=models.CASCADE, related_name="provisions", verbose_name="法律法规")
    number = models.PositiveIntegerField("条号")
    suffix = models.PositiveSmallIntegerField(
        "之X", default=0, help_text="第二百五十三条之一 → 1；无则为 0。"
    )
    label = models.CharField("条文序号", max_length=30)
    key = models.CharField("网址键", max_length=12, help_text='"1032"，"253-1"')
    text = models.TextField("条文", help_text="每款或每项一行。")
    part = models.CharField("编", max_length=100, blank=True)
    subpart = models.CharField("分编", max_length=100, blank=True)
    chapter = models.CharField("章", max_length=200, blank=True)
    section = models.CharField("节", max_length=200, blank=True)
    order = models.PositiveIntegerField("顺序")
    is_repealed = models.BooleanField("已删去", default=False)

    objects = ProvisionManager()

    class Meta:
        verbose_name = "条文"
        verbose_name_plural = "条文"
        ordering = ["law", "order"]
        constraints = [
            models.UniqueConstraint(fields=["law", "number", "suffix"], name="provision_unique_number"),
            models.UniqueConstraint(fields=["law", "key"], name="provision_unique_key"),
        ]
        indexes = [models.Index(fields=["law", "order"])]

    def __str__(self):
        return f"{self.law.short_title} {self.label}"

    def save(self, *args, **kwargs):
        self.label = format_label(self.number, self.suffix)
        self.key = format_key(self.number, self.suffix)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("statutes:provision_detail", args=[self.law_id, self.key])

    def natural_key(self):
        return (*self.law.natural_key(), self.key)

    natural_key.dependencies = ["statutes.law"]

    @property
    def headings(self) -> list[str]:
        """编, 分编, 章, 节 above this 条, outermost first, the empty ones left out."""
        return [heading for heading in (self.part, self.subpart, self.chapter, self.section) if heading]

    @property
    def paragraphs(self) -> list[str]:
        return [line for line in self.text.splitlines() if line.strip()]

    @property
    def layout(self) -> list[tuple[str, str]]:
        """Each line with its kind: ("item", …) for a 项 such as （一）…, ("clause", …) for a 款."""
        return [("item" if ITEM_RE.match(line) else "clause", line) for line in self.paragraphs]


class LibraryImport(models.Model):
    """One run of import_statutes: what it read, and what it changed in the library (its report).

    Saved for every run, an unchanged one too ("nothing changed"), so the admin shows each import
    with its report; the changes themselves are LawChange and ProvisionChange rows.
    """

    source = models.CharField("导入来源", max_length=500)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True, help_text="空：导入中途停止。")
    summary = models.JSONField("统计", default=dict, help_text="文件、法律、版本与条文的计数。")
    problems = models.JSONField("问题", default=list, blank=True, help_text="跳过的文件与警告，每条一行。")

    class Meta:
        verbose_name = "法库更新"
        verbose_name_plural = "法库更新"
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.source}（{self.started_at:%Y-%m-%d %H:%M}）"

    @property
    def changed(self) -> bool:
        return any(self.summary.get(name) for name in CHANGE_COUNTS)


# The counts of a LibraryImport's summary that mean the library changed.
CHANGE_COUNTS = [
    "laws_added",
    "versions_added",
    "laws_amended",
    "laws_repealed",
    "provisions_added",
    "provisions_changed",
    "provisions_removed",
    "provisions_renumbered",
]


class LawChange(models.Model):
    """What one import did to one law: a new law, a new version, its current text amended in place,
    or the law repealed."""

    class Kind(models.TextChoices):
        ADDED = "added", "新法"
        NEW_VERSION = "new_version", "新版本"
        AMENDED = "amended", "条文修改"
        REPEALED = "repealed", "废止"

    library_import = models.ForeignKey(
        LibraryImport, on_delete=models.CASCADE, related_name="law_changes", verbose_name="法库更新"
    )
    law = models.ForeignKey(Law, on_delete=models.CASCADE, related_name="changes", verbose_name="法律法规")
    previous = models.ForeignKey(
        Law,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="上一版本",
        help_text="新版本之前的现行版本。",
    )
    kind = models.CharField("变动", max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = "法律变动"
        verbose_name_plural = "法律变动"
        ordering = ["library_import", "law__title"]

    def __str__(self):
        return f"{self.law}：{self.get_kind_display()}"


class ProvisionChange(models.Model):
    """One provision added, changed, removed or renumbered by an import (statutes.changes).

    The texts are kept as they were compared, so the report reads the same after later imports.
    """

    class Kind(models.TextChoices):
        ADDED = "added", "新增"
        CHANGED = "changed", "修改"
        REMOVED = "removed", "删除"
        RENUMBERED = "renumbered", "条号变动"

    law_change = models.ForeignKey(
        LawChange, on_delete=models.CASCADE, related_name="provision_changes", verbose_name="法律变动"
    )
    kind = models.CharField("变动", max_length=20, choices=Kind.choices)
    old_provision = models.ForeignKey(
        Provision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="原条文"
    )
    new_provision = models.ForeignKey(
        Provision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="新条文"
    )
    old_label = models.CharField("原条号", max_length=30, blank=True)
    new_label = models.CharField("新条号", max_length=30, blank=True)
    old_text = models.TextField("原文", blank=True)
    new_text = models.TextField("新文", blank=True)
    similarity = models.FloatField("相似度", default=0.0)

    class Meta:
        verbose_name = "条文变动"
        verbose_name_plural = "条文变动"
        ordering = ["law_change", "pk"]

    def __str__(self):
        return f"{self.old_label or '—'} → {self.new_label or '—'}：{self.get_kind_display()}"
