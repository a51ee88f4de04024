from django.core.management.base import BaseCommand

from coaching import demo


class Command(BaseCommand):
    help = "Loads the demo practice (idempotent). --print-logins only prints the demo sign-ins."

    def add_arguments(self, parser):
        parser.add_argument("--print-logins", action="store_true")

    def handle(self, *args, print_logins: bool = False, **options):
        if not print_logins:
            created = demo.seed()
            self.stdout.write(f"Demo data ready ({len(created)} new engagement{'s' if len(created) != 1 else ''}).")
            return
        self.stdout.write(f"Demo sign-ins (password for all: {demo.DEMO_PASSWORD}):")
        for role, email in demo.LOGINS:
            self.stdout.write(f"  {role:<18} {email}")
