from django.apps import AppConfig


class StakeholdersConfig(AppConfig):
    name = "stakeholders"
    verbose_name = "Stakeholders"

    def ready(self) -> None:
        from engagements.panels import register_engagement_panel

        from .panels import engagement_panel

        register_engagement_panel(engagement_panel)

        from .notifications import register_sources

        register_sources()
