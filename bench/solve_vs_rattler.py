#!/usr/bin/env python3
"""load + solve, envsmith against the rattler peer, side by side on the same machine.

For every request that bench_solve knows (`bench_solve --list`: the ML requests on the
generated channel, ids `ml-*`, and the spec sets of bench/solve_specs.txt on the shared test
channels), one after the other, never in parallel:

  peer      node bench/solve_peer.mjs --repeat N   (rattler 0.3.5's simpleSolve in wasm). One
            call fetches the channels' repodata over loopback HTTP, parses it and solves; the
            API cannot separate the steps. `seconds` is the fastest of the N calls in one node
            process (the first is slow while the wasm code warms up; docs/solver-crosscheck.md).
  envsmith  bench_solve --json --only '^ID$' --no-pip: load = read linux-64/ and noarch/
            repodata.json from disk + parse into the index (fastest of --load-runs), solve =
            solve_conda with a fresh provider (fastest of --runs). `pip` is not added to
            python's dependencies, since the peer does not add it either.
  lock      (only with --envsmith BIN) `envsmith --json lock` on the same channels over the same
            loopback HTTP with an empty cache: its own load_s + solve_s (fetch + parse + solve),
            one run.

The ratio is peer / envsmith load+solve: both sides parse the whole repodata and solve; the
peer also moves the bytes over loopback HTTP, envsmith reads them from the page cache (the
`lock` column shows envsmith with HTTP). The geometric mean is over the requests where both
sides gave the same status.

Channels are served from 127.0.0.1 by http.server threads: ../shared/testdata/derived (or
--testdata) and the generated channel (ENVSMITH_BENCH_SOLVE_CHANNEL or --channel), made by
`python3 bench/gen_solve_channel.py DIR`. Standard library only.

usage: solve_vs_rattler.py [--bench BIN] [--channel DIR] [--only REGEX] [--repeat 3] [--runs 5]
                           [--envsmith BIN] [--json OUT] [--node node] [--timeout 900]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHANNEL_DIRS = {"index4": "conda-index4-channel", "r": "r-channel", "pytorch": "pytorch-channel",
                "sudoku": "sudoku-channel"}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # noqa: D401 - silence the per-request log
        pass


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def first_existing(paths):
    for p in paths:
        if p and Path(p).exists():
            return Path(p)
    return None


def run_json(cmd, timeout, env=None, stdin=None):
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout} s", time.perf_counter() - start
    wall = time.perf_counter() - start
    try:
        return json.loads(proc.stdout), None, wall  # one document (envsmith --json)
    except json.JSONDecodeError:
        pass
    lines = [line for line in proc.stdout.splitlines() if line.strip().startswith("{")]
    if not lines:
        return None, f"exit {proc.returncode}: {(proc.stderr or proc.stdout)[-300:]}", wall
    try:
        return json.loads(lines[-1]), None, wall
    except json.JSONDecodeError as e:
        return None, f"bad JSON ({e})", wall


def run_peer(args, request, urls):
    body = {
        "channels": [urls[key] for key in request["channels"]],
        "platform": "linux-64",
        "specs": request["specs"],
        "virtual_packages": [{"name": v.split("=")[0], "version": v.split("=")[1], "build": "0"}
                             for v in request["virtual"]],
    }
    out, err, wall = run_json([args.node, str(REPO / "bench" / "solve_peer.mjs"), "--repeat", str(args.repeat)],
                              args.timeout, stdin=json.dumps(body))
    if out is None:
        return {"status": "error", "message": err, "wall": wall}
    result = {"status": out.get("status", "error"), "message": out.get("message", ""), "wall": wall,
              "seconds": out.get("seconds"), "seconds_first": out.get("seconds_first"),
              "seconds_all": out.get("seconds_all"), "packages": len(out.get("packages") or []),
              "solution": sorted(f"{p['name']}-{p['version']}-{p['build']}" for p in out.get("packages") or [])}
    return result


def run_bench(args, request, channel_args, thp=False):
    cmd = [str(args.bench), "--json", "--solution", "--no-pip", "--only", f"^{request['id']}$",
           "--runs", str(args.runs), "--load-runs", str(args.load_runs)] + channel_args
    env = dict(os.environ)
    if thp:
        env["GLIBC_TUNABLES"] = "glibc.malloc.hugetlb=1"
    out, err, wall = run_json(cmd, args.timeout, env=env)
    if out is None:
        return {"status": "error", "message": err, "wall": wall}
    out["wall"] = wall
    return out


def run_lock(args, request, urls):
    with tempfile.TemporaryDirectory(prefix="envsmith-bench-") as tmp:
        env_file = Path(tmp) / "environment.yml"
        lines = ["name: bench", "channels:"] + [f'  - "{urls[k]}"' for k in request["channels"]]
        lines += ["dependencies:"] + [f'  - "{s}"' for s in request["specs"]]
        env_file.write_text("\n".join(lines) + "\n")
        env = dict(os.environ, ENVSMITH_CACHE_DIR=str(Path(tmp) / "cache"), CONDA_OVERRIDE_GLIBC="",
                   CONDA_OVERRIDE_CUDA="")
        for v in request["virtual"]:
            name, version = v.split("=")
            if name == "__glibc":
                env["CONDA_OVERRIDE_GLIBC"] = version
            elif name == "__cuda":
                env["CONDA_OVERRIDE_CUDA"] = version
        cmd = [str(args.envsmith), "--json", "lock", str(env_file), "--platform", "linux-64",
               "-o", str(Path(tmp) / "lock.yml")]
        out, err, wall = run_json(cmd, args.timeout, env=env)
    if out is None:
        return {"status": "error", "message": err, "wall": wall}
    plat = (out.get("platforms") or {}).get("linux-64") or {}
    timings = plat.get("timings") or {}
    pkgs = [p for p in plat.get("packages") or [] if not str(p.get("name", "")).startswith("__")]
    if not plat:
        return {"status": "error", "message": str(out.get("error", out))[:300], "wall": wall}
    return {"status": plat.get("status", "error"), "wall": wall, "load_s": timings.get("load_s"),
            "solve_s": timings.get("solve_s"), "packages": len(pkgs)}


def fmt_ms(value):
    if value is None:
        return "-"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", help="bench_solve (default: build/bench/bench/bench_solve or build/h-bench/...)")
    parser.add_argument("--channel", default=os.environ.get("ENVSMITH_BENCH_SOLVE_CHANNEL"),
                        help="the generated channel folder (default $ENVSMITH_BENCH_SOLVE_CHANNEL)")
    parser.add_argument("--testdata", help="the derived/ folder (default ../shared/testdata/derived)")
    parser.add_argument("--only", help="regex on request ids")
    parser.add_argument("--repeat", type=int, default=3, help="peer calls per request in one process (fastest counts)")
    parser.add_argument("--runs", type=int, default=5, help="envsmith solves per request")
    parser.add_argument("--load-runs", type=int, default=3, help="envsmith loads per channel")
    parser.add_argument("--envsmith", help="also time `envsmith --json lock` with this binary")
    parser.add_argument("--json", help="write the raw results here")
    parser.add_argument("--node", default="node")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--slow", action="store_true", help="include the spec sets tagged slow")
    parser.add_argument("--no-thp", action="store_true",
                        help="skip the second envsmith run with GLIBC_TUNABLES=glibc.malloc.hugetlb=1")
    args = parser.parse_args()

    args.bench = first_existing([args.bench, REPO / "build/bench/bench/bench_solve",
                                 REPO / "build/h-bench/bench/bench_solve"])
    if args.bench is None:
        print("no bench_solve: cmake --preset bench && cmake --build --preset bench --target bench_solve",
              file=sys.stderr)
        return 2
    derived = first_existing([args.testdata, REPO.parent / "shared/testdata/derived",
                              Path("/work/shared/testdata/derived")])
    if derived is None:
        print("no testdata/derived folder (--testdata)", file=sys.stderr)
        return 2
    if args.channel and not (Path(args.channel) / "linux-64" / "repodata.json").exists():
        print(f"{args.channel}/linux-64/repodata.json does not exist", file=sys.stderr)
        return 2

    list_cmd = [str(args.bench), "--list"] + (["--only", args.only] if args.only else []) + \
        (["--slow"] if args.slow else [])
    requests = [json.loads(line) for line in subprocess.run(list_cmd, capture_output=True, text=True,
                                                            check=True).stdout.splitlines() if line.strip()]
    if not args.channel:
        skipped = [r["id"] for r in requests if "gen" in r["channels"]]
        if skipped:
            print(f"no generated channel (ENVSMITH_BENCH_SOLVE_CHANNEL or --channel): skipping {len(skipped)} "
                  "ml-* requests; make it with: python3 bench/gen_solve_channel.py /tmp/solve-channel",
                  file=sys.stderr)
        requests = [r for r in requests if "gen" not in r["channels"]]

    servers = []
    server, base = serve(derived)
    servers.append(server)
    urls = {key: f"{base}/{folder}" for key, folder in CHANNEL_DIRS.items()}
    channel_args = [x for k, f in CHANNEL_DIRS.items() for x in ("--channel", f"{k}={derived / f}")]
    if args.channel:
        # A channel URL needs a path: serve a folder holding a link to the channel.
        holder = tempfile.TemporaryDirectory(prefix="envsmith-bench-serve-")
        (Path(holder.name) / "generated").symlink_to(Path(args.channel).resolve(), target_is_directory=True)
        server, base = serve(Path(holder.name))
        servers.append(server)
        urls["gen"] = f"{base}/generated"
        channel_args += ["--channel", f"gen={args.channel}"]

    rows = []
    header = (f"{'request':22} {'records':>8} {'peer':>11} {'envsmith':>11} {'peer ms':>9} {'load ms':>8} "
              f"{'solve ms':>9} {'l+s ms':>8} {'ratio':>6}"
              + ("" if args.no_thp else f" {'l+s thp':>8} {'ratio':>6}")
              + (f" {'lock ms':>8}" if args.envsmith else "") + "  same")
    print(header)
    print("-" * len(header))
    for request in requests:
        peer = run_peer(args, request, urls)
        mine = run_bench(args, request, channel_args)
        thp = None if args.no_thp else run_bench(args, request, channel_args, thp=True)
        lock = run_lock(args, request, urls) if args.envsmith else None
        peer_ms = peer["seconds"] * 1000 if peer.get("seconds") is not None else None
        load_ms = mine.get("load_min_ms", mine.get("load_ms"))
        solve_ms = mine.get("solve_min_ms")
        total = load_ms + solve_ms if load_ms is not None and solve_ms is not None else None
        comparable = (peer["status"] in ("solved", "unsolvable") and peer["status"] == mine.get("status")
                      and peer_ms is not None and total)
        ratio = peer_ms / total if comparable else None
        thp_cell = ""
        ratio_thp = None
        if thp is not None:
            thp_total = None
            if thp.get("load_min_ms") is not None and thp.get("solve_min_ms") is not None:
                thp_total = thp["load_min_ms"] + thp["solve_min_ms"]
            if comparable and thp_total and thp.get("status") == mine.get("status"):
                ratio_thp = peer_ms / thp_total
            thp_cell = f" {fmt_ms(thp_total):>8} {(f'{ratio_thp:.1f}x' if ratio_thp else '-'):>6}"
        same = ""
        if comparable and peer["status"] == "solved":
            a, b = set(peer["solution"]), set(mine.get("solution") or [])
            same = "same" if a == b else f"differ ({len(a - b)}/{len(b - a)})"
        elif comparable:
            same = "both unsat"
        lock_cell = ""
        if lock is not None:
            lock_ms = ((lock.get("load_s") or 0) + (lock.get("solve_s") or 0)) * 1000 if lock.get("load_s") is not None \
                else None
            lock_cell = f" {fmt_ms(lock_ms):>8}"
        peer_cell = f"{peer['status'][:5]}:{peer.get('packages', 0)}" if peer["status"] == "solved" else peer["status"][:11]
        mine_cell = f"{mine.get('status', 'error')[:5]}:{mine.get('packages', 0)}" if mine.get("status") == "solved" \
            else str(mine.get("status", "error"))[:11]
        print(f"{request['id']:22} {mine.get('records', 0):>8} {peer_cell:>11} {mine_cell:>11} {fmt_ms(peer_ms):>9} "
              f"{fmt_ms(load_ms):>8} {fmt_ms(solve_ms):>9} {fmt_ms(total):>8} "
              f"{(f'{ratio:.1f}x' if ratio else '-'):>6}{thp_cell}{lock_cell}  {same}", flush=True)
        for side, data in (("peer", peer), ("envsmith", mine)):
            if data.get("status") == "error":
                print(f"    {side}: {data.get('message', '')[:200]}", flush=True)
        rows.append({"request": request, "peer": peer, "envsmith": mine, "envsmith_thp": thp, "lock": lock,
                     "ratio": ratio, "ratio_thp": ratio_thp})

    print()
    for key, what in (("ratio", "load+solve"), ("ratio_thp", "load+solve, malloc THP")):
        for label, gen in (("all", None), ("real channels", False), ("generated channel", True)):
            subset = [r[key] for r in rows if r[key] and (gen is None or ("gen" in r["request"]["channels"]) == gen)]
            if subset:
                geo = math.exp(sum(math.log(x) for x in subset) / len(subset))
                print(f"geometric mean peer / envsmith ({what}), {label}: {geo:.1f}x over {len(subset)} requests "
                      f"(min {min(subset):.1f}x, max {max(subset):.1f}x)")
    print(f"peer: fastest of {args.repeat} simpleSolve calls in one node process (fetch over loopback HTTP + "
          f"parse + solve); envsmith: fastest of {args.load_runs} loads (read + parse) + fastest of {args.runs} "
          "solves (fresh provider each); thp: the same with GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (the repodata "
          "text in transparent huge pages)")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    for server in servers:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
