"""The search page and the suggestions behind the search box."""

from django.conf import settings
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from articles.models import Article, Category
from statutes.models import Level

from . import selectors
from .query import MAX_QUERY_LENGTH

PER_PAGE = 10
MAX_PAGE = 50
KINDS = {"all", "articles", "provisions"}
POPULAR_SEARCHES = [
    "网贷逾期爆通讯录",
    "公司不给加班费",
    "违法辞退赔偿",
    "离婚房产分割",
    "民间借贷利率",
    "交通事故赔偿",
    "网购假货退一赔三",
    "个人信息泄露",
]


def page_number(value: str | None) -> int:
    """?page=… as a number from 1 to MAX_PAGE; anything else is a missing page (404)."""
    if value in (None, ""):
        return 1
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_PAGE:
        raise Http404("没有这一页")
    return int(value)


class SearchView(TemplateView):
    """The search page. A reader's question asked afresh is recorded for editors by the reader cache
    (kb.reader_cache), from what the response says it answered: each time it is served, kept or not."""

    template_name = "search/search.html"
    reader_search = None

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        response.reader_search = self.reader_search
        return response

    def get_context_data(self, **kwargs):
        params = self.request.GET
        raw = params.get("q", "")
        kind = params.get("type", "all")
        kind = kind if kind in KINDS else "all"
        level = params.get("level", "")
        level = level if level in Level.values else ""
        category_id = params.get("category", "")
        # A row id fits in 64 bits; a longer number is no category (SQLite cannot even compare it).
        category_id = (
            int(category_id)
            if category_id.isascii() and category_id.isdigit() and len(category_id) <= 18
            else None
        )
        include_superseded = params.get("versions") == "all"
        page = page_number(params.get("page"))
        per_page = PER_PAGE if kind != "all" else 5
        outcome = selectors.search(
            raw,
            kind=kind,
            include_superseded=include_superseded,
            level=level,
            category_id=category_id,
            offset=(page - 1) * per_page,
            limit=per_page,
        )
        shown = outcome.articles if kind == "articles" else outcome.provisions
        if page > 1 and not shown.hits:
            raise Http404("没有这一页")
        # Whether anything here answers the question: meaning's judgement, or, until its vectors are
        # built, whether words found anything at all.
        answered = outcome.answered
        if answered is None:
            answered = bool(outcome.cited or outcome.articles.hits or outcome.provisions.hits)
        asked_afresh = kind == "all" and page == 1 and not (level or category_id or include_superseded)
        if asked_afresh and not outcome.query.is_empty:
            # A question as typed in the search box; paging and filtering it are not new ones.
            self.reader_search = {
                "query": outcome.query.text,
                "articles_found": outcome.articles.relevant if answered else 0,
                "provisions_found": outcome.provisions.total,
                "answered": answered,
            }
        return super().get_context_data(
            outcome=outcome,
            answered=answered,
            # Search by meaning is on but its vectors are still being built (the first start).
            meaning_pending=bool(settings.KB_EMBEDDER) and not outcome.meaning_ready,
            query=outcome.query,
            kind=kind,
            level=level,
            category_id=category_id,
            include_superseded=include_superseded,
            page=page,
            has_next=kind != "all" and page * per_page < shown.total and page < MAX_PAGE,
            levels=Level.choices,
            categories=Category.objects.order_by("order", "name"),
            popular=POPULAR_SEARCHES,
            latest=Article.objects.published().only("id", "title")[:5],
            max_length=MAX_QUERY_LENGTH,
            **kwargs,
        )


@require_safe
def suggest(request):
    """JSON suggestions for the search box; the page works without it."""
    return JsonResponse({"suggestions": selectors.suggestions(request.GET.get("q", ""))})
