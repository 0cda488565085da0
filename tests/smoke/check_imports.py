"""Import every module of the installed `dailypapers` package: a run-time import that only the
dev extras provide (as `mcp` once was) fails here, in a venv holding the runtime dependencies
alone, instead of on a user's first `make run`."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import traceback

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dailypapers.settings")


def main() -> int:
    import django

    django.setup()
    import dailypapers

    if "site-packages" not in dailypapers.__file__:
        print(f"imported from the source tree ({dailypapers.__file__}), not the install")
        return 1
    failed = []
    names = [m.name for m in pkgutil.walk_packages(dailypapers.__path__, "dailypapers.")]
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:
            failed.append(name)
            traceback.print_exc()
    print(f"imported {len(names) - len(failed)} of {len(names)} modules")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
