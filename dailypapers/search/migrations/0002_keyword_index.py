"""The keyword index over papers' titles and abstracts, kept by the database itself.

SQLite: an FTS5 external-content table (the text stays in papers_paper only) kept in step by
triggers; the update trigger fires only when the title or abstract really changes, so an
upvote never touches the index. PostgreSQL: a stored generated tsvector column (title weight
A, abstract weight B) with a GIN index; ranking reads the stored vector instead of re-parsing
each matched abstract. Both are filled here from the papers already present.

The SQL is written out here, not imported, so that this migration stays what it was when later
code changes.
"""

from django.db import migrations

SQLITE_CREATE = [
    """
    CREATE VIRTUAL TABLE search_paper_fts USING fts5(
        title, abstract,
        content='papers_paper', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER search_paper_fts_insert AFTER INSERT ON papers_paper BEGIN
        INSERT INTO search_paper_fts(rowid, title, abstract)
        VALUES (new.id, new.title, new.abstract);
    END
    """,
    """
    CREATE TRIGGER search_paper_fts_delete AFTER DELETE ON papers_paper BEGIN
        INSERT INTO search_paper_fts(search_paper_fts, rowid, title, abstract)
        VALUES ('delete', old.id, old.title, old.abstract);
    END
    """,
    # `UPDATE OF` fires whenever a column is in the SET list (a full-row save names them
    # all), so the WHEN clause keeps unchanged text from being re-indexed.
    """
    CREATE TRIGGER search_paper_fts_update AFTER UPDATE OF title, abstract ON papers_paper
    WHEN old.title IS NOT new.title OR old.abstract IS NOT new.abstract BEGIN
        INSERT INTO search_paper_fts(search_paper_fts, rowid, title, abstract)
        VALUES ('delete', old.id, old.title, old.abstract);
        INSERT INTO search_paper_fts(rowid, title, abstract)
        VALUES (new.id, new.title, new.abstract);
    END
    """,
    "INSERT INTO search_paper_fts(search_paper_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_paper_fts_insert",
    "DROP TRIGGER IF EXISTS search_paper_fts_delete",
    "DROP TRIGGER IF EXISTS search_paper_fts_update",
    "DROP TABLE IF EXISTS search_paper_fts",
]

POSTGRES_CREATE = [
    """
    ALTER TABLE papers_paper ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(abstract, '')), 'B')
    ) STORED
    """,
    "CREATE INDEX search_paper_document ON papers_paper USING gin (search_document)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS search_paper_document",
    "ALTER TABLE papers_paper DROP COLUMN IF EXISTS search_document",
]

STATEMENTS = {
    "sqlite": (SQLITE_CREATE, SQLITE_DROP),
    "postgresql": (POSTGRES_CREATE, POSTGRES_DROP),
}


def create(apps, schema_editor):
    for statement in STATEMENTS.get(schema_editor.connection.vendor, ([], []))[0]:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    for statement in STATEMENTS.get(schema_editor.connection.vendor, ([], []))[1]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("papers", "0004_paper_license"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
