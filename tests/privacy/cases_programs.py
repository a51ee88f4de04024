"""Client organisations, programs, the program dashboard, a leader's row and the ledger: the `programs` app."""

from .base import ALLOWED, FORBIDDEN, SIGNED_IN, UrlCase


def cases(cast) -> list[UrlCase]:
    program = cast.program
    acme = program.organisation
    e = cast.lee_engagement
    secrets = tuple(cast.secrets.values())
    # Coaches and the practice admin of Northbridge run its client organisations and programs.
    runners = {"coach": ALLOWED, "other_coach": ALLOWED, "practice_admin": ALLOWED}
    return [
        UrlCase(
            "programs:list",
            "/programs/",
            expect={**dict.fromkeys(SIGNED_IN, FORBIDDEN), **runners, "program_manager": ALLOWED},
            must_not_contain=secrets,
        ),
        UrlCase("programs:organisation", f"/programs/organisations/{acme.pk}/", expect=runners),
        UrlCase(
            "programs:dashboard",
            f"/programs/{program.pk}/",
            expect={"program_manager": ALLOWED},
            must_not_contain=secrets,
        ),
        UrlCase("programs:manage", f"/programs/{program.pk}/manage/", expect=runners, must_not_contain=secrets),
        UrlCase(
            "programs:manager_invite",
            f"/programs/{program.pk}/managers/",
            method="POST",
            data={"manager-full_name": "Max Mertens", "manager-email": "max@example.com"},
            expect=runners,
        ),
        UrlCase(
            "programs:manager_remove",
            f"/programs/{program.pk}/managers/{cast.pia.pk}/remove/",
            method="POST",
            expect=runners,
        ),
        UrlCase(
            "programs:engagements",
            f"/programs/{program.pk}/engagements/",
            method="POST",
            data={},  # nothing ticked: the coach takes their engagements out (ids of others: tests/programs)
            expect={"coach": ALLOWED, "other_coach": ALLOWED, "practice_admin": FORBIDDEN},
        ),
        UrlCase(
            "programs:row_release",
            f"/engagements/{e.pk}/program-row/",
            method="POST",
            data={"action": "withdraw"},
            expect={"leader": ALLOWED},
        ),
        UrlCase("programs:ledger", f"/engagements/{e.pk}/ledger/", expect={"coach": ALLOWED, "leader": ALLOWED}),
    ]
