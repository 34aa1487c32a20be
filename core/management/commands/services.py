from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import embedded as services


class Command(BaseCommand):
    help = "Start, stop or show the embedded server (graph + broker) and the Celery workers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["start", "stop", "status"])
        parser.add_argument(
            "--no-workers", action="store_true", help="start only the embedded server"
        )

    def handle(self, *args, action: str, no_workers: bool, **options) -> None:
        try:
            if action == "start":
                states = services.services_start(workers=not no_workers, progress=self.stdout.write)
            elif action == "stop":
                services.services_stop()
                states = services.services_status()
            else:
                states = services.services_status()
        except services.ServiceError as exc:
            raise CommandError(str(exc)) from exc
        for state in states:
            mark = "running" if state.running else "stopped"
            pid = f" pid {state.pid}" if state.pid else ""
            self.stdout.write(f"{state.name:<16} {mark}{pid}  {state.detail}")
