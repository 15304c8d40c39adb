"""Template helpers of the reading site: Chinese relative dates, QR codes, JSON-LD, articles citing a provision."""

import json
from functools import lru_cache

import segno
from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles import selectors
from articles.alerts import articles_with_open_alerts

register = template.Library()


def relative_date_text(value, now=None) -> str:
    """刚刚, 5分钟前, 3小时前, 2天前, 5个月前, 1年前."""
    now = now or timezone.now()
    seconds = (now - value).total_seconds()
    if seconds < 60:
        return "刚刚"
    if seconds < 3600:
        return f"{int(seconds // 60)}分钟前"
    if seconds < 86400:
        return f"{int(seconds // 3600)}小时前"
    days = int(seconds // 86400)
    if days < 30:
        return f"{days}天前"
    if days < 365:
        return f"{days // 30}个月前"
    return f"{days // 365}年前"


@register.simple_tag
def relative_date(value):
    """<time> with the relative date and the exact one, as the seed post shows them: 5个月前 (01-27)."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}" title="{}">{} ({})</time>',
        local.isoformat(),
        local.strftime("%Y年%m月%d日 %H:%M"),
        relative_date_text(value),
        local.strftime("%m-%d"),
    )


@lru_cache(maxsize=1024)
def qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=3, border=2, title="本文链接二维码")


@register.simple_tag
def qr_code(url):
    """An inline SVG QR code of the URL, made on the server (no external service)."""
    return mark_safe(qr_svg(str(url)))


@register.simple_tag
def json_ld(data):
    """A schema.org block; <, > and & are escaped so that no text can close the script."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag
def articles_citing(provision):
    """Published articles that cite the provision: for the statute library's provision page."""
    return selectors.articles_citing(provision=provision)


@register.simple_tag
def open_citation_alerts() -> int:
    """How many articles wait for an editor since a library update changed what they cite (admin index)."""
    return articles_with_open_alerts().count()
