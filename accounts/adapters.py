from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Nobody signs up on their own: coaches invite leaders and sponsors, practices invite coaches."""

    def is_open_for_signup(self, request) -> bool:
        return False
