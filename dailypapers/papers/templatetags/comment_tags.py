"""Template filters for comments."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from dailypapers.papers.comment_markdown import excerpt, render_comment

register = template.Library()


@register.filter
def comment_html(body: str) -> SafeString:
    """A comment's Markdown as HTML, sanitized by `comment_markdown` (hence safe to mark)."""
    return mark_safe(render_comment(body))


@register.filter
def comment_excerpt_html(body: str, limit: int = 280) -> SafeString:
    """The start of a comment, cut at a word outside any formula, as the same safe HTML."""
    return mark_safe(render_comment(excerpt(body, int(limit))))


@register.filter
def form_id(kind: str, target: object = "") -> str:
    """The element id of a comment form (`kind` new, reply, edit or report; `target` the
    comment it acts on): a refused htmx post swaps that one form by this id."""
    return f"comment-form-{kind}-{target}" if target else f"comment-form-{kind}"
