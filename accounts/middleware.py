import zoneinfo

from django.utils import timezone


class UserTimezoneMiddleware:
    """Shows and reads every date and time in the signed-in person's own time zone.

    The zone is active for this request only: `timezone.override` restores the previous one after
    the response, so a worker thread never carries one person's zone into the next request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                zone = zoneinfo.ZoneInfo(user.time_zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                zone = None
        with timezone.override(zone):
            return self.get_response(request)
