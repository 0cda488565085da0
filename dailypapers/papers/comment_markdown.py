"""Comment bodies as safe HTML: CommonMark without raw HTML, then an allow-list sanitizer.

Two layers, because either alone has failed somewhere: markdown-it (`html=False`) escapes
every tag a member types and refuses `javascript:` links, and nh3 keeps only the tags and
attributes listed here, whatever the renderer emits. Links survive only as absolute http(s)
URLs and carry `rel="nofollow ugc noopener"`; images do not exist in comments.

TeX between `$…$` or `$$…$$` is kept verbatim (emphasis and escapes would mangle
`$a_1 * b_2$`); the page's KaTeX auto-render typesets it in the browser, and an unbalanced
formula stays plain text there.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline

TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6",
}  # fmt: skip
# "*": nothing, or nh3 keeps `title` and `lang` on every tag.
ATTRIBUTES: dict[str, set[str]] = {"*": set(), "a": {"href"}, "ol": {"start"}}
LINK_REL = "nofollow ugc noopener"


def _math_inline(state: StateInline, silent: bool) -> bool:
    """`$…$` or `$$…$$` as one verbatim token. A lone `$` ("costs $5") is left to the text
    rule: the formula must not start or end with a space."""
    src, start = state.src, state.pos
    if src[start] != "$":
        return False
    marker = "$$" if src.startswith("$$", start) else "$"
    begin = start + len(marker)
    end = _closing(src, marker, begin)
    content = src[begin:end] if end != -1 else ""
    if not content or content != content.strip():
        return False
    if not silent:
        token = state.push("math_inline", "", 0)
        token.content = content
        token.markup = marker
    state.pos = end + len(marker)
    return True


def _closing(src: str, marker: str, begin: int) -> int:
    """Where the closing marker starts (skipping backslash-escaped ones), or -1."""
    end = src.find(marker, begin)
    while end != -1 and src[end - 1] == "\\":
        end = src.find(marker, end + 1)
    return end


def _math_spans(src: str) -> list[tuple[int, int]]:
    """Where the formulas are (start, end), found by the same rule as `_math_inline`."""
    spans, start = [], src.find("$")
    while start != -1:
        marker = "$$" if src.startswith("$$", start) else "$"
        begin = start + len(marker)
        end = _closing(src, marker, begin)
        content = src[begin:end] if end != -1 else ""
        escaped = start > 0 and src[start - 1] == "\\"
        if escaped or not content or content != content.strip():
            start = src.find("$", begin)
            continue
        spans.append((start, end + len(marker)))
        start = src.find("$", end + len(marker))
    return spans


def excerpt(body: str, limit: int) -> str:
    """The body cut to about `limit` characters at a space that is not inside a formula
    (half a formula is raw TeX that KaTeX cannot typeset), ending in "…" when cut."""
    if len(body) <= limit:
        return body
    spans = _math_spans(body)
    across = [(start, end) for start, end in spans if start < limit < end]
    # A formula across the limit is left out, or kept whole when it opens the body.
    cut = limit if not across else across[0][0] or across[0][1]
    spaces = [m.start() for m in re.finditer(r"\s", body[: cut + 1])]
    outside = [at for at in spaces if not any(start < at < end for start, end in spans)]
    if outside and outside[-1] > 0:
        cut = outside[-1]
    return body[:cut].rstrip() + " …"


def _render_math(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    return escapeHtml(token.markup + token.content + token.markup)


def _shift_headings(state: StateCore) -> None:
    """`#` becomes h3 and so on: a comment's headings sit below the page's own h1/h2."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 2, 6)}"


def _web_link(url: str) -> bool:
    return url.strip().lower().startswith(("http://", "https://"))


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False})
    md.disable("image")
    # Anything but an absolute http(s) link stays literal text, like `javascript:` does.
    md.validateLink = _web_link
    md.inline.ruler.before("escape", "math_inline", _math_inline)
    md.add_render_rule("math_inline", _render_math)
    md.core.ruler.push("shift_headings", _shift_headings)
    return md


_MD = _parser()


def _only_web_links(element: str, attribute: str, value: str) -> str | None:
    # nh3 would keep relative links; a comment has no business pointing into the site's
    # own URLs (a POST form target, the admin): absolute http(s) only.
    if element == "a" and attribute == "href":
        return value if _web_link(value) else None
    return value


# ~0.35 ms per typical comment (a paper page with 100 comments: 35 ms); a pure function
# of the text, so each worker keeps the last thousand (at most ~10 MB at 5,000 characters).
@lru_cache(maxsize=1024)
def render_comment(body: str) -> str:
    """The body as sanitized HTML."""
    html = _MD.render(body)
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel=LINK_REL,
        attribute_filter=_only_web_links,
    )
