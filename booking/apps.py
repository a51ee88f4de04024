from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Booking"

    def ready(self) -> None:
        from engagements.panels import register_engagement_panel

        from .notifications import register_sources
        from .panels import engagement_panel

        register_engagement_panel(engagement_panel)
        register_sources()
