from django.contrib import admin

from dailypapers.ingest.models import IngestRun


@admin.register(IngestRun)
class IngestRunAdmin(admin.ModelAdmin):
    list_display = ["id", "source", "status", "started_at", "duration", "fetched", "counts"]
    list_filter = ["source", "status"]
    search_fields = ["arguments", "error"]
    readonly_fields = ["started_at", "finished_at", "duration", "fetched"]
    ordering = ["-started_at"]

    @admin.display(description="took")
    def duration(self, run: IngestRun) -> str:
        return f"{run.duration.total_seconds():.1f} s" if run.duration else "–"

    @admin.display(description="fetched")
    def fetched(self, run: IngestRun) -> int:
        return run.fetched
