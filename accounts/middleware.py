import zoneinfo

from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

from .languages import language_for_request


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


class UserLanguageMiddleware:
    """Shows every page in the reader's language (accounts.languages.language_for_request).

    Like `timezone.override` above, `translation.override` restores the previous language after the
    response. Pages for people who are not signed in depend on the browser's Accept-Language, so
    they say so in `Vary` (a shared cache keeps one copy per language).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_for_request(request)
        request.LANGUAGE_CODE = language
        with translation.override(language):
            response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            patch_vary_headers(response, ("Accept-Language",))
        # A view may choose another language for its page (a stakeholder's link does) and says so here.
        response.headers.setdefault("Content-Language", getattr(request, "LANGUAGE_CODE", language))
        return response


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
