"""Template filters of the site's own pages (templates/base.html)."""

from django import template

from statutes.text import joined_lines

register = template.Library()


@register.filter(is_safe=True)
def one_line(value):
    """A page's title on one line, whatever a template or a stored row put in it (statutes.text)."""
    return joined_lines(str(value))
