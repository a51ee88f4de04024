from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = "Exports"

    def ready(self) -> None:
        from engagements.panels import register_engagement_panel

        from .notifications import register_sources
        from .panels import export_panel

        register_engagement_panel(export_panel)
        register_sources()
