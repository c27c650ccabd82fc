#!/usr/bin/env python3
"""Writes the demo channel and PyPI index that `scripts/demo` and the `check` tests use:
channel/envsmith-demo/<subdir>/repodata.json (a made-up conda channel) and simple/<project>/
(a PEP 503 HTML and PEP 691 JSON simple index). Only the index pages exist, not the packages:
`envsmith check` reads pages, never downloads. Deterministic; run it after editing the tables
below and commit the output."""

import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# name, version, build, build_number, subdirs, depends
CONDA = [
    ("python", "3.10.14", "h955ad1f_0", 0, ["linux-64", "osx-arm64", "win-64"], ["openssl >=3.0", "pip"]),
    ("python", "3.11.9", "h955ad1f_0", 0, ["linux-64", "osx-arm64", "win-64"], ["openssl >=3.0", "pip"]),
    ("python", "3.12.4", "h194c7f8_1", 1, ["linux-64", "osx-arm64", "win-64"], ["openssl >=3.0", "pip"]),
    ("openssl", "3.3.1", "h4ab18f5_0", 0, ["linux-64", "osx-arm64", "win-64"], []),
    ("numpy", "1.26.4", "py310hb13e2d6_0", 0, ["linux-64", "osx-arm64"], ["python >=3.10,<3.11.0a0"]),
    ("numpy", "1.26.4", "py311h64a7726_0", 0, ["linux-64", "osx-arm64"], ["python >=3.11,<3.12.0a0"]),
    ("numpy", "1.26.4", "py312heda63a1_0", 0, ["linux-64", "osx-arm64"], ["python >=3.12,<3.13.0a0"]),
    ("numpy", "2.0.0", "py311h1461c94_0", 0, ["linux-64", "osx-arm64"], ["python >=3.11,<3.12.0a0"]),
    ("numpy", "2.0.0", "py312h22e1c76_0", 0, ["linux-64", "osx-arm64"], ["python >=3.12,<3.13.0a0"]),
    ("scikit-learn", "1.4.2", "py311he08f58d_0", 0, ["linux-64", "osx-arm64"], ["numpy >=1.19", "python >=3.11,<3.12.0a0"]),
    ("scikit-learn", "1.5.0", "py311he08f58d_1", 1, ["linux-64", "osx-arm64"], ["numpy >=1.19", "python >=3.11,<3.12.0a0"]),
    ("pandas", "2.2.2", "py311h14de704_1", 1, ["linux-64"], ["numpy >=1.23", "python >=3.11,<3.12.0a0"]),
    ("mlx", "0.15.0", "py311h7d4d9e4_0", 0, ["osx-arm64"], ["python >=3.11,<3.12.0a0"]),
    ("pywin32", "306", "py311h12c1d0e_2", 2, ["win-64"], ["python >=3.11,<3.12.0a0"]),
    ("cudatoolkit", "11.8.0", "h4ba93d1_13", 13, ["linux-64"], []),
    ("pip", "24.0", "pyhd8ed1ab_0", 0, ["noarch"], ["python >=3.7"]),
    ("setuptools", "70.0.0", "pyhd8ed1ab_0", 0, ["noarch"], ["python >=3.8"]),
    ("requests", "2.32.3", "pyhd8ed1ab_0", 0, ["noarch"], ["python >=3.8"]),
]
SUBDIRS = ["linux-64", "osx-arm64", "win-64", "noarch"]

MANYLINUX = "manylinux_2_17_x86_64.manylinux2014_x86_64"
# project -> list of (filename, requires_python or None, yanked reason or None/True)
PYPI = {
    "requests": [
        ("requests-2.31.0-py3-none-any.whl", ">=3.7", None),
        ("requests-2.31.0.tar.gz", ">=3.7", None),
        ("requests-2.32.3-py3-none-any.whl", ">=3.8", None),
        ("requests-2.32.3.tar.gz", ">=3.8", None),
    ],
    "torch": [
        (f"torch-2.3.1-cp310-cp310-{MANYLINUX}.whl", ">=3.8.0", None),
        (f"torch-2.3.1-cp311-cp311-{MANYLINUX}.whl", ">=3.8.0", None),
        (f"torch-2.3.1-cp312-cp312-{MANYLINUX}.whl", ">=3.8.0", None),
        ("torch-2.3.1-cp311-none-macosx_11_0_arm64.whl", ">=3.8.0", None),
    ],
    "tensorflow": [
        (f"tensorflow-2.16.1-cp311-cp311-{MANYLINUX}.whl", ">=3.9", None),
        (f"tensorflow-2.16.1-cp312-cp312-{MANYLINUX}.whl", ">=3.9", None),
        ("tensorflow-2.16.1-cp311-cp311-macosx_12_0_arm64.whl", ">=3.9", None),
    ],
    "oldlib": [
        ("oldlib-0.9.0-cp36-cp36m-manylinux1_x86_64.whl", None, None),
        ("oldlib-0.9.0-cp37-cp37m-manylinux1_x86_64.whl", None, None),
    ],
    "sdistonly": [
        ("sdistonly-1.0.0.tar.gz", ">=3.8", None),
    ],
    "yankedpkg": [
        ("yankedpkg-1.0.0-py3-none-any.whl", None, None),
        ("yankedpkg-2.0.0-py3-none-any.whl", None, "broken metadata, use 1.0.0"),
    ],
    "azureml-core": [
        ("azureml_core-1.56.0-py3-none-any.whl", ">=3.8,<3.12", None),
    ],
    "mlflow": [
        ("mlflow-2.14.1-py3-none-any.whl", ">=3.8", None),
        ("mlflow-2.14.1.tar.gz", ">=3.8", None),
    ],
}


def fake_digest(kind: str, text: str) -> str:
    return hashlib.new(kind, text.encode()).hexdigest()


def write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def channel() -> None:
    for subdir in SUBDIRS:
        packages = {}
        for name, version, build, number, subdirs, depends in CONDA:
            if subdir not in subdirs:
                continue
            fn = f"{name}-{version}-{build}.conda"
            packages[fn] = {
                "build": build,
                "build_number": number,
                "depends": depends,
                "license": "BSD-3-Clause",
                "md5": fake_digest("md5", subdir + fn),
                "name": name,
                "noarch": "python" if subdir == "noarch" else None,
                "sha256": fake_digest("sha256", subdir + fn),
                "size": 1000 + len(fn),
                "subdir": subdir,
                "timestamp": 1718000000000,
                "version": version,
            }
            if packages[fn]["noarch"] is None:
                del packages[fn]["noarch"]
        repodata = {
            "info": {"subdir": subdir},
            "packages": {},
            "packages.conda": dict(sorted(packages.items())),
            "removed": [],
            "repodata_version": 1,
        }
        write(os.path.join(HERE, "channel", "envsmith-demo", subdir, "repodata.json"),
              json.dumps(repodata, indent=1, sort_keys=True) + "\n")


def simple() -> None:
    projects = sorted(PYPI)
    links = "".join(f'    <a href="{p}/">{p}</a>\n' for p in projects)
    write(os.path.join(HERE, "simple", "index.html"),
          f"<!DOCTYPE html>\n<html>\n  <body>\n{links}  </body>\n</html>\n")
    for project, files in PYPI.items():
        anchors = []
        entries = []
        for filename, requires, yanked in files:
            sha = fake_digest("sha256", filename)
            url = f"../../files/{filename}"
            attrs = f' href="{url}#sha256={sha}"'
            if requires:
                attrs += f' data-requires-python="{requires.replace(">", "&gt;").replace("<", "&lt;")}"'
            if yanked:
                attrs += f' data-yanked="{yanked}"'
            anchors.append(f"    <a{attrs}>{filename}</a><br/>\n")
            entry = {"filename": filename, "url": url, "hashes": {"sha256": sha}}
            if requires:
                entry["requires-python"] = requires
            if yanked:
                entry["yanked"] = yanked
            entries.append(entry)
        write(os.path.join(HERE, "simple", project, "index.html"),
              "<!DOCTYPE html>\n<html>\n  <head>\n"
              '    <meta name="pypi:repository-version" content="1.1">\n'
              f"  </head>\n  <body>\n{''.join(anchors)}  </body>\n</html>\n")
        write(os.path.join(HERE, "simple", project, "index.json"),
              json.dumps({"meta": {"api-version": "1.1"}, "name": project, "files": entries},
                         indent=1) + "\n")


if __name__ == "__main__":
    channel()
    simple()
