"""The README's "Add it to your Wagtail site" code blocks, as a host would paste them.

One reader for every place that follows the README: ``.ci/plugin_proof.py`` appends the
blocks to a fresh ``wagtail start`` project, and the apps' test hosts
(``tests/apps/settings.py``, ``tests/apps/urls.py``) run them on their own ``wagtail
start``-like base. So a line added to a block reaches the plugin proof and the test hosts
alike, and a block that breaks a host fails the tests. Plain Python, no Django: the plugin
proof imports it outside any project.
"""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


class MissingBlock(LookupError):
    pass


def _find(name):
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"<!-- plugin-proof:{name} -->\s*```\w*\n(.*?)```", text, re.S)
    if match is None:
        raise MissingBlock(f"README.md has no code block marked <!-- plugin-proof:{name} -->")
    return match, text


def readme_block(name):
    """The code of the README block marked ``<!-- plugin-proof:NAME -->``."""
    return _find(name)[0].group(1)


def run_block(name, namespace):
    """Run the Python block ``name`` in ``namespace`` (a settings or URLconf module's globals),
    as if pasted at the end of that module.

    Compiled under README.md's name with the block's own line numbers, so a traceback points at
    the README line that failed.
    """
    match, text = _find(name)
    first_line = text.count("\n", 0, match.start(1))
    code = compile("\n" * first_line + match.group(1), str(README), "exec")
    exec(code, namespace)  # noqa: S102 (the README's own code, as a host pastes it)
