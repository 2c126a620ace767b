"""The one place environment variables are read, each with its type and default.

Every variable is listed in docs/reference-site.md's configuration table.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
