from django.contrib import admin

from dailypapers.digests.models import DigestDelivery, NotInterested, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "frequency",
        "wants_for_you",
        "confirmed_at",
        "reminded_at",
        "unsubscribed_at",
        "hard_bounces",
    ]
    list_filter = ["frequency", "wants_for_you"]
    search_fields = ["email"]
    raw_id_fields = ["user"]


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    # The Message-ID and claim time of a stuck delivery are what an operator looks up in the
    # mail server's log before `digests resend-stuck`.
    list_display = [
        "subscription",
        "period_key",
        "status",
        "claimed_at",
        "sent_at",
        "attempts",
        "message_id",
    ]
    list_filter = ["status"]
    search_fields = ["subscription__email", "period_key", "message_id"]
    raw_id_fields = ["subscription"]


@admin.register(NotInterested)
class NotInterestedAdmin(admin.ModelAdmin):
    list_display = ["user", "paper", "created_at"]
    search_fields = ["user__username"]
    raw_id_fields = ["user", "paper"]
