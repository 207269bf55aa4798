"""Draw the precision sample for docs/accuracy.md: per project and rule, every finding when there
are at most 10, else 10 drawn with random.Random(13) from the findings sorted by (path, line, column).

usage: python3 sample.py FINDINGS_DIR > sample.txt   (FINDINGS_DIR holds <project>.json)
"""

import json
import random
import sys
from pathlib import Path

SEED = 13
PER_RULE = 10


def sample(findings: list[dict[str, object]]) -> list[dict[str, object]]:
    ordered = sorted(findings, key=lambda f: (str(f["path"]), int(str(f["line"])), int(str(f["column"]))))
    if len(ordered) <= PER_RULE:
        return ordered
    picked = random.Random(SEED).sample(ordered, PER_RULE)
    return sorted(picked, key=lambda f: (str(f["path"]), int(str(f["line"]))))


def main(directory: Path) -> None:
    for file in sorted(directory.glob("*.json")):
        by_rule: dict[str, list[dict[str, object]]] = {}
        for finding in json.loads(file.read_text()):
            by_rule.setdefault(str(finding["code"]), []).append(finding)
        for code in sorted(by_rule):
            for finding in sample(by_rule[code]):
                print(f"{file.stem}\t{code}\t{finding['path']}:{finding['line']}\t{finding['message']}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
