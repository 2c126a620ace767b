"""The supported versions, tested the way Wagtail packages test theirs.

``apps`` runs the apps' own suite on their minimal host (``pytest tests/apps
--ds=tests.apps.settings``) for each supported Django on each Python it supports: Django 5.2
LTS (Python 3.11 to 3.13), 6.0 and 6.1, which Wagtail 8's ``wagtail start`` pins (Python 3.12
and 3.13: Django 6 needs 3.12). Each virtualenv gets the wagtail-clinic package
(``pip install -e .``, so pyproject.toml's ranges must admit that Django) and every other pin of
requirements.txt and requirements-dev.txt; only Django differs from the reference site.

``plugin_proof`` runs ``.ci/plugin_proof.sh`` (wheel, fresh ``wagtail start`` project, the
README's steps) on Django 5.2 / Python 3.11 and on what ``wagtail start`` pins (Django 6.1) on
Python 3.13. It makes its own virtualenvs, so nox makes none for it.

    nox                                      # the apps' suite, whole matrix
    nox -l                                   # the sessions
    nox -s "apps(python='3.13', django='6.1')"
    nox -t ci                                # the oldest and the newest pair (see .ci/run)
    nox -s plugin_proof
    nox -s apps -- -k checks -x              # arguments after -- go to pytest

Pythons are found on PATH (with pyenv: ``PYENV_VERSION=3.11.7:3.12.1:3.13.0``, as .ci/run
sets). Virtualenvs live in ``.nox/`` and are reused: each installs again only when a
requirements file, pyproject.toml or its Django changes.
"""

import hashlib
from pathlib import Path

import nox

nox.options.reuse_venv = "yes"
nox.options.sessions = ["apps"]  # `nox` alone: the whole matrix; the plugin proof by name
nox.options.error_on_missing_interpreters = True

ROOT = Path(__file__).resolve().parent
INSTALL_INPUTS = [ROOT / "requirements.txt", ROOT / "requirements-dev.txt", ROOT / "pyproject.toml"]

# Django series -> what to install: None keeps requirements.txt's exact pin (the reference
# site's LTS); a range takes the newest release of a series, as a `wagtail start` project does.
DJANGO = {"5.2": None, "6.0": "Django>=6.0,<6.1", "6.1": "Django>=6.1,<6.2"}
MATRIX = [
    ("3.11", "5.2"),
    ("3.12", "5.2"),
    ("3.13", "5.2"),
    ("3.12", "6.0"),
    ("3.13", "6.0"),
    ("3.12", "6.1"),
    ("3.13", "6.1"),
]
# The oldest supported pair and the newest: the ones CI runs.
CI = {("3.11", "5.2"), ("3.13", "6.1")}


def pinned_requirements(without_django):
    """requirements.txt and requirements-dev.txt as one list of pins, less Django's if asked."""
    lines = []
    for path in INSTALL_INPUTS[:2]:
        for line in path.read_text().splitlines():
            if line.startswith("-r ") or (without_django and line.lower().startswith("django==")):
                continue
            lines.append(line)
    return "\n".join(lines) + "\n"


def install_once(session, *args, key):
    """``session.install(*args)``, skipped when this virtualenv already has exactly that install."""
    digest = hashlib.sha256(key.encode())
    for path in INSTALL_INPUTS:
        digest.update(path.read_bytes())
    stamp = Path(session.virtualenv.location) / ".clinic-installed"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        session.log("Requirements unchanged since the last install: not installing again.")
        return
    session.install("--disable-pip-version-check", *args)
    stamp.write_text(digest.hexdigest())


@nox.session
@nox.parametrize(
    ("python", "django"),
    [nox.param(python, django, tags=["ci"] if (python, django) in CI else []) for python, django in MATRIX],
)
def apps(session, django):
    """The apps' suite on their minimal host, on one Django and one Python."""
    spec = DJANGO[django]
    requirements = Path(session.create_tmp()) / "requirements.txt"
    requirements.write_text(pinned_requirements(without_django=spec is not None))
    install_once(session, "-r", str(requirements), *([spec] if spec else []), "-e", str(ROOT), key=django)
    session.run("python", "-m", "django", "--version")
    session.run("python", "-m", "pytest", "tests/apps", "--ds=tests.apps.settings", *session.posargs)


@nox.session(venv_backend="none")
@nox.parametrize(
    ("interpreter", "django"),
    [nox.param("3.11", "pinned", id="django5.2-py3.11"), nox.param("3.13", "project", id="django6.1-py3.13")],
)
def plugin_proof(session, interpreter, django):
    """The README's steps in a fresh ``wagtail start`` project (.ci/plugin_proof.sh)."""
    session.run(
        "bash",
        str(ROOT / ".ci" / "plugin_proof.sh"),
        env={"PYTHON": f"python{interpreter}", "DJANGO": django},
        external=True,
    )
