"""Per-module facts, loaded from source. (The on-disk cache lands with the speed work.)"""

from __future__ import annotations

from collections.abc import Sequence

from layerlint.core.config import Config
from layerlint.project.discovery import SourceFile
from layerlint.project.facts import ModuleFacts
from layerlint.project.loader import load_facts


def load_all_facts(config: Config, files: Sequence[SourceFile]) -> list[ModuleFacts]:
    return [load_facts(f) for f in files]
