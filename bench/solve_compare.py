#!/usr/bin/env python3
"""Cross-check envsmith's conda solver against a peer solver (rattler's resolvo, in wasm).

Serves the shared test channels (testdata/derived) over loopback, then for every spec set
of bench/solve_specs.txt runs

  (a) the peer:    node bench/solve_peer.mjs   (request JSON on stdin)
  (b) envsmith:    <envsmith> --json lock <env.yml> --platform <platform> -o <tmp>/lock.yml --no-pip-dependency

and prints one table row per spec set: both statuses and record counts, whether the solutions
are the same, the records only one side has, which side picked the more preferred record for
each differing name, and the time ratio peer / envsmith.

Standard library only. A bench, not a test: it needs node, the peer package installed in a
scratch folder (see docs/solver-crosscheck.md) and, unless --peer-only, an envsmith build.

Exit status: 0 when every spec set matched (or differed only by ties, see below) and matched
its expected status; 1 otherwise; 2 for a usage error.

"Equally preferred" (the explanation a difference may have): for every package name whose
record differs between the two solutions, both records are looked up in the repodata and
compared by (version in conda's order, build number, timestamp). Equal keys on every
differing name mean the two solvers picked records that this check cannot rank, and the
difference is reported as explained ("tie"). Otherwise the side with the greater key for that
name is named as having picked the more preferred record; a name only one side installs has
no counterpart and is never explained.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Channel keys of the spec file -> folders of testdata/derived.
CHANNEL_DIRS = {
    "index4": "conda-index4-channel",
    "r": "r-channel",
    "pytorch": "pytorch-channel",
    "sudoku": "sudoku-channel",
}

VIRTUAL_OVERRIDES = {"__glibc": "CONDA_OVERRIDE_GLIBC", "__cuda": "CONDA_OVERRIDE_CUDA"}


# --------------------------------------------------------------------------------------------
# Spec sets


@dataclass
class SpecSet:
    ident: str
    channels: list[str]  # channel keys, highest priority first
    specs: list[str]
    virtual: list[tuple[str, str]]  # (name, version)
    expect: str  # "solved" | "unsolvable"
    note: str
    line: int
    tags: frozenset[str] = frozenset()  # "slow", "peer-error"


def parse_spec_file(path: Path) -> list[SpecSet]:
    """Lines `id | channels | specs | virtual packages | expect | note`; `#` starts a comment
    line. channels: keys joined by `+` (priority order). specs: whitespace-separated match
    specs (so no spaces inside one spec). virtual: `__name=version` words or `-`. expect:
    `solved` or `unsolvable`, then optional tags: `slow` (run only with --slow) and
    `peer-error` (the peer is known to fail on it: that is reported, not counted)."""
    sets: list[SpecSet] = []
    seen: set[str] = set()
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 5:
            raise SystemExit(f"{path}:{lineno}: expected 'id | channels | specs | virtual | expect | note'")
        ident, chans, specs, virt, expect = parts[:5]
        note = " | ".join(parts[5:])
        if ident in seen:
            raise SystemExit(f"{path}:{lineno}: duplicate id {ident}")
        seen.add(ident)
        keys = [c for c in chans.split("+") if c]
        for c in keys:
            if c not in CHANNEL_DIRS:
                raise SystemExit(f"{path}:{lineno}: unknown channel key {c!r} (known: {', '.join(CHANNEL_DIRS)})")
        virtual: list[tuple[str, str]] = []
        if virt not in ("", "-"):
            for word in virt.split():
                name, _, version = word.partition("=")
                if not name.startswith("__") or not version:
                    raise SystemExit(f"{path}:{lineno}: virtual package {word!r} is not __name=version")
                virtual.append((name, version))
        words = expect.split()
        if not words or words[0] not in ("solved", "unsolvable"):
            raise SystemExit(f"{path}:{lineno}: expect must start with solved or unsolvable, not {expect!r}")
        tags = frozenset(words[1:])
        if tags - {"slow", "peer-error"}:
            raise SystemExit(f"{path}:{lineno}: unknown tags {' '.join(sorted(tags - {'slow', 'peer-error'}))}")
        sets.append(SpecSet(ident, keys, specs.split(), virtual, words[0], note, lineno, tags))
    return sets


# --------------------------------------------------------------------------------------------
# Conda version order (for the preference check only)


def _version_key(text: str):
    """A sort key following conda's version order: optional epoch `N!`, local part after `+`,
    `-` read as `_` and `_` as `.`, components split into numbers and letter runs, a component
    starting with letters gets a leading 0, `dev` below every other string, `post` above
    every number, strings below numbers, missing parts filled with 0."""
    v = text.strip().lower()
    epoch = 0
    if "!" in v:
        e, v = v.split("!", 1)
        epoch = int(e) if e.isdigit() else 0
    local = ""
    if "+" in v:
        v, local = v.split("+", 1)

    def components(s: str):
        if "-" in s and "_" not in s:
            s = s.replace("-", "_")
        out = []
        for comp in s.replace("_", ".").split("."):
            parts = re.findall(r"\d+|[a-z]+|\*", comp)
            if not parts:
                parts = ["0"]
            if not parts[0].isdigit():
                parts.insert(0, "0")
            out.append([_part(p) for p in parts])
        return out

    return epoch, components(v), components(local) if local else []


def _part(p: str):
    # (rank, value): dev < other strings < numbers < post
    if p.isdigit():
        return (2, int(p))
    if p == "dev":
        return (0, "")
    if p == "post":
        return (3, 0)
    return (1, p)


def _cmp_components(a, b) -> int:
    for i in range(max(len(a), len(b))):
        ca = a[i] if i < len(a) else [(2, 0)]
        cb = b[i] if i < len(b) else [(2, 0)]
        for j in range(max(len(ca), len(cb))):
            pa = ca[j] if j < len(ca) else (2, 0)
            pb = cb[j] if j < len(cb) else (2, 0)
            if pa != pb:
                return -1 if pa < pb else 1
    return 0


def compare_versions(a: str, b: str) -> int:
    ka, kb = _version_key(a), _version_key(b)
    if ka[0] != kb[0]:
        return -1 if ka[0] < kb[0] else 1
    return _cmp_components(ka[1], kb[1]) or _cmp_components(ka[2], kb[2])


# --------------------------------------------------------------------------------------------
# Repodata lookup


class Repodata:
    """Records of the served channels, found by (channel dir, subdir, filename) or by
    name-version-build within a list of channel dirs."""

    def __init__(self, root: Path):
        self.root = root
        self._by_fn: dict[tuple[str, str, str], dict] = {}
        self._loaded: set[str] = set()

    def _load(self, chan_dir: str) -> None:
        if chan_dir in self._loaded:
            return
        self._loaded.add(chan_dir)
        for sub in sorted((self.root / chan_dir).iterdir()):
            f = sub / "repodata.json"
            if not f.is_file():
                continue
            data = json.loads(f.read_text(encoding="utf-8"))
            for section in ("packages", "packages.conda"):
                for fn, rec in (data.get(section) or {}).items():
                    self._by_fn[(chan_dir, sub.name, fn)] = rec

    def find(self, pkg: dict, chan_dirs: list[str]) -> dict | None:
        path = urllib.parse.urlparse(pkg.get("url") or "").path.strip("/").split("/")
        if len(path) >= 3:
            chan_dir, sub, fn = path[-3], path[-2], urllib.parse.unquote(path[-1])
            if chan_dir in chan_dirs:
                self._load(chan_dir)
                rec = self._by_fn.get((chan_dir, sub, fn))
                if rec is not None:
                    return rec
        for d in chan_dirs:
            self._load(d)
        for (d, _sub, _fn), rec in self._by_fn.items():
            if d in chan_dirs and rec.get("name") == pkg.get("name") and str(rec.get("version")) == str(pkg.get("version")) and rec.get("build") == pkg.get("build"):
                return rec
        return None


def nvb(p: dict) -> str:
    return f"{p['name']}-{p['version']}-{p['build']}"


def preference(peer_rec: dict | None, env_rec: dict | None) -> tuple[str, str]:
    """Which of two records of one name is preferred: ("tie"|"peer"|"envsmith"|"unknown", why)."""
    if peer_rec is None or env_rec is None:
        return "unknown", "record not found in the repodata"
    c = compare_versions(str(peer_rec.get("version")), str(env_rec.get("version")))
    if c:
        return ("peer" if c > 0 else "envsmith"), "version"
    bp, be = int(peer_rec.get("build_number") or 0), int(env_rec.get("build_number") or 0)
    if bp != be:
        return ("peer" if bp > be else "envsmith"), "build number"
    tp, te = int(peer_rec.get("timestamp") or 0), int(env_rec.get("timestamp") or 0)
    if tp != te:
        return ("peer" if tp > te else "envsmith"), "timestamp"
    return "tie", "same version, build number and timestamp"


# --------------------------------------------------------------------------------------------
# Serving the channels


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def serve(root: Path):
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="channels", daemon=True)
    thread.start()
    return server


# --------------------------------------------------------------------------------------------
# Running the two sides


@dataclass
class Side:
    status: str = "not run"  # solved | unsolvable | error | not run
    packages: list[dict] = field(default_factory=list)
    message: str = ""
    seconds: float | None = None  # solver-reported time (peer: one simpleSolve; envsmith: load_s + solve_s)
    wall: float | None = None  # the whole process
    raw: dict | None = None


def run_peer(args, s: SpecSet, urls: list[str]) -> Side:
    request = {
        "channels": urls,
        "platform": args.platform,
        "specs": s.specs,
        "virtual_packages": [{"name": n, "version": v, "build": "0"} for n, v in s.virtual],
    }
    cmd = [args.node, str(REPO / "bench" / "solve_peer.mjs"), "--repeat", str(args.repeat)]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, input=json.dumps(request), capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return Side("error", message=f"peer timed out after {args.timeout} s", wall=time.perf_counter() - t0)
    wall = time.perf_counter() - t0
    try:
        out = json.loads(proc.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        return Side("error", message=f"peer exit {proc.returncode}, no JSON: {(proc.stderr or proc.stdout)[-400:]}", wall=wall)
    return Side(out.get("status", "error"), out.get("packages") or [], out.get("message", ""), out.get("seconds"), wall, out)


def yaml_str(s: str) -> str:
    return json.dumps(s)  # a JSON string is a valid YAML double-quoted scalar


def run_envsmith(args, s: SpecSet, urls: list[str]) -> Side:
    """Runs envsmith --repeat times, each with a fresh cache; the fastest solved run counts
    (an unsolved or failed run is returned at once)."""
    best: Side | None = None
    for _ in range(args.repeat):
        side = _run_envsmith_once(args, s, urls)
        if side.status != "solved":
            return side
        if best is not None and [nvb(p) for p in side.packages] != [nvb(p) for p in best.packages]:
            return Side("error", message="envsmith gave different solutions for the same request on repeat", wall=side.wall)
        key = side.seconds if side.seconds is not None else side.wall
        if best is None or key < (best.seconds if best.seconds is not None else best.wall):
            best = side
    return best  # type: ignore[return-value]


def _run_envsmith_once(args, s: SpecSet, urls: list[str]) -> Side:
    with tempfile.TemporaryDirectory(prefix="envsmith-xcheck-") as tmp:
        tmpdir = Path(tmp)
        env_yml = tmpdir / "environment.yml"
        lines = ["name: x", "channels:"] + [f"  - {yaml_str(u)}" for u in urls] + ["dependencies:"] + [f"  - {yaml_str(x)}" for x in s.specs]
        env_yml.write_text("\n".join(lines) + "\n", encoding="utf-8")
        env = dict(os.environ)
        env["ENVSMITH_CACHE_DIR"] = str(tmpdir / "cache")
        given = dict(s.virtual)
        for name, var in VIRTUAL_OVERRIDES.items():
            env[var] = given.get(name, "")  # empty hides the virtual package, as in conda
        # --json is envsmith's global option, so it goes before the subcommand (the CLI does not
        # take the app's options after one).
        # rattler does not add pip to python's dependencies; conda (and envsmith by default) does.
        cmd = [args.envsmith, "--json", "lock", str(env_yml), "--platform", args.platform, "-o", str(tmpdir / "lock.yml"),
               "--no-pip-dependency"]
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, env=env)
        except subprocess.TimeoutExpired:
            return Side("error", message=f"envsmith timed out after {args.timeout} s", wall=time.perf_counter() - t0)
        except OSError as e:
            return Side("error", message=f"cannot run {args.envsmith}: {e}")
        wall = time.perf_counter() - t0
    try:
        out = json.loads(proc.stdout)
        plat = out["platforms"][args.platform]
    except (json.JSONDecodeError, KeyError, TypeError):
        return Side("error", message=f"envsmith exit {proc.returncode}, no usable JSON: {(proc.stderr or proc.stdout)[-400:]}", wall=wall)
    status = plat.get("status", "error")
    # envsmith exits 7 (conflict) when a platform has no solution (docs/cli.md).
    if (status, proc.returncode) not in (("solved", 0), ("unsolvable", 7)):
        return Side("error", message=f"envsmith exit {proc.returncode} with status {status!r}: {proc.stderr[-400:]}", wall=wall, raw=out)
    pkgs = [p for p in plat.get("packages") or [] if p.get("manager", "conda") == "conda" and not str(p.get("name", "")).startswith("__")]
    timings = plat.get("timings") or {}
    seconds = None
    if "load_s" in timings or "solve_s" in timings:
        seconds = float(timings.get("load_s") or 0) + float(timings.get("solve_s") or 0)
    message = "\n".join(plat.get("explanation") or [])
    return Side(status, sorted(pkgs, key=lambda p: p["name"]), message, seconds, wall, out)


# --------------------------------------------------------------------------------------------
# Comparing


@dataclass
class Outcome:
    spec: SpecSet
    peer: Side
    env: Side
    verdict: str = ""  # same | tie | DIFF | ERROR | peer-only | UNEXPECTED
    only_peer: list[str] = field(default_factory=list)
    only_env: list[str] = field(default_factory=list)
    prefs: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def compare(o: Outcome, repodata: Repodata, peer_only: bool) -> None:
    s, peer, env = o.spec, o.peer, o.env
    known_peer_failure = peer.status == "error" and "peer-error" in s.tags
    if known_peer_failure:
        o.notes.append(f"peer fails here (known, tagged peer-error): {peer.message.strip()[:300]}")
    elif peer.status == "error":
        o.problems.append(f"peer error: {peer.message.strip()[:300]}")
    elif peer.status != s.expect:
        o.problems.append(f"peer is {peer.status}, the spec file expects {s.expect}")
    if peer_only:
        if known_peer_failure:
            o.verdict = "peer-fails"
        else:
            o.verdict = "ERROR" if peer.status == "error" else ("UNEXPECTED" if o.problems else "peer-only")
        return
    if env.status == "error":
        o.problems.append(f"envsmith error: {env.message.strip()[:300]}")
    elif env.status != s.expect:
        o.problems.append(f"envsmith is {env.status}, the spec file expects {s.expect}")
    if known_peer_failure and env.status != "error":
        o.verdict = "UNEXPECTED" if o.problems else "envsmith-only"
        return
    if "error" in (peer.status, env.status):
        o.verdict = "ERROR"
        return
    if peer.status != env.status:
        o.verdict = "DIFF"
        o.problems.append(f"status differs: peer {peer.status}, envsmith {env.status}")
        return
    if peer.status == "unsolvable":
        o.verdict = "UNEXPECTED" if o.problems else "same"
        return
    pmap = {p["name"]: p for p in peer.packages}
    emap = {p["name"]: p for p in env.packages}
    o.only_peer = sorted(nvb(p) for n, p in pmap.items() if n not in emap or nvb(emap[n]) != nvb(p))
    o.only_env = sorted(nvb(p) for n, p in emap.items() if n not in pmap or nvb(pmap[n]) != nvb(p))
    if not o.only_peer and not o.only_env:
        o.verdict = "UNEXPECTED" if o.problems else "same"
        return
    chan_dirs = [CHANNEL_DIRS[c] for c in s.channels]
    explained = True
    for name in sorted(set(pmap) | set(emap)):
        p, e = pmap.get(name), emap.get(name)
        if p and e and nvb(p) == nvb(e):
            continue
        if p is None or e is None:
            explained = False
            o.prefs.append({"name": name, "winner": "only " + ("envsmith" if p is None else "peer"), "why": "no counterpart"})
            continue
        pr, er = repodata.find(p, chan_dirs), repodata.find(e, chan_dirs)
        winner, why = preference(pr, er)
        entry = {"name": name, "peer": nvb(p), "envsmith": nvb(e), "winner": winner, "why": why}
        if pr and er and len(str(pr.get("track_features") or "").split()) != len(str(er.get("track_features") or "").split()):
            entry["note"] = "track_features differ"
        o.prefs.append(entry)
        if winner != "tie":
            explained = False
    o.verdict = "tie" if explained and not o.problems else ("UNEXPECTED" if explained else "DIFF")


# --------------------------------------------------------------------------------------------
# Output


def fmt_side(side: Side) -> str:
    if side.status == "solved":
        return f"solved {len(side.packages)}"
    if side.status == "unsolvable":
        return "unsat"
    return side.status


def fmt_time(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def print_table(outcomes: list[Outcome], peer_only: bool) -> None:
    if peer_only:
        header = ["spec set", "channels", "peer", "peer s", "first s", "wall s", "expect", "verdict"]
        rows = [
            [o.spec.ident, "+".join(o.spec.channels), fmt_side(o.peer), fmt_time(o.peer.seconds), fmt_time((o.peer.raw or {}).get("seconds_first")), fmt_time(o.peer.wall), o.spec.expect, o.verdict]
            for o in outcomes
        ]
    else:
        header = ["spec set", "peer", "envsmith", "same?", "differences (<peer only, >envsmith only)", "preferred", "peer/envsmith"]
        rows = []
        for o in outcomes:
            diff = ""
            if len(o.only_peer) + len(o.only_env) <= 4:
                # peer's records marked <, envsmith's marked >
                diff = " ".join([f"<{x}" for x in o.only_peer] + [f">{x}" for x in o.only_env])
            else:
                diff = f"{len(o.only_peer)} only peer, {len(o.only_env)} only envsmith (details below)"
            prefs = ",".join(sorted({p["winner"] for p in o.prefs}))
            ratio = "-"
            if "error" in (o.peer.status, o.env.status):
                pass
            elif o.peer.seconds and o.env.seconds:
                ratio = f"{o.peer.seconds / o.env.seconds:.2f}"
            elif o.peer.wall and o.env.wall:
                ratio = f"{o.peer.wall / o.env.wall:.2f} (wall)"
            rows.append([o.spec.ident, fmt_side(o.peer), fmt_side(o.env), o.verdict, diff, prefs, ratio])
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("-+-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(r, widths)))
    details = [o for o in outcomes if o.only_peer or o.only_env or o.problems or o.notes]
    if details:
        print("\nDetails:")
    for o in details:
        print(f"* {o.spec.ident} ({o.verdict}): {' '.join(o.spec.specs)}")
        for pr in o.problems + o.notes:
            print("    " + " / ".join(x.strip() for x in pr.splitlines() if x.strip()))
        if o.only_peer:
            print(f"    only peer:     {' '.join(o.only_peer)}")
        if o.only_env:
            print(f"    only envsmith: {' '.join(o.only_env)}")
        for p in o.prefs:
            if "peer" in p:
                extra = f" ({p['note']})" if "note" in p else ""
                print(f"    {p['name']}: peer {p['peer']} vs envsmith {p['envsmith']}: {p['winner']} by {p['why']}{extra}")
            else:
                print(f"    {p['name']}: {p['winner']} ({p['why']})")


def default_testdata() -> Path:
    local = REPO.parent / "shared" / "testdata" / "derived"
    return local if local.is_dir() else Path("/work/shared/testdata/derived")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--specs", type=Path, default=REPO / "bench" / "solve_specs.txt", help="spec set file")
    ap.add_argument("--envsmith", default=str(REPO / "build" / "ci" / "apps" / "cli" / "envsmith"), help="envsmith binary")
    ap.add_argument("--peer-only", action="store_true", help="run only the peer and print its results")
    ap.add_argument("--json", type=Path, metavar="OUT", help="write the raw results here")
    ap.add_argument("--only", metavar="REGEX", help="run only spec sets whose id matches")
    ap.add_argument("--testdata", type=Path, default=default_testdata(), help="the derived/ folder to serve")
    ap.add_argument("--platform", default="linux-64")
    ap.add_argument("--node", default=shutil.which("node") or "node")
    ap.add_argument("--repeat", type=int, default=1, help="runs per side and spec set; the fastest counts")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per run")
    ap.add_argument("--slow", action="store_true", help="also run the spec sets tagged slow")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")

    sets = parse_spec_file(args.specs)
    if not args.slow:
        sets = [s for s in sets if "slow" not in s.tags]
    if args.only:
        sets = [s for s in sets if re.search(args.only, s.ident)]
    if not sets:
        print("no spec set selected", file=sys.stderr)
        return 2
    if not args.peer_only and not Path(args.envsmith).is_file():
        print(f"envsmith binary not found: {args.envsmith} (build it, pass --envsmith, or use --peer-only)", file=sys.stderr)
        return 2

    server = serve(args.testdata)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    repodata = Repodata(args.testdata)
    outcomes: list[Outcome] = []
    try:
        for s in sets:
            urls = [f"{base}/{CHANNEL_DIRS[c]}" for c in s.channels]
            print(f"[{len(outcomes) + 1}/{len(sets)}] {s.ident}: {' '.join(s.specs)}", file=sys.stderr, flush=True)
            peer = run_peer(args, s, urls)
            env = Side() if args.peer_only else run_envsmith(args, s, urls)
            o = Outcome(s, peer, env)
            compare(o, repodata, args.peer_only)
            outcomes.append(o)
    finally:
        server.shutdown()
        server.server_close()

    print_table(outcomes, args.peer_only)

    if args.json:
        doc = {
            "platform": args.platform,
            "peer_only": args.peer_only,
            "results": [
                {
                    "id": o.spec.ident,
                    "channels": o.spec.channels,
                    "specs": o.spec.specs,
                    "virtual_packages": dict(o.spec.virtual),
                    "expect": o.spec.expect,
                    "verdict": o.verdict,
                    "problems": o.problems,
                    "notes": o.notes,
                    "only_peer": o.only_peer,
                    "only_envsmith": o.only_env,
                    "preference": o.prefs,
                    "peer": o.peer.raw or {"status": o.peer.status, "message": o.peer.message},
                    "peer_wall_seconds": o.peer.wall,
                    "envsmith": o.env.raw or {"status": o.env.status, "message": o.env.message},
                    "envsmith_wall_seconds": o.env.wall,
                }
                for o in outcomes
            ],
        }
        args.json.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")

    bad = [o for o in outcomes if o.verdict in ("DIFF", "ERROR", "UNEXPECTED")]
    print(f"\n{len(outcomes)} spec sets: " + ", ".join(f"{v} {sum(1 for o in outcomes if o.verdict == v)}" for v in sorted({o.verdict for o in outcomes})))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
