"""Root URLs: the reading site, the statute library, feeds and the admin."""

from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps_views
from django.urls import include, path
from django.views.decorators.http import require_safe

from articles.feeds import LatestArticlesFeed
from articles.links import at_site_origin
from articles.sitemaps import SITEMAPS
from articles.views import HomeView

from . import views
from .security import AdminLoginForm

admin.site.login_form = AdminLoginForm
admin.site.site_header = "法律知识库 · 编辑后台"
admin.site.site_title = "法律知识库"
admin.site.index_title = "内容管理"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("", include("articles.urls")),
    path("statutes/", include("statutes.urls")),
    path("search/", include("kb.search.urls")),
    # GET and HEAD only: Django's feed and sitemap views answer any method.
    # Their links name the configured origin (at_site_origin); kept by the reader cache (kb.reader_cache)
    # like the pages, so that an edit, a withdrawal or a scheduled time shows in them at once.
    path("feed/", require_safe(at_site_origin(LatestArticlesFeed())), name="feed"),
    # An index over one file per kind of page.
    path(
        "sitemap.xml",
        require_safe(at_site_origin(sitemaps_views.index)),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        require_safe(at_site_origin(sitemaps_views.sitemap)),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
    # The icons browsers ask for at the root (the pages link them too).
    path("favicon.ico", views.root_icon, {"name": "favicon.ico"}, name="favicon"),
    path("apple-touch-icon.png", views.root_icon, {"name": "apple-touch-icon.png"}, name="apple-touch-icon"),
    path("apple-touch-icon-precomposed.png", views.root_icon, {"name": "apple-touch-icon-precomposed.png"}),
    path("admin/", admin.site.urls),
]
