import getpass
import shutil

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import audit
from articles.importers import FORMATS, Options, collect_paths, import_paths
from articles.models import Status

COLUMNS = ("created", "updated", "skipped", "failed")


class Command(BaseCommand):
    help = (
        "Import stories from plain text, JSON, WordPress WXR or RSS/Atom files. Re-running is safe: stories "
        "already imported are skipped (or rewritten with --update). Exits non-zero when anything failed."
    )

    # Tests hand stdin in as a bytes stream; the terminal's own stdin is used otherwise.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", metavar="PATH", help="Files, folders (searched) or - for stdin."
        )
        parser.add_argument(
            "--format", choices=FORMATS, help="Skip detection: read every input as this format."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Parse and validate everything; write nothing."
        )
        parser.add_argument(
            "--status",
            choices=[value for value, _ in Status.stored_choices()],
            help="Status for every imported story.",
        )
        parser.add_argument("--author", default="", metavar="NAME", help="Byline for stories that have none.")
        parser.add_argument(
            "--section", default="", metavar="NAME", help="Section for stories that have none."
        )
        parser.add_argument(
            "--tag",
            action="append",
            default=[],
            dest="tags",
            metavar="TAG",
            help="Add this tag (repeatable).",
        )
        parser.add_argument("--update", action="store_true", help="Rewrite stories already imported.")
        parser.add_argument("--fail-fast", action="store_true", help="Stop at the first failure.")
        parser.add_argument(
            "--fetch-media",
            action="store_true",
            help=(
                "Download featured and body images from the web into media storage and point the stories at "
                "them (http and https, public addresses only). An image that fails is reported and left remote."
            ),
        )
        parser.add_argument(
            "--actor",
            metavar="USERNAME",
            help="The staff login the audit trail names as running this import (default: the OS user).",
        )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        actor = _actor(options["actor"])
        progress = Progress(self.stdout, options["paths"])
        report = import_paths(
            options["paths"],
            Options(
                dry_run=options["dry_run"],
                update=options["update"],
                status=options["status"],
                author=options["author"],
                section=options["section"],
                tags=options["tags"],
                fetch_media=options["fetch_media"],
            ),
            format=options["format"],
            fail_fast=options["fail_fast"],
            on_error=lambda error: (progress.clear(), self.stderr.write(str(error))),
            on_story=progress.step,
            stdin=options.get("stdin"),
        )
        progress.clear()
        if (options["dry_run"] and options["update"]) or verbosity >= 2:
            verb = "would change" if options["dry_run"] else "changed"
            for where, headline, changed in report.changes:
                self.stdout.write(f"{where}: “{headline}” {verb}: {', '.join(changed)}")
        for note in report.notes if verbosity >= 1 else []:
            self.stdout.write(note)
        for warning in report.warnings if verbosity >= 1 else []:
            self.stderr.write(self.style.WARNING(warning))
        if verbosity >= 1:
            self._summary(report, options["dry_run"])
        if not options["dry_run"]:
            audit.record(actor, audit.Action.IMPORT_RUN, detail=_audit_detail(options["paths"], report))
        if report.failed:
            raise CommandError(f"{report.failed} failed; see the messages above.", returncode=1)

    def _summary(self, report, dry_run):
        rows = [(kind, *(counter[c] for c in COLUMNS)) for kind, counter in sorted(report.counts.items())]
        if len(rows) > 1:
            rows.append(("total", *(sum(row[i] for row in rows) for i in range(1, len(COLUMNS) + 1))))
        header = ("format", *COLUMNS)
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
        title = "Dry run: nothing was written." if dry_run else "Import finished."
        self.stdout.write(self.style.MIGRATE_HEADING(title))
        for row in [header, *rows]:
            cells = [str(row[0]).ljust(widths[0])] + [
                str(v).rjust(w) for v, w in zip(row[1:], widths[1:], strict=True)
            ]
            self.stdout.write("  ".join(cells))
        for kind, counter in sorted(report.ignored.items()):
            listed = ", ".join(_count(count, name) for name, count in sorted(counter.items()))
            self.stdout.write(f"{kind}: not stories, ignored: {listed}")


class Progress:
    """A one-line progress bar, only on a terminal and only when the work is more than a screenful.

    It measures bytes read, so one large WordPress export moves the bar as steadily as many small files.
    """

    def __init__(self, stream, paths):
        self.stream = stream
        files = list(collect_paths(paths))
        self.size = sum(path.stat().st_size for path in files)
        self.total = len(files)
        lines = shutil.get_terminal_size().lines
        self.enabled = stream.isatty() and (self.total > lines or self.size > 1_000_000)
        self.files = self.stories = self.finished_bytes = 0
        self.current = None

    def step(self, source, result, read):
        if not self.enabled:
            return
        new_file = source is not self.current
        if new_file:
            if self.current is not None:
                self.finished_bytes += self.current.size
            self.current, self.files = source, self.files + 1
        self.stories += 1
        if new_file or self.stories % 25 == 0:
            done = min(1, (self.finished_bytes + read) / max(self.size, 1))
            bar = "#" * int(done * 30)
            self.stream.write(
                f"\r[{bar:<30}] {self.files}/{self.total} files, {self.stories} stories", ending=""
            )
            self.stream.flush()

    def clear(self):
        if self.enabled:
            self.stream.write("\r\033[K", ending="")


def _actor(username):
    """The staff login named by --actor, or "shell:<OS user>" for the one running the command."""
    if not username:
        return f"shell:{getpass.getuser()}"
    try:
        return get_user_model().objects.get(username=username, is_staff=True)
    except get_user_model().DoesNotExist:
        raise CommandError(f"--actor: no staff login is called “{username}”.") from None


def _audit_detail(paths, report):
    totals = {column: sum(counter[column] for counter in report.counts.values()) for column in COLUMNS}
    counts = ", ".join(f"{totals[column]} {column}" for column in COLUMNS)
    return f"{counts} from {', '.join(paths)}"


def _count(count, kind):
    """“1 page”, “2 comments”, “70 menu items”: WordPress's type names in words."""
    noun = {"nav_menu_item": "menu item"}.get(kind, kind.replace("_", " "))
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
