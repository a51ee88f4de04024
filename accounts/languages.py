"""Which language a person reads: their own choice, else their practice's default, else the browser's
first guess, else English (README, "Languages").

Pages follow `UserLanguageMiddleware`; e-mails and calendar texts follow `language_for_user` (or,
for a stakeholder, `Stakeholder.reading_language`) rendered under `translation.override`, so each
message is in its recipient's language whoever caused it to be sent.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.utils import translation


def supported(code: str | None) -> str:
    """`code` if the site offers it (or its base language, "de" for "de-AT"), else ""."""
    if not code:
        return ""
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return ""


def default_language() -> str:
    return supported(settings.LANGUAGE_CODE) or settings.LANGUAGES[0][0]


def practice_language_for(user) -> str:
    """The default language of the person's practice: their own (coaches, admins, reviewers), else
    that of the coach of an engagement they lead or sponsor. "" when no practice has one."""
    from engagements.models import Engagement

    from .models import Practice

    if user is None or not getattr(user, "pk", None):
        return ""
    if user.practice_id:
        return supported(Practice.objects.filter(pk=user.practice_id).values_list("language", flat=True).first())
    languages = (
        Engagement.objects.filter(Q(leader_id=user.pk) | Q(sponsors__id=user.pk))
        .filter(coach__practice__language__gt="")
        .order_by("-pk")
        .values_list("coach__practice__language", flat=True)[:1]
    )
    return next((supported(code) for code in languages), "")


def language_for_user(user) -> str:
    """The language e-mails and calendar texts for this person are written in (no browser to ask)."""
    if user is None:
        return default_language()
    return supported(getattr(user, "language", "")) or practice_language_for(user) or default_language()


def browser_language(request) -> str:
    """The first language of the browser's Accept-Language that the site offers, else ""."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _ in translation.trans_real.parse_accept_lang_header(header):
        if code == "*":
            continue
        found = supported(code)
        if found:
            return found
    return ""


#: The session remembers the practice's default for a signed-in person who has not chosen a language,
#: so pages need no query for it: it is read at sign-in (and on the first page of an older session).
PRACTICE_LANGUAGE_SESSION_KEY = "practice_language"


def remember_at_sign_in(sender, request, user, **kwargs) -> None:
    """At sign-in: the practice's default goes into the session, and a person with neither a language
    of their own nor a practice default gets their browser's language as a first guess (which the
    preferences page shows and they may change), so their e-mails are in it too."""
    if request is None or not hasattr(request, "session"):
        return
    practice_language = practice_language_for(user)
    request.session[PRACTICE_LANGUAGE_SESSION_KEY] = practice_language
    if not user.language and not practice_language:
        guess = browser_language(request)
        if guess:
            user.language = guess
            type(user).objects.filter(pk=user.pk).update(language=guess)


def language_for_request(request) -> str:
    """The language of one page: the signed-in person's choice, their practice's default, the browser's, English."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        own = supported(user.language)
        if own:
            return own
        session = getattr(request, "session", None)
        if session is not None:
            if PRACTICE_LANGUAGE_SESSION_KEY not in session:
                session[PRACTICE_LANGUAGE_SESSION_KEY] = practice_language_for(user)
            practice_language = supported(session[PRACTICE_LANGUAGE_SESSION_KEY])
            if practice_language:
                return practice_language
    return browser_language(request) or default_language()
