def roles(request):
    """Which navigation a signed-in person gets. Two cheap EXISTS queries at most, once per page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def _leads() -> bool:
        return user.led_engagements.exists()

    def _sponsors() -> bool:
        return user.sponsored_engagements.exists()

    from django.utils.functional import SimpleLazyObject

    return {
        "user_is_coach": user.is_coach,
        "user_is_leader": SimpleLazyObject(_leads),
        "user_is_sponsor": SimpleLazyObject(_sponsors),
    }
