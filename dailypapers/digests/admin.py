from django.contrib import admin

from dailypapers.digests.models import DigestDelivery, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "frequency", "confirmed_at", "unsubscribed_at", "hard_bounces"]
    list_filter = ["frequency"]
    search_fields = ["email"]
    raw_id_fields = ["user"]


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    list_display = ["subscription", "period_key", "status", "sent_at", "attempts"]
    list_filter = ["status"]
    search_fields = ["subscription__email", "period_key"]
    raw_id_fields = ["subscription"]
