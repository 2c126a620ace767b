"""Production: base settings as they are; everything else from the environment."""

from .base import *  # noqa: F403
