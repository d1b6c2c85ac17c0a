import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from articles.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo stories (idempotent) and create an 'admin' superuser on first run, printing its password once."

    def handle(self, *args, **options):
        created = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo content ready ({created} new stories)."))
        User = get_user_model()
        if not User.objects.filter(is_superuser=True).exists():
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser("admin", "admin@example.com", password)
            self.stdout.write(
                self.style.WARNING(
                    f"Admin login (shown once): http://127.0.0.1:8000/admin/  user: admin  password: {password}"
                )
            )
