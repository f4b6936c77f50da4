"""Hand-edited lexicons (YAML/JSON data files next to this module), loaded once."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import yaml

__all__ = ["load_lexicon"]


@functools.cache
def load_lexicon(name: str) -> Any:
    """Parse ``analysis/lexicons/<name>`` (``.yaml``/``.yml`` or ``.json``), cached.

    Callers must not mutate what they get: the object is shared.
    """
    path = resources.files(__package__).joinpath(name)
    text = path.read_text(encoding="utf-8")
    if name.endswith(".json"):
        return json.loads(text)
    return yaml.safe_load(text)
