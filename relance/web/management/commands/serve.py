from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from relance.core.command import RelanceCommand


class Command(RelanceCommand):
    help = "Run the web server (waitress, a production WSGI server; static files served by WhiteNoise)."

    def add_options(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from relance.wsgi import application

        self.stdout.write(
            f"Relance on http://{options['host']}:{options['port']}/ (API docs: /api/docs; Ctrl+C stops)"
        )
        serve(application, host=options["host"], port=options["port"], threads=options["threads"])
