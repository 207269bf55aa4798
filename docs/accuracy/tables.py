"""Compute docs/accuracy.md's precision and recall tables from a run's findings and the two CSVs.

Precision: the findings sample.py draws from FINDINGS_DIR, each looked up in judgments.csv by
(project, rule, location, message); a drawn finding with no judgment is listed, not guessed.
Recall: every violation in recall.csv, matched by (rule, path, line) against FINDINGS_DIR, so the
`reported` column is recomputed, never trusted; rows whose stored column disagrees are listed.
LL701/LL702 are left out of recall, as docs/accuracy.md says.

A third table counts every finding of the run that judgments.csv holds, drawn or not.

usage: python3 tables.py FINDINGS_DIR   (FINDINGS_DIR holds <project>.json for all eleven projects)
"""

import csv
import json
import sys
from collections import Counter
from pathlib import Path

from sample import sample

HERE = Path(__file__).parent
MECHANICAL = {"LL701", "LL702"}
Key = tuple[str, str, str, str]


def judgments() -> dict[Key, bool]:
    with open(HERE / "judgments.csv", newline="") as stream:
        return {(row["project"], row["rule"], row["location"], row["message"]): row["verdict"] == "true"
                for row in csv.DictReader(stream)}


def findings(directory: Path) -> dict[str, list[dict[str, object]]]:
    return {file.stem: json.loads(file.read_text()) for file in sorted(directory.glob("*.json"))}


def drawn(project_findings: list[dict[str, object]]) -> list[dict[str, object]]:
    by_rule: dict[str, list[dict[str, object]]] = {}
    for finding in project_findings:
        by_rule.setdefault(str(finding["code"]), []).append(finding)
    return [finding for code in sorted(by_rule) for finding in sample(by_rule[code])]


def precision(run: dict[str, list[dict[str, object]]]) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    verdicts = judgments()
    judged: Counter[tuple[str, str]] = Counter()
    true: Counter[tuple[str, str]] = Counter()
    for project, project_findings in run.items():
        for finding in drawn(project_findings):
            key = (project, str(finding["code"]), f"{finding['path']}:{finding['line']}", str(finding["message"]))
            if key not in verdicts:
                print(f"unjudged\t{project}\t{key[1]}\t{key[2]}\t{key[3]}", file=sys.stderr)
                continue
            judged[(project, key[1])] += 1
            true[(project, key[1])] += verdicts[key]
    return judged, true


def every_judged(run: dict[str, list[dict[str, object]]]) -> None:
    """Per rule, every finding of the run that judgments.csv holds, drawn or not: the findings in
    the run, how many were judged, how many true. Where every finding was read (LL402), this is
    the rule's precision on the whole run rather than on a sample of it."""
    verdicts = judgments()
    total: Counter[str] = Counter()
    judged: Counter[str] = Counter()
    true: Counter[str] = Counter()
    for project, project_findings in run.items():
        for finding in project_findings:
            code = str(finding["code"])
            key = (project, code, f"{finding['path']}:{finding['line']}", str(finding["message"]))
            total[code] += 1
            if key in verdicts:
                judged[code] += 1
                true[code] += verdicts[key]
    print("| | findings | judged | true | precision on the judged |")
    print("|---|---|---|---|---|")
    for code in sorted(total):
        print(f"| {code} | {total[code]} | {judged[code]} | {true[code]} | {ratio(true[code], judged[code])} |")
    print()


def recall(run: dict[str, list[dict[str, object]]]) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    reported = {(project, str(f["code"]), f"{f['path']}:{f['line']}") for project, fs in run.items() for f in fs}
    found: Counter[tuple[str, str]] = Counter()
    hit: Counter[tuple[str, str]] = Counter()
    with open(HERE / "recall.csv", newline="") as stream:
        for row in csv.DictReader(stream):
            if not row["rule"] or row["rule"] in MECHANICAL:
                continue
            is_reported = (row["project"], row["rule"], row["location"]) in reported
            if is_reported != (row["reported"] == "yes"):
                print(f"recall.csv says {row['reported'] or '-'}, run says {'yes' if is_reported else 'no'}:"
                      f"\t{row['project']}\t{row['rule']}\t{row['location']}", file=sys.stderr)
            found[(row["project"], row["rule"])] += 1
            hit[(row["project"], row["rule"])] += is_reported
    return found, hit


def ratio(part: int, whole: int) -> str:
    return f"{part / whole:.2f}" if whole else "-"


def table(axis: int, judged: Counter[tuple[str, str]], true: Counter[tuple[str, str]],
          found: Counter[tuple[str, str]], hit: Counter[tuple[str, str]]) -> None:
    names = sorted({key[axis] for key in [*judged, *found]})
    print("| | judged | true | precision | found by reading | reported | recall |")
    print("|---|---|---|---|---|---|---|")
    for name in [*names, "all"]:
        def total(counter: Counter[tuple[str, str]]) -> int:
            return sum(n for key, n in counter.items() if name == "all" or key[axis] == name)
        j, t, f, h = total(judged), total(true), total(found), total(hit)
        print(f"| {name} | {j} | {t} | {ratio(t, j)} | {f} | {h} | {ratio(h, f)} |")
    print()


def main(directory: Path) -> None:
    run = findings(directory)
    judged, true = precision(run)
    found, hit = recall(run)
    table(1, judged, true, found, hit)
    table(0, judged, true, found, hit)
    every_judged(run)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
