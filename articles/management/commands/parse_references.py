import json
import re
import sys

from django.core.management.base import BaseCommand, CommandError

from articles.extraction.references import parse_reference

# The Citation fields written for each reference, in this order.
OUTPUT_FIELDS = (
    "authors", "title", "journal", "volume", "issue", "first_page", "last_page", "article_number", "year",
    "doi", "pmid", "url",
)  # fmt: skip
WORD = re.compile(r"\w")
TABLE_COLUMNS = (("first author", 18), ("year", 4), ("title", 40), ("journal", 24), ("vol", 5), ("pages", 11))


class Command(BaseCommand):
    help = (
        "Parse references, one a line, into Citation fields: one JSON object a line, in input order. A blank "
        'or unreadable line gives {"raw": …, "error": …} instead.'
    )

    # Tests hand stdin in as a text stream; the terminal's own stdin is used otherwise.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", default="-", metavar="FILE", help="A UTF-8 text file, or - for stdin."
        )
        parser.add_argument(
            "--format", choices=("json", "table"), default="json", help="json (default) or table."
        )

    def handle(self, *args, **options):
        lines = self._lines(options["file"], options.get("stdin"))
        results = [read_line(line) for line in lines]
        if options["format"] == "table":
            self._table(results)
        else:
            for result in results:
                self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _lines(self, name, stdin):
        if name == "-":
            return (stdin or sys.stdin).read().splitlines()
        try:
            with open(name, encoding="utf-8") as source:
                return source.read().splitlines()
        except OSError as error:
            raise CommandError(f"{name}: {error.strerror}") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{name}: not UTF-8 text ({error.reason} at byte {error.start})") from error

    def _table(self, results):
        header = "  ".join(f"{name:<{width}}" for name, width in (("#", 4), *TABLE_COLUMNS))
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for number, result in enumerate(results, 1):
            if "error" in result:
                self.stdout.write(f"{number:<4}  {self.style.ERROR(result['error'])}: {result['raw']}")
                continue
            pages = (
                "–".join(filter(None, (result["first_page"], result["last_page"])))
                or result["article_number"]
            )
            cells = (
                result["authors"][0] if result["authors"] else "",
                str(result["year"] or ""),
                result["title"],
                result["journal"],
                result["volume"],
                pages,
            )
            row = "  ".join(
                _cell(value, width) for value, (_, width) in zip(cells, TABLE_COLUMNS, strict=True)
            )
            self.stdout.write(f"{number:<4}  {row}".rstrip())
            if result["doi"]:
                self.stdout.write(f"{'':4}  doi:{result['doi']}")


def read_line(line):
    """One input line → the Citation fields as JSON-ready values, or raw and error when nothing was read."""
    if not line.strip():
        return {"raw": line, "error": "empty line"}
    try:
        citation = parse_reference(line)
    except Exception as error:  # one bad line must not stop the others: it is reported on its own line
        return {"raw": line, "error": f"could not be parsed: {error}"}
    if not WORD.search(
        " ".join(str(citation[name]) for name in ("authors", "title", "journal", "doi", "pmid", "url"))
    ):
        return {"raw": line, "error": "no reference could be read from this line"}
    return {name: citation[name] for name in OUTPUT_FIELDS}


def _cell(value, width):
    return value.ljust(width) if len(value) <= width else value[: width - 1] + "…"
