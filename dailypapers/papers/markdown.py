"""A paper as Markdown (`/papers/<id>.md`), for readers, scripts and `HfApi.read_paper`."""

from __future__ import annotations

from dailypapers.papers.links import http_url
from dailypapers.papers.models import Paper


def paper_markdown(paper: Paper) -> str:
    authors = ", ".join(a.author.name for a in paper.authorships.all())
    lines = [f"# {paper.title}", "", f"**Authors:** {authors}"]
    if paper.organization:
        lines.append(f"**Organization:** {paper.organization}")
    if paper.published_at:
        lines.append(f"**Published:** {paper.published_at:%Y-%m-%d}")
    lines += ["", f"- arXiv: {paper.abs_url}", f"- PDF: {paper.pdf_url}"]
    if code := http_url(paper.github_repo):
        lines.append(f"- Code: {code}")
    if project := http_url(paper.project_page):
        lines.append(f"- Project page: {project}")
    lines += ["", "## Abstract", "", paper.abstract]
    if paper.ai_summary:
        lines += ["", "## AI summary", "", paper.ai_summary]
    if paper.ai_keywords:
        lines += ["", "**Keywords:** " + ", ".join(paper.ai_keywords)]
    return "\n".join(lines) + "\n"
