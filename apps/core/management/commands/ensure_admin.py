from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Development only: create a superuser if it does not exist yet and print its login."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password", default="admin")

    def handle(self, *args, username, password, **options):
        if not settings.DEBUG:
            raise CommandError("ensure_admin is for development (DEBUG=true); use createsuperuser elsewhere.")
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(f"Admin user {username!r} exists; its password is unchanged.")
            return
        User.objects.create_superuser(username=username, email=f"{username}@example.com", password=password)
        self.stdout.write(f"Admin login: user {username!r}, password {password!r}")
