"""Site-wide pages that belong to no app."""

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from articles.links import absolute_url


@require_safe
def robots_txt(request):
    sitemap = absolute_url(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /search/suggest", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
