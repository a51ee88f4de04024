"""How the OpenAPI schema describes the API's own authentication (loaded by ApiConfig.ready)."""

from django.utils.translation import gettext, gettext_noop
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class PersonalTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.PersonalTokenAuthentication"
    name = "personalAccessToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": gettext("A personal access token, made on the preferences page (read, or read and write)."),
        }


ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "description": gettext_noop("What went wrong, in a sentence."),
}
FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": {},
    "description": gettext_noop(
        "Each field that was refused with its messages; `non_field_errors` for the request as a whole."
    ),
}
ERRORS = {
    "400": (gettext_noop("Refused input: which field and why."), FIELD_ERRORS),
    "401": (gettext_noop("No token, or one that is unknown, expired or revoked."), ERROR),
    "403": (gettext_noop("A read-only token sent a write, or the action is not yours to take."), ERROR),
    "404": (gettext_noop("Not found, or not yours to see."), ERROR),
    "429": (
        gettext_noop("Too many requests with this token; try again after the number of seconds in Retry-After."),
        ERROR,
    ),
}


def add_error_responses(result, generator, request, public):
    """Documents the JSON errors every operation can answer, so clients (and schema tests) expect them.
    The descriptions are in the reader's language, like the rest of the schema."""
    errors = {
        code: (gettext(description), {**schema, "description": gettext(schema["description"])})
        for code, (description, schema) in ERRORS.items()
    }
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            responses = operation.setdefault("responses", {})
            for code, (description, schema) in errors.items():
                if code == "400" and method == "get":
                    continue
                responses.setdefault(
                    code, {"description": description, "content": {"application/json": {"schema": schema}}}
                )
    return result
