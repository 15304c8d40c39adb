"""The article admin's side of library updates: the 所引法条已修改 filter, and on the change form each
open alert with the old and new texts side by side and its two actions (articles.alerts)."""

from django.contrib import admin, messages
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from statutes.diff import diff_html

from . import alerts, services
from .models import CitationAlert


class CitationAlertFilter(admin.SimpleListFilter):
    title = "所引法条已修改"
    parameter_name = "cited_changed"

    def lookups(self, request, model_admin):
        return [("open", "有待处理的提醒"), ("resolved", "提醒都已处理")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(pk__in=alerts.open_alerts().values("article_id"))
        if self.value() == "resolved":
            handled = CitationAlert.objects.filter(resolved_at__isnull=False).values("article_id")
            return queryset.filter(pk__in=handled).exclude(pk__in=alerts.open_alerts().values("article_id"))
        return queryset


class CitationAlertAdminMixin:
    """For ArticleAdmin: the alerts' panel (a read-only field) and the two actions' URLs."""

    def alert_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<id:object_id>/alerts/<id:alert_id>/cite-new/",
                wrap(self.cite_new_view),
                name="articles_article_alert_cite_new",
            ),
            path(
                "<id:object_id>/alerts/<id:alert_id>/acknowledge/",
                wrap(self.acknowledge_view),
                name="articles_article_alert_acknowledge",
            ),
        ]

    @admin.display(description="所引法条已修改")
    def citation_alerts(self, article):
        if not article.pk:
            return "—"
        open_alerts = list(
            alerts.open_alerts()
            .filter(article=article)
            .select_related("provision__law", "law_change__law", "provision_change__new_provision__law")
        )
        if not open_alerts:
            return "没有待处理的提醒：本文引用的法条在最近的法库更新中没有变动。"
        return format_html(
            '<p class="help" id="alerts">法库更新后，本文引用的这些法条有了变动。每条选一个处理：“引用新条文”把正文里的旧引文和条号'
            "换成现行的（保存一次，留下修订记录）；“确认无需修改”需写明理由，记入修订历史。处理前请先保存其他修改。</p>{}",
            format_html_join("", "{}", ((self.alert_panel(article, alert),) for alert in open_alerts)),
        )

    def alert_panel(self, article, alert):
        change = alert.provision_change
        new = alerts.new_text_of(alert)
        old_text = change.old_text if change else alert.provision.text
        new_text = new.text if new is not None else ""
        cite_url = reverse("admin:articles_article_alert_cite_new", args=[article.pk, alert.pk])
        acknowledge_url = reverse("admin:articles_article_alert_acknowledge", args=[article.pk, alert.pk])
        cite_button = (
            format_html(
                '<button type="submit" class="button kb-nowrap" formaction="{}" formnovalidate>引用新条文</button>',
                cite_url,
            )
            if new is not None
            else format_html('<span class="help">{}</span>', "没有可以引用的新条文（已删除或已废止）")
        )
        return format_html(
            '<div class="kb-alert" id="alert-{}"><p><strong>{}</strong> {}（{}）</p>'
            '<div class="kb-alert-texts"><div><h4>原条文 {}</h4><div class="diff-text">{}</div></div>'
            '<div><h4>现行条文 {}</h4><div class="diff-text">{}</div></div></div>'
            '<p class="kb-alert-actions">{} <input type="text" name="alert_reason_{}" maxlength="400" '
            'placeholder="无需修改的理由" aria-label="无需修改的理由"> '
            '<button type="submit" class="button kb-nowrap" formaction="{}" formnovalidate>确认无需修改</button></p></div>',
            alert.pk,
            alert.provision,
            alert.what_changed,
            alert.law_change.library_import.started_at.date().isoformat(),
            change.old_label if change else alert.provision.label,
            old_text,
            new.label if new is not None else "",
            diff_html(old_text, new_text) if new is not None else "—",
            cite_button,
            alert.pk,
            acknowledge_url,
        )

    def cite_new_view(self, request, object_id, alert_id):
        def cite_new(alert) -> str:
            done = alerts.cite_new_text(alert, user=request.user)
            quoted = (
                f"正文中替换了 {done.quotes_replaced} 处引文"
                if done.quotes_replaced
                else "正文中没有原样的旧引文"
            )
            return f"已引用新条文：{quoted}，改写了 {done.references_renumbered} 处条号。请核对正文。"

        return self.alert_action(request, object_id, alert_id, cite_new)

    def acknowledge_view(self, request, object_id, alert_id):
        def acknowledge(alert) -> str:
            reason = request.POST.get(f"alert_reason_{alert.pk}", "")
            alerts.acknowledge(alert, user=request.user, reason=reason)
            return f"已确认无需修改：{alert.provision}。理由记入了修订历史。"

        return self.alert_action(request, object_id, alert_id, acknowledge)

    def alert_action(self, request, object_id, alert_id, act):
        """One of an alert's two actions: a POST by an editor who may change the article; act(alert)
        does it and says what it did. Back to the change form, with a message either way."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_object(request, str(object_id))
        if article is None or not self.has_change_permission(request, article):
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(object_id))
        alert = get_object_or_404(
            CitationAlert.objects.select_related("article"), pk=alert_id, article=article
        )
        try:
            messages.success(request, act(alert))
        except alerts.AlertResolved:
            messages.warning(request, "这条提醒已经有人处理过了，未做改动。")
        except (ValueError, services.PublishRefused) as refused:
            messages.error(request, f"没有改动：{refused}")
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[object_id]) + "#alerts")
