from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Coaching"

    def ready(self) -> None:
        from engagements.panels import register_engagement_panel, register_session_panel

        from . import pagecache, panels

        # Every database write bumps the page cache's data versions (see coaching/pagecache.py).
        pagecache.connect()

        register_engagement_panel(panels.summary_link_panel)
        register_engagement_panel(panels.checkin_panel)
        register_session_panel(panels.three_way_session_panel)
