"""Admin for editors: what readers search for (and do not find), and the results they pin."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.html import format_html

from statutes.admin import CheckedInputMixin

from . import insight
from .models import PinnedResult, SearchRecord


@admin.register(SearchRecord)
class SearchRecordAdmin(CheckedInputMixin, admin.ModelAdmin):
    """Not a list of rows but a report: the most frequent questions, and those the articles do not answer."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            return super().changelist_view(request, extra_context)  # Django's refusal
        period = request.GET.get("period", insight.DEFAULT_PERIOD)
        period = period if period in insight.PERIODS else insight.DEFAULT_PERIOD
        report = insight.search_report(insight.period_start(period))
        context = {
            "chart": trend_chart(report.trend),
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "读者搜索",
            "report": report,
            "period": period,
            "periods": insight.PERIODS,
            "few_results": insight.FEW_RESULTS,
            "can_pin": request.user.has_perm("search.add_pinnedresult"),
            "can_write": request.user.has_perm("articles.add_article"),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/search/searchrecord/report.html", context)


# The trend chart's drawing area, in the SVG's own units (it scales to the page's width).
CHART_WIDTH, CHART_HEIGHT = 600, 120


def trend_chart(days: list[insight.Day]) -> dict:
    """The bars of the report's trend chart: each day's searches, and the unanswered part of them."""
    tallest = max((day.searches for day in days), default=0)
    step = CHART_WIDTH / max(len(days), 1)
    bars = []
    for number, day in enumerate(days):
        height = CHART_HEIGHT * day.searches / tallest if tallest else 0
        unanswered = CHART_HEIGHT * day.unanswered / tallest if tallest else 0
        bars.append(
            {
                "day": day,
                "x": round(number * step + step * 0.1, 2),
                "width": round(step * 0.8, 2),
                "y": round(CHART_HEIGHT - height, 2),
                "height": round(height, 2),
                "unanswered_y": round(CHART_HEIGHT - unanswered, 2),
                "unanswered_height": round(unanswered, 2),
            }
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "tallest": tallest,
        "first": days[0].day if days else None,
        "last": days[-1].day if days else None,
    }


@admin.register(PinnedResult)
class PinnedResultAdmin(CheckedInputMixin, admin.ModelAdmin):
    list_display = ["query", "article", "shown", "order", "created_at"]
    list_editable = ["order"]
    search_fields = ["query", "article__title"]
    autocomplete_fields = ["article"]
    fields = ["query", "article", "order"]

    class Media:
        css = {"all": ["css/editor.css"]}

    @admin.display(description="读者能看到")
    def shown(self, pin):
        if pin.article.is_published:
            return format_html('<span class="kb-state kb-state--{}">{}</span>', "published", "是")
        if pin.article.is_scheduled:
            return format_html('<span class="kb-state kb-state--{}">{}</span>', "scheduled", "发布后显示")
        return format_html('<span class="kb-state kb-state--{}">{}</span>', "draft", "否（草稿）")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article")
