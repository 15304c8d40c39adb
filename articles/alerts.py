"""Alerts on published articles whose cited provisions a library update changed (issue: keeping the
library current): made when statutes announce an update, listed and resolved by editors."""

from statutes.models import LawChange, LibraryImport, ProvisionChange

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
