#!/usr/bin/env python3
"""Runs uv's resolver scenarios (packse format, uv/test/scenarios/**/*.toml) through envsmith's
PyPI provider and compares the outcome with each scenario's [expected] table.

Each scenario becomes a JSON problem for the `envsmith_uv_scenario` driver: one target (the
scenario's Python on linux-64), the packages as an in-memory index, and the resolver options.
Scenarios listed in out_of_scope.txt (`<name>: <reason>`) are run and reported but never fail
the run; a listed scenario that passes gets a note. Exit status: 0 when every in-scope scenario
passes (or the test data is absent), 1 otherwise.

    run.py --driver build/ci/libs/solver/envsmith_uv_scenario [--testdata DIR] [-k SUBSTR] [-v]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

# packse's defaults (src/packse/scenario.py): every version requires Python >=3.12 unless it
# says otherwise, the active Python is 3.12, and each version has an sdist and a
# `py3-none-any` wheel.
DEFAULT_REQUIRES_PYTHON = ">=3.12"
DEFAULT_PYTHON = "3.12"
# uv's scenario tests install on a Linux x86_64 CI host; its glibc is well above 2.17.
HOST_SUBDIR = "linux-64"
HOST_GLIBC = "2.35"
PLATFORMS = {
    "x86_64-manylinux2014": ("linux-64", "2.17"),
    "x86_64-unknown-linux-gnu": ("linux-64", "2.17"),
    "aarch64-manylinux2014": ("linux-aarch64", "2.17"),
}


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def with_extra(requirement: str, extra: str) -> str:
    """`b>=1 ; python_version < "3.9"` as a dependency of extra `x`."""
    base, sep, marker = requirement.partition(";")
    clause = f'extra == "{extra}"'
    if sep and marker.strip():
        return f"{base.strip()} ; ({marker.strip()}) and {clause}"
    return f"{base.strip()} ; {clause}"


@dataclass
class Scenario:
    path: Path
    name: str
    category: str
    data: dict
    problem: dict = field(default_factory=dict)


def convert(scenario: Scenario, default_prereleases: str = "if-necessary") -> dict:
    d = scenario.data
    options = d.get("resolver_options", {})
    environment = d.get("environment", {})
    python = options.get("python") or environment.get("python") or DEFAULT_PYTHON
    subdir, glibc = HOST_SUBDIR, HOST_GLIBC
    tags = True
    if options.get("python_platform"):
        platform = options["python_platform"]
        if platform not in PLATFORMS:
            raise ValueError(f"unknown python_platform {platform}")
        subdir, glibc = PLATFORMS[platform]
    elif options.get("python"):
        # `uv pip compile --python-version X` without `--python-platform` does not filter
        # wheels by tag: any wheel can provide metadata.
        tags = False
    packages: dict[str, list[dict]] = {}
    for name, package in d.get("packages", {}).items():
        releases = []
        for version, meta in package.get("versions", {}).items():
            requires_dist = list(meta.get("requires", []))
            for extra, reqs in meta.get("extras", {}).items():
                requires_dist.extend(with_extra(r, extra) for r in reqs)
            wheels = []
            if meta.get("wheel", True):
                for tag in meta.get("wheel_tags") or ["py3-none-any"]:
                    wheels.append(f"{name.replace('-', '_')}-{version}-{tag}.whl")
            releases.append(
                {
                    "version": version,
                    "requires_dist": requires_dist,
                    "requires_python": meta.get("requires_python", DEFAULT_REQUIRES_PYTHON),
                    "yanked": bool(meta.get("yanked", False)),
                    "wheels": wheels,
                    "sdist": bool(meta.get("sdist", True)),
                }
            )
        packages[name] = releases
    return {
        "requirements": list(d.get("root", {}).get("requires", [])),
        "constraints": [],
        "python": python,
        "subdir": subdir,
        "glibc": glibc,
        "tags": tags,
        "prereleases": "allow" if options.get("prereleases") else default_prereleases,
        "resolution": options.get("resolution", "highest"),
        "no_binary": list(options.get("no_binary", [])),
        "no_build": list(options.get("no_build", [])),
        "packages": packages,
    }


def check(scenario: Scenario, outcome: dict) -> str | None:
    """None when the outcome matches [expected], else what differs."""
    expected = scenario.data["expected"]
    status = outcome.get("status")
    if status == "error":
        return f"driver error: {outcome.get('error')}"
    solved = status == "solved"
    if solved != bool(expected["satisfiable"]):
        return "solved, expected unsatisfiable" if solved else "unsatisfiable, expected a solution"
    if solved and expected.get("packages"):
        want = {normalize(k): str(v) for k, v in expected["packages"].items()}
        got = outcome.get("packages", {})
        if got != want:
            parts = []
            for name in sorted(set(want) | set(got)):
                if want.get(name) != got.get(name):
                    parts.append(f"{name}: expected {want.get(name, '(absent)')}, got {got.get(name, '(absent)')}")
            return "; ".join(parts)
    return None


def load_out_of_scope(path: Path) -> dict[str, str]:
    result: dict[str, str] = {}
    if not path.exists():
        return result
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, reason = line.partition(":")
        if not sep:
            raise SystemExit(f"{path}: malformed line (want `<name>: <reason>`): {raw}")
        result[name.strip()] = reason.strip()
    return result


def run_driver(driver: str, problem: dict) -> dict:
    proc = subprocess.run([driver], input=json.dumps(problem), capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        return {"status": "error", "error": f"exit {proc.returncode}: {proc.stderr.strip()[:500]}"}
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        return {"status": "error", "error": f"unreadable output: {proc.stdout[:500]}"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--driver", required=True, help="path to the envsmith_uv_scenario executable")
    parser.add_argument("--testdata", default=str(REPO.parent / "shared" / "testdata"),
                        help="the shared test data folder (default: ../shared/testdata from the repository)")
    parser.add_argument("-k", dest="filter", default="", help="only scenarios whose name contains this")
    parser.add_argument("-v", "--verbose", action="store_true", help="print explanations of failures")
    parser.add_argument("--dump", action="store_true", help="print each problem and outcome as JSON")
    parser.add_argument("--prereleases", default="if-necessary",
                        choices=["if-necessary", "if-necessary-or-explicit", "explicit", "allow", "disallow"],
                        help="the pre-release mode of scenarios that do not set one (uv's default: if-necessary)")
    args = parser.parse_args()

    root = Path(args.testdata) / "uv" / "test" / "scenarios"
    if not root.is_dir():
        print(f"uv scenarios: skipped, no test data at {root}")
        return 0
    out_of_scope = load_out_of_scope(HERE / "out_of_scope.txt")

    scenarios = []
    for path in sorted(root.glob("**/*.toml")):
        data = tomllib.loads(path.read_text())
        scenario = Scenario(path, data.get("name", path.stem), path.relative_to(root).parts[0], data)
        if args.filter and args.filter not in scenario.name and args.filter not in path.stem:
            continue
        scenarios.append(scenario)

    table: dict[str, dict[str, int]] = {}
    failures, notes, seen = [], [], set()
    for scenario in scenarios:
        key = scenario.name if scenario.name in out_of_scope else scenario.path.stem
        listed = key in out_of_scope
        seen.add(key)
        try:
            scenario.problem = convert(scenario, args.prereleases)
            outcome = run_driver(args.driver, scenario.problem)
        except (ValueError, OSError, subprocess.TimeoutExpired) as e:
            outcome = {"status": "error", "error": str(e)}
        problem = check(scenario, outcome)
        row = table.setdefault(scenario.category, {"total": 0, "passed": 0, "failed": 0, "out of scope": 0})
        row["total"] += 1
        if args.dump:
            print(json.dumps({"name": scenario.name, "problem": scenario.problem, "outcome": outcome}, indent=1))
        if listed:
            row["out of scope"] += 1
            if problem is None:
                notes.append(f"{scenario.name} passes but is listed in out_of_scope.txt "
                             f"({out_of_scope[key]}); consider removing it")
            continue
        if problem is None:
            row["passed"] += 1
            continue
        row["failed"] += 1
        failures.append((scenario, problem, outcome))

    print(f"{'category':<24}{'total':>7}{'passed':>8}{'failed':>8}{'out of scope':>14}")
    totals = {"total": 0, "passed": 0, "failed": 0, "out of scope": 0}
    for category in sorted(table):
        row = table[category]
        for k in totals:
            totals[k] += row[k]
        print(f"{category:<24}{row['total']:>7}{row['passed']:>8}{row['failed']:>8}{row['out of scope']:>14}")
    print(f"{'all':<24}{totals['total']:>7}{totals['passed']:>8}{totals['failed']:>8}{totals['out of scope']:>14}")

    unknown = sorted(set(out_of_scope) - seen) if not args.filter else []
    for name in unknown:
        print(f"note: out_of_scope.txt lists `{name}`, which is not a scenario")
    for note in notes:
        print(f"note: {note}")
    for scenario, problem, outcome in failures:
        print(f"FAIL {scenario.category}/{scenario.path.stem}: {problem}")
        if args.verbose and outcome.get("explanation"):
            for line in outcome["explanation"]:
                print(f"    {line}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
