"""Alerts on published articles whose cited provisions a library update changed (issue: keeping the
library current): made when statutes announce an update, listed and resolved by editors."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from statutes.citations import find_references, known_law_names, resolve_references
from statutes.models import LawChange, LibraryImport, Provision, ProvisionChange
from statutes.numerals import format_label
from statutes.text import one_line

from . import services
from .models import Article, Citation, CitationAlert

# What became of a cited provision that calls for an editor: its words, its place or itself.
ALERTING_KINDS = [ProvisionChange.Kind.CHANGED, ProvisionChange.Kind.REMOVED, ProvisionChange.Kind.RENUMBERED]


def flag_citing_articles(record: LibraryImport) -> int:
    """An alert for each published article citing a provision this update changed, removed or
    renumbered, or of a law it repealed. Re-runnable: an alert is made once. Returns how many were made."""
    published = Citation.objects.filter(article__status=Article.Status.PUBLISHED)
    alerts = []
    changes = ProvisionChange.objects.filter(
        law_change__library_import=record, kind__in=ALERTING_KINDS, old_provision__isnull=False
    ).select_related("law_change")
    by_provision = {change.old_provision_id: change for change in changes}
    for citation in published.filter(provision_id__in=list(by_provision)):
        change = by_provision[citation.provision_id]
        alerts.append(
            CitationAlert(
                article_id=citation.article_id,
                provision_id=citation.provision_id,
                law_change=change.law_change,
                provision_change=change,
            )
        )
    repeals = {
        change.law_id: change
        for change in LawChange.objects.filter(library_import=record, kind=LawChange.Kind.REPEALED)
    }
    if repeals:
        for citation in published.filter(provision__law_id__in=list(repeals)).select_related("provision"):
            alerts.append(
                CitationAlert(
                    article_id=citation.article_id,
                    provision_id=citation.provision_id,
                    law_change=repeals[citation.provision.law_id],
                )
            )
    before = CitationAlert.objects.count()
    CitationAlert.objects.bulk_create(alerts, ignore_conflicts=True, batch_size=500)
    return CitationAlert.objects.count() - before


def open_alerts():
    return CitationAlert.objects.filter(resolved_at__isnull=True)


def articles_with_open_alerts():
    return Article.objects.filter(pk__in=open_alerts().values("article_id"))


def on_library_updated(sender, record: LibraryImport, **kwargs) -> None:
    if record.changed:
        flag_citing_articles(record)


# --- what editors do with an alert ----------------------------------------------------------


class AlertResolved(Exception):
    """The alert was resolved meanwhile (another editor, another tab): nothing done."""


@dataclass
class CitedNew:
    """What 引用新条文 did to the body: the quotations replaced and the references renumbered."""

    article: Article
    quotes_replaced: int
    references_renumbered: int


def new_text_of(alert: CitationAlert) -> Provision | None:
    """The provision in force that takes the cited one's place; None when nothing does (removed, repealed)."""
    change = alert.provision_change
    if change is None or change.kind == ProvisionChange.Kind.REMOVED:
        return None
    return change.new_provision


def acknowledge(alert: CitationAlert, *, user, reason: str) -> CitationAlert:
    """确认无需修改: the alert resolved with the editor's reason, kept in the article's revision history."""
    reason = one_line(reason).strip()
    if not reason:
        raise ValueError("请写明为什么无需修改。")
    with transaction.atomic():
        alert = locked_open(alert)
        note = f"确认无需修改：{alert.provision} {alert.what_changed}（{reason}）"
        # The article as it is, saved for its revision; a quotation the change made stale must not
        # stop it: the editor has just said why it stands.
        services.save_article(article=alert.article, user=user, comment=note, publish_reason=note)
        return resolve(alert, CitationAlert.Resolution.ACKNOWLEDGED, user, reason)


def cite_new_text(alert: CitationAlert, *, user) -> CitedNew:
    """引用新条文: the body's quotations of the old text become the new text, its references to the old
    number the new one, and the editor's own citation row the new provision; one save through the
    write path (a revision saying so), then the alert is resolved."""
    new = new_text_of(alert)
    if new is None:
        raise ValueError("这一条已被删除或所在法规已废止，没有可以引用的新条文。")
    with transaction.atomic():
        alert = locked_open(alert)
        article = alert.article
        old = alert.provision_change
        body, quotes = replace_quotation(article.body, old.old_text, new.text)
        body, renumbered = renumber_references(body, alert.provision, new)
        article.body = body
        editor_rows = list(
            article.citations.filter(added_by=Citation.AddedBy.EDITOR)
            .order_by("order", "pk")
            .values_list("provision_id", flat=True)
        )
        editor_rows = list(dict.fromkeys(new.pk if pk == alert.provision_id else pk for pk in editor_rows))
        note = f"引用新条文：{alert.provision} → {new}（{alert.what_changed}）"
        services.save_article(
            article=article, editor_citations=editor_rows, user=user, comment=note, publish_reason=note
        )
        resolve(alert, CitationAlert.Resolution.CITED_NEW, user, "")
    return CitedNew(article, quotes, renumbered)


def locked_open(alert: CitationAlert) -> CitationAlert:
    # Only the alert's row is locked: PostgreSQL refuses FOR UPDATE on the nullable side of the joins.
    locked = CitationAlert.objects.select_for_update(of=("self",)).select_related(
        "article", "provision__law", "provision_change__new_provision__law"
    )
    alert = locked.get(pk=alert.pk)
    if alert.resolved_at is not None:
        raise AlertResolved(alert)
    return alert


def resolve(alert: CitationAlert, resolution: str, user, reason: str) -> CitationAlert:
    alert.resolved_at = timezone.now()
    alert.resolution = resolution
    alert.resolved_by = user if getattr(user, "pk", None) else None
    alert.reason = reason[: CitationAlert._meta.get_field("reason").max_length]
    alert.save(update_fields=["resolved_at", "resolution", "resolved_by", "reason"])
    return alert


def replace_quotation(body: str, old_text: str, new_text: str) -> tuple[str, int]:
    """The old text where the body quotes it whole (its 款 on lines, or run together), as the new one."""
    if not old_text.strip() or old_text == new_text:
        return body, 0
    for old, new in (
        (old_text, new_text),
        (old_text.replace("\n", ""), new_text.replace("\n", "")),
        (old_text.replace("\n", " "), new_text.replace("\n", " ")),
    ):
        if old in body:
            return body.replace(old, new), body.count(old)
    return body, 0


def renumber_references(body: str, old: Provision, new: Provision) -> tuple[str, int]:
    """References to the old provision's number in its law, written anew with the new number, in the
    style they were written in (第二条 / 第2条)."""
    if (old.number, old.suffix) == (new.number, new.suffix):
        return body, 0
    pieces, position, count = [], 0, 0
    for reference in find_references(body, known_law_names()):
        if (reference.number, reference.suffix) != (old.number, old.suffix):
            continue
        if resolve_references([reference])[0].law is None or reference.law.title != old.law.title:
            continue
        written = body[reference.start : reference.end]
        for before, after in (
            (format_label(old.number, old.suffix), format_label(new.number, new.suffix)),
            (f"第{old.number}条", f"第{new.number}条"),
        ):
            if before in written:
                pieces += [body[position : reference.start], written.replace(before, after, 1)]
                position, count = reference.end, count + 1
                break
    return "".join(pieces) + body[position:], count
