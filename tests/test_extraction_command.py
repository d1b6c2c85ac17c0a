"""manage.py parse_references: one JSON object per input line, in order, never a traceback."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

NATURE = (
    "Ganesh, K., Basnet, H., Kaygusuz, Y. et al. L1CAM defines the regenerative origin of metastasis-initiating "
    "cells in colorectal cancer. Nature Cancer 1, 28-45 (2020)."
)
VANCOUVER = (
    "Okafor C, Lindqvist MA. Tidal marsh carbon after restoration. Estuaries. 2021 May;44(3):701-15. "
    "doi: 10.1007/s12237-020-00001-2. PMID: 33445566."
)
KEYS = [
    "authors", "title", "journal", "volume", "issue", "first_page", "last_page", "article_number", "year",
    "doi", "pmid", "url",
]  # fmt: skip


def run(*args, stdin=""):
    out = StringIO()
    call_command("parse_references", *args, stdin=StringIO(stdin), stdout=out)
    return out.getvalue()


def test_one_json_object_per_line_with_citation_field_names():
    lines = run(stdin=f"{NATURE}\n{VANCOUVER}\n").splitlines()
    first, second = (json.loads(line) for line in lines)
    assert list(first) == KEYS
    assert first["authors"] == ["Ganesh, K.", "Basnet, H.", "Kaygusuz, Y."]
    assert (first["journal"], first["volume"], first["first_page"], first["last_page"]) == (
        "Nature Cancer",
        "1",
        "28",
        "45",
    )
    assert (second["pmid"], second["doi"], second["year"]) == ("33445566", "10.1007/s12237-020-00001-2", 2021)


def test_blank_and_unreadable_lines_keep_their_place():
    lines = run("-", stdin=f"\n{NATURE}\n   \n!!! ???\n{VANCOUVER}").splitlines()
    results = [json.loads(line) for line in lines]
    assert len(results) == 5
    assert results[0] == {"raw": "", "error": "empty line"}
    assert results[1]["journal"] == "Nature Cancer"
    assert results[2] == {"raw": "   ", "error": "empty line"}
    assert results[3] == {"raw": "!!! ???", "error": "no reference could be read from this line"}
    assert results[4]["journal"] == "Estuaries"


def test_reads_a_file(tmp_path):
    path = tmp_path / "refs.txt"
    path.write_text(f"{VANCOUVER}\n", encoding="utf-8")
    assert json.loads(run(str(path)))["title"] == "Tidal marsh carbon after restoration"


def test_missing_or_binary_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match=r"nope\.txt: No such file"):
        run(str(tmp_path / "nope.txt"))
    binary = tmp_path / "refs.bin"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CommandError, match=r"refs\.bin: not UTF-8"):
        run(str(binary))


def test_table_format():
    table = run("--format", "table", stdin=f"{NATURE}\n\n{VANCOUVER}\n").splitlines()
    assert table[0].split()[:3] == ["#", "first", "author"]
    assert (
        table[2].startswith("1 ")
        and "Ganesh, K." in table[2]
        and "Nature Cancer" in table[2]
        and "28–45" in table[2]
    )
    assert table[3].startswith("2 ") and "empty line" in table[3]
    assert table[4].startswith("3 ") and "Okafor, C." in table[4]
    assert table[5].strip() == "doi:10.1007/s12237-020-00001-2"
