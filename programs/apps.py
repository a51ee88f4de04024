from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "Programs"

    def ready(self) -> None:
        from accounts.services import register_acceptance_hook
        from engagements.panels import register_engagement_panel

        from . import panels
        from .services import program_manager_accepted

        register_acceptance_hook(program_manager_accepted)
        register_engagement_panel(panels.ledger_panel)
