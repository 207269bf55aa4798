"""Draw the modules read for recall in docs/accuracy.md: per role (router, service, repository,
model, dto), PER_ROLE modules drawn with random.Random(13) from the sorted modules of that role,
as `layerlint roles` lists them.

usage: python3 draw.py ROLES_TXT [PER_ROLE]   (ROLES_TXT: the output of `layerlint roles`)
"""

import random
import sys
from pathlib import Path

SEED = 13
ROLES = ("router", "service", "repository", "model", "dto")


def draw(lines: list[str], per_role: int) -> list[tuple[str, str]]:
    by_role: dict[str, list[str]] = {}
    for line in lines:
        parts = line.split()
        if len(parts) >= 2 and parts[1] in ROLES:
            by_role.setdefault(parts[1], []).append(parts[0])
    picked: list[tuple[str, str]] = []
    for role in ROLES:
        modules = sorted(by_role.get(role, []))
        for module in random.Random(SEED).sample(modules, min(per_role, len(modules))):
            picked.append((role, module))
    return picked


if __name__ == "__main__":
    per_role = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    for role, module in draw(Path(sys.argv[1]).read_text().splitlines(), per_role):
        print(f"{role}\t{module}")
