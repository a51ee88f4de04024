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


# Browser features the product never uses: nothing on any page may ask for them.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class SecurityHeadersMiddleware:
    """Headers every response carries, and the no-caching rule for signed-in pages.

    Placed right after Django's SecurityMiddleware, before WhiteNoise, so static files carry the
    same `Permissions-Policy` and `Cross-Origin-Resource-Policy`. A response to a signed-in person
    holds confidential content: it gets `Cache-Control: private, no-store` unless the view already
    said `no-store` (which is as strict as it gets).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "private, no-store"
        return response
