"""Neither app names the other or the reference site outside comments (the seams are documented)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# A Python comment, or a template {% comment %} block / {# #} note.
COMMENTS = re.compile(r"#[^\n]*|\{% comment %\}.*?\{% endcomment %\}|\{#.*?#\}", re.S)


def code_without_comments(app):
    for path in sorted((ROOT / app).rglob("*")):
        if path.suffix in {".py", ".html", ".js"} and "migrations" not in path.parts:
            yield path, COMMENTS.sub("", path.read_text())


@pytest.mark.parametrize(
    ("app", "others"),
    [
        ("lead_forms", ["treatment_pages", "treatment_tags", "rating_tags", "cms_site"]),
        ("treatment_pages", ["lead_forms", "cms_site"]),
    ],
)
def test_an_app_names_neither_the_other_app_nor_the_reference_site(app, others):
    found = [
        f"{path.relative_to(ROOT)} names {other}"
        for path, code in code_without_comments(app)
        for other in others
        if other in code
    ]
    assert found == []
