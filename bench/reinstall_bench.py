#!/usr/bin/env python3
"""Warm-cache reinstall of a conda environment of N packages (issue 6: under a second for 200).

Writes N small but real conda packages (.tar.bz2: info/index.json, info/paths.json, info/files,
and 8 files each: scripts, a text file with the prefix placeholder, data), an @EXPLICIT file
naming them by file:// URL with their md5 and sha256, then runs
`envsmith create EXPLICIT -p PREFIX` three times: cold cache, warm cache into a new prefix, and
warm cache replacing the prefix. Prints the wall time of each.

Usage: bench/reinstall_bench.py [ENVSMITH] [N]   (default build/release/apps/cli/envsmith, 200)
"""
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time

PLACEHOLDER = "/opt/anaconda1anaconda2anaconda3"


def package(directory, index):
    name = f"bench-pkg-{index:03d}"
    version, build = "1.0.0", "h0_0"
    files = {
        f"bin/{name}": f"#!/bin/sh\necho {name} from {PLACEHOLDER}\n".encode(),
        f"share/{name}/data.txt": (f"{name}\n" * 200).encode(),
        f"lib/{name}/config.txt": f"prefix={PLACEHOLDER}\n".encode(),
    }
    for k in range(5):
        files[f"lib/{name}/module{k}.py"] = (f"VALUE = {k}\n" * 50).encode()
    paths = []
    for path, data in sorted(files.items()):
        entry = {"_path": path, "path_type": "hardlink", "sha256": hashlib.sha256(data).hexdigest(),
                 "size_in_bytes": len(data)}
        if PLACEHOLDER.encode() in data:
            entry.update({"prefix_placeholder": PLACEHOLDER, "file_mode": "text"})
        paths.append(entry)
    info = {
        "info/index.json": json.dumps({"name": name, "version": version, "build": build, "build_number": 0,
                                       "depends": [], "subdir": "linux-64", "license": "MIT"}).encode(),
        "info/paths.json": json.dumps({"paths": paths, "paths_version": 1}).encode(),
        "info/files": ("\n".join(sorted(files)) + "\n").encode(),
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:bz2") as tar:
        for path, data in sorted({**files, **info}.items()):
            member = tarfile.TarInfo(path)
            member.size = len(data)
            member.mode = 0o755 if path.startswith("bin/") else 0o644
            tar.addfile(member, io.BytesIO(data))
    blob = buffer.getvalue()
    fn = f"{name}-{version}-{build}.tar.bz2"
    os.makedirs(os.path.join(directory, "linux-64"), exist_ok=True)
    with open(os.path.join(directory, "linux-64", fn), "wb") as out:
        out.write(blob)
    return f"file://{directory}/linux-64/{fn}#{hashlib.md5(blob).hexdigest()}"


def main():
    envsmith = sys.argv[1] if len(sys.argv) > 1 else "build/release/apps/cli/envsmith"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    with tempfile.TemporaryDirectory() as scratch:
        channel = os.path.join(scratch, "channel")
        lines = ["# platform: linux-64", "@EXPLICIT"] + [package(channel, i) for i in range(count)]
        explicit = os.path.join(scratch, "explicit.txt")
        with open(explicit, "w") as out:
            out.write("\n".join(lines) + "\n")
        env = dict(os.environ, ENVSMITH_CACHE_DIR=os.path.join(scratch, "cache"))

        def run(prefix):
            start = time.perf_counter()
            subprocess.run([envsmith, "create", explicit, "-p", os.path.join(scratch, prefix)], env=env,
                           check=True, stdout=subprocess.DEVNULL)
            return time.perf_counter() - start

        cold = run("env-a")
        warm_new = run("env-b")
        warm_replace = run("env-b")
        records = len([f for f in os.listdir(os.path.join(scratch, "env-b", "conda-meta")) if f.endswith(".json")])
        print(f"{records} packages ({count * 8} files), envsmith create from an @EXPLICIT file")
        print(f"  cold cache (extract + link)      {cold:7.3f} s")
        print(f"  warm cache, new prefix           {warm_new:7.3f} s")
        print(f"  warm cache, replacing the prefix {warm_replace:7.3f} s")


if __name__ == "__main__":
    main()
