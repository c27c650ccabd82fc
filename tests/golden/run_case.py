#!/usr/bin/env python3
"""Runs one golden CLI case: tests/golden/<case>/cmd is a shell-free argument line whose first
word is `envsmith`; the run's stdout, stderr and exit code must equal the files `stdout`,
`stderr` and `exit_code` beside it. A `stdin` file beside them, when there is one, is fed to
the command's standard input. Runs from the repository root, with NO_COLOR set and a fresh
ENVSMITH_CACHE_DIR. `{src}` in cmd stands for the repository root (for `file://` URLs), and the
repository root in the output is written back as `{src}`, so the files do not depend on where
the checkout is. `{tmp}` stands for a fresh scratch folder (written back as `{tmp}` too); when the
case has a folder `tmp_files`, each file in it must equal the file of that name in `{tmp}` after
the run (a lock file the command wrote, say).
ENVSMITH_UPDATE_GOLDEN=1 rewrites the expected files instead (refresh on purpose, then review
the diff)."""

import os
import shlex
import subprocess
import sys
import tempfile


def main() -> int:
    envsmith, case_dir, source_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    scratch = tempfile.TemporaryDirectory(prefix="envsmith-golden-tmp-")
    with open(os.path.join(case_dir, "cmd"), encoding="utf-8") as f:
        argv = [arg.replace("{src}", source_dir).replace("{tmp}", scratch.name)
                for arg in shlex.split(f.read().strip())]
    if not argv or argv[0] != "envsmith":
        print(f"{case_dir}/cmd must start with `envsmith`", file=sys.stderr)
        return 2
    cache = tempfile.TemporaryDirectory(prefix="envsmith-golden-")
    env = dict(os.environ, NO_COLOR="1", LC_ALL="C.UTF-8", ENVSMITH_CACHE_DIR=cache.name)
    env.pop("LANG", None)
    stdin_path = os.path.join(case_dir, "stdin")
    stdin = open(stdin_path, "rb").read() if os.path.exists(stdin_path) else b""
    run = subprocess.run([envsmith] + argv[1:], cwd=source_dir, env=env, input=stdin,
                         capture_output=True, timeout=120)
    cache.cleanup()

    def clean(data: bytes) -> str:
        return data.decode("utf-8", "replace").replace(scratch.name, "{tmp}").replace(source_dir, "{src}")

    actual = {
        "stdout": clean(run.stdout),
        "stderr": clean(run.stderr),
        "exit_code": f"{run.returncode}\n",
    }
    expected_files = os.path.join(case_dir, "tmp_files")
    if os.path.isdir(expected_files):
        for name in sorted(os.listdir(expected_files)):
            produced = os.path.join(scratch.name, name)
            data = open(produced, "rb").read() if os.path.exists(produced) else b"(missing)\n"
            actual[os.path.join("tmp_files", name)] = clean(data)
    scratch.cleanup()
    if os.environ.get("ENVSMITH_UPDATE_GOLDEN") == "1":
        for name, text in actual.items():
            with open(os.path.join(case_dir, name), "w", encoding="utf-8") as f:
                f.write(text)
        print(f"updated {case_dir}")
        return 0
    failed = False
    for name, text in actual.items():
        path = os.path.join(case_dir, name)
        expected = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
        if expected != text:
            failed = True
            print(f"--- {name}: expected ({path})\n{expected}--- {name}: actual\n{text}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
