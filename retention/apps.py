from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = "Retention and erasure"

    def ready(self) -> None:
        from engagements.panels import register_engagement_panel, register_session_panel
        from engagements.services import register_status_guard

        from .notifications import register_sources
        from .panels import erased_session_panel, retention_panel
        from .services import refuse_reopening_erased

        register_engagement_panel(retention_panel)
        register_session_panel(erased_session_panel)
        register_sources()
        register_status_guard(refuse_reopening_erased)
