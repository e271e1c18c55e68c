"""A developer's or a single machine's settings (`make demo`): SQLite by default."""

from ..env import env_bool
from .base import *  # noqa: F403

DEBUG = env_bool("TONGBAN_DEBUG", True)
