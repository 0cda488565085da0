from django.contrib import admin

from dailypapers.ingest.models import IngestRun


@admin.register(IngestRun)
class IngestRunAdmin(admin.ModelAdmin):
    list_display = ["id", "source", "status", "started_at", "finished_at", "counts"]
    list_filter = ["source", "status"]
    readonly_fields = ["started_at", "finished_at"]
    ordering = ["-started_at"]
