"""Comment Markdown renders safely: hostile text stays inert, links are marked, TeX survives."""

from html.parser import HTMLParser

import pytest

from dailypapers.papers.comment_markdown import LINK_REL, excerpt, render_comment

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "[x](JaVaScRiPt:alert(1))",
    "[x](jav&#x61;script:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<iframe src="https://evil.example"></iframe>',
    '<div style="position:fixed">raw html</div>',
    "<svg/onload=alert(1)>",
    "![x](https://evil.example/pixel.png)",
    '[x](https://example.org "title" onclick=alert(1))',
    "<<script>script>alert(1)<</script>/script>",
    "[click](https://example.org)<script>alert(1)</script>",
]


class Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


SAFE_TAGS = {"p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a"}


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_renders_inert(text):
    for tag, attrs in Elements(render_comment(text)).found:
        assert tag in SAFE_TAGS
        if tag == "a":
            assert set(attrs) <= {"href", "rel"}
            assert attrs.get("href", "").startswith(("https://", "http://"))
        else:
            assert attrs == {}


def test_raw_html_is_shown_as_text():
    assert render_comment("<b>bold</b>") == "<p>&lt;b&gt;bold&lt;/b&gt;</p>\n"


def test_script_text_is_kept_escaped_so_readers_see_what_was_written():
    html = render_comment("<script>alert(1)</script>")

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_web_links_get_nofollow_ugc_noopener():
    html = render_comment("[paper](https://example.org/a?b=1&c=2) and <http://example.com>")

    assert f'<a href="https://example.org/a?b=1&amp;c=2" rel="{LINK_REL}">paper</a>' in html
    assert f'<a href="http://example.com" rel="{LINK_REL}">http://example.com</a>' in html
    assert LINK_REL == "nofollow ugc noopener"


@pytest.mark.parametrize("target", ["/admin/", "//evil.example/x", "mailto:a@b.c", "ftp://x"])
def test_only_absolute_web_links_become_links(target):
    html = render_comment(f"[x]({target})")

    assert "<a" not in html
    assert f"[x]({target})" in html


def test_link_titles_and_other_attributes_are_dropped():
    html = render_comment('[x](https://example.org "a title")')

    assert "title=" not in html


def test_markdown_basics_render():
    text = "*em* **strong** `code`\n\n> quote\n\n- a\n- b\n\n3. c\n\n```\n<b>x</b>\n```\n\n---"
    html = render_comment(text)

    for fragment in [
        "<em>em</em>",
        "<strong>strong</strong>",
        "<code>code</code>",
        "<blockquote>",
        "<ul>",
        '<ol start="3">',
        "<pre><code>&lt;b&gt;x&lt;/b&gt;",
        "<hr>",
    ]:
        assert fragment in html


def test_headings_sit_below_the_pages_own():
    html = render_comment("# One\n\n## Two\n\n###### Six")

    assert "<h1" not in html and "<h2" not in html
    assert "<h3>One</h3>" in html and "<h4>Two</h4>" in html and "<h6>Six</h6>" in html


def test_tex_is_kept_verbatim_for_katex():
    html = render_comment(r"Take $a_1 * b_2 * c_3$ and $$\sum_{i} x_i^*$$ here.")

    assert r"$a_1 * b_2 * c_3$" in html
    assert r"$$\sum_{i} x_i^*$$" in html
    assert "<em>" not in html


def test_unbalanced_tex_stays_plain_text():
    assert render_comment(r"Broken $\frac{ formula") == "<p>Broken $\\frac{ formula</p>\n"
    assert render_comment(r"$\frac{1}{$") == "<p>$\\frac{1}{$</p>\n"


def test_html_inside_tex_is_escaped():
    html = render_comment("$<script>alert(1)</script>$")

    assert "<script" not in html
    assert "$&lt;script&gt;alert(1)&lt;/script&gt;$" in html


def test_a_dollar_amount_is_not_tex():
    html = render_comment("It costs $5 and *then* $10.")

    assert "<em>then</em>" in html


# Excerpts (a member's profile lists the start of each comment).
def test_a_short_comment_is_its_own_excerpt():
    assert excerpt("Nice ablations.", 280) == "Nice ablations."


def test_an_excerpt_is_cut_at_a_word_and_marked():
    assert excerpt("the quick brown fox", 12) == "the quick …"


def test_an_excerpt_never_cuts_inside_a_formula():
    body = "We bound it by $\\frac{a + b}{2} \\le \\max(a, b)$ for all inputs."

    cut = excerpt(body, 30)

    assert cut == "We bound it by …"


def test_an_excerpt_keeps_a_formula_that_opens_the_comment_whole():
    body = "$\\sum_{i=1}^{n} x_i^2 + y_i^2$ is the loss we minimise here."

    assert excerpt(body, 12) == "$\\sum_{i=1}^{n} x_i^2 + y_i^2$ …"


def test_an_escaped_dollar_is_no_formula_to_protect():
    assert excerpt("costs \\$5 and \\$6 more today", 16) == "costs \\$5 and …"
