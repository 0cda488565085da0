"""`dailypapers worker`: run the job queue's consumer (huey) alone, for multi-host setups;
`dailypapers serve` starts one beside the web server."""

from __future__ import annotations

import logging

from django.core.management import BaseCommand
from django.utils.module_loading import autodiscover_modules
from huey.consumer_options import ConsumerConfig
from huey.contrib.djhuey import HUEY

from dailypapers import jobs


class Command(BaseCommand):
    help = "Run the job queue: scheduled imports, trending, and queued tasks."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--threads", type=int, default=2, help="worker threads (default 2)")
        parser.add_argument(
            "--no-schedule",
            action="store_true",
            help="run queued tasks only; another host's worker keeps the schedule",
        )

    def handle(self, *args, threads: int, no_schedule: bool, **options) -> None:
        autodiscover_modules("tasks")
        # A worker killed mid-task leaves its task's lock behind (the SQLite storage cannot
        # expire keys); a starting worker clears them, or that task would never run again.
        config = ConsumerConfig(
            workers=threads, worker_type="thread", periodic=not no_schedule, flush_locks=True
        )
        config.validate()
        logger = logging.getLogger("huey")
        if not logger.handlers:
            config.setup_logger(logger)
            logger.propagate = False  # the root console handler would print each line twice
        consumer = HUEY.create_consumer(**config.values)
        started = [] if no_schedule else jobs.enqueue_start_jobs()
        self.stdout.write(
            f"Job worker: {threads} threads, schedule {'off' if no_schedule else 'on'}"
            + (f", queued at start: {', '.join(started)}" if started else "")
        )
        self.stdout.flush()
        consumer.run()
