"""SQLite publishing never answers 500 on a host that followed the README.

Wagtail 8's editor autosaves the draft half a second after an edit, so "publish right after
an edit" is two admin requests at once. On SQLite, Django's default (deferred) transactions
read first and take the write lock only at their first write; when the other request holds it,
SQLite refuses at once ("database is locked", a 500) rather than wait, as waiting could
deadlock. ``transaction_mode = "IMMEDIATE"`` (Django 5.1+) takes the lock at ``BEGIN``, so
the second request waits its turn. The README's settings block sets it for SQLite hosts. (The failure
without it was reproduced on Django 5.2, but it depends on timing, so it is no test here.)
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README_LINE = 'DATABASES["default"].setdefault("OPTIONS", {}).setdefault("transaction_mode", "IMMEDIATE")'


def run_live_test(**env):
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "pytest",
            str(ROOT / "tests/apps/live_sqlite_publishing.py"),
            "--ds=tests.apps.settings_sqlite_file",
            "-q",
            "-p",
            "no:randomly",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.returncode, result.stdout + result.stderr


@pytest.mark.slow
def test_publishing_while_the_draft_autosaves_never_answers_500_with_the_readme_settings():
    code, output = run_live_test(SQLITE_TRANSACTION_MODE="README")
    assert code == 0, output
    assert "1 passed" in output


def test_the_readme_settings_block_carries_the_line_the_live_test_uses():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- plugin-proof:settings -->\n```python\n(.*?)```", readme, re.S).group(1)
    assert README_LINE in block
    assert README_LINE in (ROOT / "tests/apps/settings_sqlite_file.py").read_text()
