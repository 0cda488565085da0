"""The subcommands of `dailypapers ingest`, one module per source.

Each module has `add_parser(subparsers)` (its arguments) and `run(command, **options)`; the
management command (`management/commands/ingest.py`) lists the modules in `SUBCOMMANDS`.
"""
