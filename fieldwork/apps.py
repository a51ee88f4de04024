from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "fieldwork"
    verbose_name = "Fieldwork"

    def ready(self) -> None:
        from engagements.panels import register_engagement_panel, register_session_panel

        from .panels import engagement_panel, session_panel

        register_session_panel(session_panel)
        register_engagement_panel(engagement_panel)

        from .notifications import register_sources

        register_sources()
