from dailypapers.papers.arxiv_ids import ID_PATTERN


class ArxivIdConverter:
    """Matches new- and old-style ids, with or without a version (`hep-th/9901001v2`)."""

    regex = ID_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
