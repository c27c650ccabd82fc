#!/usr/bin/env python3
"""Writes the demo channel and PyPI index that `scripts/demo`, the `check` tests and `lock` use:

- channel/envsmith-demo/<subdir>/: a small conda channel whose packages are real, tiny, valid
  package files next to their repodata.json (real sha256, md5 and size). Every subdir
  (linux-64, osx-arm64, win-64, noarch) is real. Records are `.conda` files (repodata
  `packages.conda`), except those in TAR_BZ2 (pip, noarch, part of the demo environment), which
  are `.tar.bz2` (`packages`), so installing the demo environment meets both formats.
- simple/<project>/: a PEP 503 HTML and PEP 691 JSON (api-version 1.1, PEP 700 `size` and
  `versions`) simple index, with PEP 592 yanking and PEP 658/714 core metadata.
- files/: every distribution the index lists, as a real, tiny, valid file: wheels (PEP 427:
  `<pkg>/__init__.py` with `__version__`, then `.dist-info/METADATA`, `WHEEL`, `RECORD`) and
  sdists (`<name>-<version>/` with `PKG-INFO`, `pyproject.toml` and the module), each with a
  PEP 658 `<file>.metadata` next to it, except for the files in NO_CORE_METADATA. The page
  hashes are the files' real sha256.

A `.conda` file is a zip, stored not deflated, of `metadata.json`
({"conda_pkg_format_version": 2}), `pkg-<stem>.tar.zst` (the payload) and `info-<stem>.tar.zst`
(info/), in that order; a `.tar.bz2` is one tar, info/ first. info/ holds index.json (the
repodata record plus arch, platform, license_family, constrains), paths.json (paths_version 1),
files, about.json, has_prefix when a file embeds the build prefix, and link.json for noarch:
python packages (with pip's entry points). What the packages install (see payload()):
- python: on linux-64 and osx-arm64 `bin/pythonX.Y`, a `#!/bin/sh` script that says it is the
  demo stand-in (`--version` works; it runs no Python code, any other argument exits 1) and
  embeds the 255-character build prefix (file_mode text), the `bin/python3` and `bin/python`
  symbolic links to it, `lib/libpythonX.Y.envsmith-demo.bin` with the same prefix in
  null-terminated strings (file_mode binary), `lib/pythonX.Y/os.py` (a marker) and
  `lib/pythonX.Y/site-packages/README.envsmith-demo`; on win-64 `Lib/os.py` and
  `Lib/site-packages/README.envsmith-demo` only (no python.exe).
- openssl: `bin/c_rehash`, a script with the old fixed placeholder
  /opt/anaconda1anaconda2anaconda3 (file_mode text), and `ssl/openssl.cnf`
  (`Library/ssl/openssl.cnf` on win-64).
- Python libraries (numpy, scikit-learn, pandas, mlx, pywin32, and pip, setuptools, requests
  as noarch: python under `site-packages/`): `<module>/__init__.py` with `__version__` and a
  `.dist-info` (METADATA, INSTALLER saying conda, RECORD), so that pip sees them installed.
- cudatoolkit: `share/cudatoolkit/version.txt`.
For a symbolic link, paths.json gives the sha256 and size of the file it points to, as
conda-build does. `python make.py --check` also extracts every package with Debian's `cph`
(conda-package-handling) and compares what comes out with what went in.

The dependencies are a small, consistent cut of the real ones: every Requires-Dist names a
project of this index, and the pip section of definitions/environment.yml resolves for Python
3.10 to 3.12 on linux-64 (and 3.11 on osx-arm64). `numpy` is also a conda package of the
channel: with the conda side installing it, envsmith must not install it again from PyPI.

Needs the `zstd` command (Debian's zstd package; Python 3.11 has no zstd module) and, for
--check, `cph`. Neither is needed past this script: its output is committed.

Deterministic: zip entries are dated 1980-01-01 with fixed permissions, tar members have
mtime 315532800 (1980-01-01), uid/gid 0 and sorted names, gzip's header mtime is 0, zstd runs
at level 19 on one thread; so running it again writes the same bytes (with the same zlib and
zstd: deflate output may differ between zlib and zlib-ng, zstd output between zstd releases;
this was written with zstd 1.5.4). Run it after editing the tables below and commit the output."""

import base64
import bz2
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile

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
PY_OLD = ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*"
# project -> list of (filename, requires_python or None, yanked reason or None/True)
PYPI = {
    # ---- the demo definition's pip section and what it needs ----
    "requests": [
        ("requests-2.31.0-py3-none-any.whl", ">=3.7", None),
        ("requests-2.31.0.tar.gz", ">=3.7", None),
        ("requests-2.32.3-py3-none-any.whl", ">=3.8", None),
        ("requests-2.32.3.tar.gz", ">=3.8", None),
    ],
    "urllib3": [
        ("urllib3-2.2.2-py3-none-any.whl", ">=3.8", None),
        ("urllib3-2.2.2.tar.gz", ">=3.8", None),
    ],
    "idna": [("idna-3.7-py3-none-any.whl", ">=3.5", None)],
    "certifi": [("certifi-2024.6.2-py3-none-any.whl", ">=3.6", None)],
    "charset-normalizer": [
        ("charset_normalizer-3.3.2-py3-none-any.whl", ">=3.7.0", None),
        ("charset-normalizer-3.3.2.tar.gz", ">=3.7.0", None),
    ],
    "pysocks": [
        ("PySocks-1.7.1-py3-none-any.whl", PY_OLD, None),
        ("PySocks-1.7.1.tar.gz", PY_OLD, None),
    ],
    "torch": [
        (f"torch-2.3.1-cp310-cp310-{MANYLINUX}.whl", ">=3.8.0", None),
        (f"torch-2.3.1-cp311-cp311-{MANYLINUX}.whl", ">=3.8.0", None),
        (f"torch-2.3.1-cp312-cp312-{MANYLINUX}.whl", ">=3.8.0", None),
        ("torch-2.3.1-cp311-none-macosx_11_0_arm64.whl", ">=3.8.0", None),
    ],
    "filelock": [("filelock-3.15.4-py3-none-any.whl", ">=3.8", None)],
    "typing-extensions": [("typing_extensions-4.12.2-py3-none-any.whl", ">=3.8", None)],
    "sympy": [("sympy-1.12.1-py3-none-any.whl", ">=3.8", None)],
    "mpmath": [("mpmath-1.3.0-py3-none-any.whl", None, None)],
    "networkx": [
        ("networkx-3.2.1-py3-none-any.whl", ">=3.9", None),
        ("networkx-3.3-py3-none-any.whl", ">=3.10", None),
    ],
    "jinja2": [("jinja2-3.1.4-py3-none-any.whl", ">=3.7", None)],
    "markupsafe": [
        (f"MarkupSafe-2.1.5-cp310-cp310-{MANYLINUX}.whl", ">=3.7", None),
        (f"MarkupSafe-2.1.5-cp311-cp311-{MANYLINUX}.whl", ">=3.7", None),
        (f"MarkupSafe-2.1.5-cp312-cp312-{MANYLINUX}.whl", ">=3.7", None),
        ("MarkupSafe-2.1.5-cp311-cp311-macosx_10_9_universal2.whl", ">=3.7", None),
        ("MarkupSafe-2.1.5.tar.gz", ">=3.7", None),
    ],
    "fsspec": [("fsspec-2024.6.1-py3-none-any.whl", ">=3.8", None)],
    "triton": [
        (f"triton-2.3.1-cp310-cp310-{MANYLINUX}.whl", None, None),
        (f"triton-2.3.1-cp311-cp311-{MANYLINUX}.whl", None, None),
        (f"triton-2.3.1-cp312-cp312-{MANYLINUX}.whl", None, None),
    ],
    "mlflow": [
        ("mlflow-2.14.1-py3-none-any.whl", ">=3.8", None),
        ("mlflow-2.14.1.tar.gz", ">=3.8", None),
    ],
    "click": [("click-8.1.7-py3-none-any.whl", ">=3.7", None)],
    "colorama": [("colorama-0.4.6-py2.py3-none-any.whl", PY_OLD + ", !=3.4.*, !=3.5.*, !=3.6.*", None)],
    "cloudpickle": [("cloudpickle-3.0.0-py3-none-any.whl", ">=3.8", None)],
    "packaging": [("packaging-24.1-py3-none-any.whl", ">=3.8", None)],
    "tomli": [("tomli-2.0.1-py3-none-any.whl", ">=3.7", None)],
    # Also a conda package of the channel (conda's numpy wins when the conda side has it).
    "numpy": [
        (f"numpy-1.26.4-cp310-cp310-{MANYLINUX}.whl", ">=3.9", None),
        (f"numpy-1.26.4-cp311-cp311-{MANYLINUX}.whl", ">=3.9", None),
        (f"numpy-1.26.4-cp312-cp312-{MANYLINUX}.whl", ">=3.9", None),
        ("numpy-1.26.4-cp311-cp311-macosx_11_0_arm64.whl", ">=3.9", None),
        ("numpy-1.26.4.tar.gz", ">=3.9", None),
        (f"numpy-2.0.0-cp311-cp311-{MANYLINUX}.whl", ">=3.9", None),
        (f"numpy-2.0.0-cp312-cp312-{MANYLINUX}.whl", ">=3.9", None),
    ],
    # ---- the special cases of `envsmith check` (tests/data/check, tests/golden/check-*) ----
    "tensorflow": [  # only 2.16.1: `tensorflow==9.9` lists it
        (f"tensorflow-2.16.1-cp311-cp311-{MANYLINUX}.whl", ">=3.9", None),
        (f"tensorflow-2.16.1-cp312-cp312-{MANYLINUX}.whl", ">=3.9", None),
        ("tensorflow-2.16.1-cp311-cp311-macosx_12_0_arm64.whl", ">=3.9", None),
    ],
    "oldlib": [  # wheels for CPython 3.6 and 3.7 only
        ("oldlib-0.9.0-cp36-cp36m-manylinux1_x86_64.whl", None, None),
        ("oldlib-0.9.0-cp37-cp37m-manylinux1_x86_64.whl", None, None),
    ],
    "sdistonly": [  # no wheel: built from source
        ("sdistonly-1.0.0.tar.gz", ">=3.8", None),
    ],
    "yankedpkg": [  # 2.0.0 yanked with a reason
        ("yankedpkg-1.0.0-py3-none-any.whl", None, None),
        ("yankedpkg-2.0.0-py3-none-any.whl", None, "broken metadata, use 1.0.0"),
    ],
    "azureml-core": [  # stops at Python 3.11
        ("azureml_core-1.56.0-py3-none-any.whl", ">=3.8,<3.12", None),
    ],
    "pywin32": [  # Windows only (behind `sys_platform == "win32"` markers)
        ("pywin32-306-cp311-cp311-win_amd64.whl", None, None),
    ],
}

# project -> version -> Requires-Dist: (requirement, extra or None). With an extra, the entry
# becomes `<requirement>; extra == "<extra>"` (its own marker and-ed in) and a Provides-Extra.
_REQUESTS = [
    ("charset-normalizer<4,>=2", None),
    ("idna<4,>=2.5", None),
    ("urllib3<3,>=1.21.1", None),
    ("certifi>=2017.4.17", None),
    ("PySocks!=1.5.7,>=1.5.6", "socks"),
]
DEPENDS = {
    "requests": {"2.31.0": _REQUESTS, "2.32.3": _REQUESTS},
    "urllib3": {"2.2.2": [("pysocks!=1.5.7,<2.0,>=1.5.6", "socks")]},
    "torch": {"2.3.1": [
        ("filelock", None),
        ("typing-extensions>=4.8.0", None),
        ("sympy", None),
        ("networkx", None),
        ("jinja2", None),
        ("fsspec", None),
        ('triton==2.3.1; platform_system == "Linux" and platform_machine == "x86_64" and python_version < "3.13"',
         None),
    ]},
    "sympy": {"1.12.1": [("mpmath<1.4.0,>=1.1.0", None)]},
    "jinja2": {"3.1.4": [("MarkupSafe>=2.0", None)]},
    "triton": {"2.3.1": [("filelock", None)]},
    "mlflow": {"2.14.1": [
        ("click<9,>=7.0", None),
        ("cloudpickle<4", None),
        ("numpy<2", None),  # the conda side provides numpy 1.26.4
        ("packaging<25", None),
        ("requests[socks]<3,>=2.17.3", None),
        ('Jinja2<4,>=2.11; platform_system != "Windows"', None),
        ('tomli>=1.1.0; python_version < "3.11"', None),
    ]},
    "click": {"8.1.7": [('colorama; platform_system == "Windows"', None)]},
    "tensorflow": {"2.16.1": [
        ('numpy<2.0.0,>=1.23.5; python_version <= "3.11"', None),
        ('numpy<2.0.0,>=1.26.0; python_version >= "3.12"', None),
        ("packaging", None),
        ("requests<3,>=2.21.0", None),
        ("typing-extensions>=3.6.6", None),
    ]},
    "azureml-core": {"1.56.0": [
        ("requests[socks]<3.0.0,>=2.19.1", None),
        ("packaging<=25.0,>=20.0", None),
        ('pywin32<=306; sys_platform == "win32"', None),
    ]},
}

# Import names that are not the normalised project name.
MODULES = {"pysocks": "socks", "pywin32": "win32"}

# Files without a PEP 658 `.metadata` file, whose page does not advertise one: torch's wheels
# (download.pytorch.org long served none), so envsmith reads torch's METADATA out of the wheel:
# by HTTP Range requests (the zip's central directory) over http(s), the whole file for file://.
NO_CORE_METADATA = {f for f, _, _ in PYPI["torch"]}

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
TAR_MTIME = 315532800  # 1980-01-01T00:00:00Z
GENERATOR = "envsmith-demo-index (examples/demo-index/make.py)"

# Names as the projects spell them in their metadata (pages use the normalised name).
DISPLAY = {"jinja2": "Jinja2", "markupsafe": "MarkupSafe", "pysocks": "PySocks",
           "typing-extensions": "typing_extensions"}


def write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def write_bytes(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)

def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_filename(filename: str):
    """(name as in the filename, version, wheel tags or None for an sdist)."""
    if filename.endswith(".whl"):
        parts = filename[:-len(".whl")].split("-")
        assert len(parts) in (5, 6), filename
        return parts[0], parts[1], parts[-3:]
    assert filename.endswith(".tar.gz"), filename
    name, version = filename[:-len(".tar.gz")].rsplit("-", 1)
    return name, version, None


def requires_dist(project: str, version: str) -> list:
    """The Requires-Dist and Provides-Extra lines, setuptools' order: plain ones, then per extra."""
    depends = DEPENDS.get(project, {}).get(version, [])
    lines = [f"Requires-Dist: {req}" for req, extra in depends if extra is None]
    extras = []
    for _, extra in depends:
        if extra is not None and extra not in extras:
            extras.append(extra)
    for extra in extras:
        lines.append(f"Provides-Extra: {extra}")
        for req, e in depends:
            if e != extra:
                continue
            if ";" in req:
                spec, marker = (s.strip() for s in req.split(";", 1))
                lines.append(f'Requires-Dist: {spec}; ({marker}) and extra == "{extra}"')
            else:
                lines.append(f'Requires-Dist: {req}; extra == "{extra}"')
    return lines


def core_metadata(project: str, version: str, requires_python, metadata_version: str) -> str:
    lines = [
        f"Metadata-Version: {metadata_version}",
        f"Name: {DISPLAY.get(project, project)}",
        f"Version: {version}",
        f"Summary: A tiny stand-in for {project} {version} on envsmith's demo index",
        "License: BSD-3-Clause",
    ]
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    lines += requires_dist(project, version)
    return "\n".join(lines) + "\n"


def module_name(project: str) -> str:
    return MODULES.get(project, project.replace("-", "_"))


def module_text(project: str, version: str) -> str:
    return f'"""{project} {version}: a stand-in from envsmith\'s demo index."""\n\n__version__ = "{version}"\n'


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def wheel(filename: str, project: str, requires_python) -> tuple:
    """(the wheel's bytes, its METADATA)."""
    name, version, (python, abi, platform) = parse_filename(filename)
    dist_info = f"{name}-{version}.dist-info"
    metadata = core_metadata(project, version, requires_python, "2.1")
    tags = [f"{p}-{a}-{pl}" for p in python.split(".") for a in abi.split(".") for pl in platform.split(".")]
    wheel_text = "".join([
        "Wheel-Version: 1.0\n",
        f"Generator: {GENERATOR}\n",
        f"Root-Is-Purelib: {'true' if abi == 'none' and platform == 'any' else 'false'}\n",
    ] + [f"Tag: {t}\n" for t in tags])
    members = [
        (f"{module_name(project)}/__init__.py", module_text(project, version).encode()),
        (f"{dist_info}/METADATA", metadata.encode()),
        (f"{dist_info}/WHEEL", wheel_text.encode()),
    ]
    record = "".join(f"{path},{record_hash(data)},{len(data)}\n" for path, data in members)
    members.append((f"{dist_info}/RECORD", (record + f"{dist_info}/RECORD,,\n").encode()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in members:
            info = zipfile.ZipInfo(path, ZIP_DATE)
            info.create_system = 3  # Unix, so that the permissions below count
            info.external_attr = (0o100644 << 16)
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue(), metadata


def toml_list(items: list) -> str:
    assert all("'" not in i for i in items)
    return "[" + ", ".join(f"'{i}'" for i in items) + "]"


def sdist(filename: str, project: str, requires_python) -> tuple:
    """(the sdist's bytes, its PKG-INFO). Metadata 2.2 (PEP 643): nothing is Dynamic, so the
    dependencies of PKG-INFO are reliable."""
    name, version, _ = parse_filename(filename)
    top = f"{name}-{version}"
    pkg_info = core_metadata(project, version, requires_python, "2.2")
    depends = DEPENDS.get(project, {}).get(version, [])
    module = module_name(project)
    pyproject = [
        "[build-system]",
        "requires = ['setuptools>=61']",
        "build-backend = 'setuptools.build_meta'",
        "",
        "[project]",
        f"name = '{DISPLAY.get(project, project)}'",
        f"version = '{version}'",
        f"description = \"A tiny stand-in for {project} {version} on envsmith's demo index\"",
        "license = {text = 'BSD-3-Clause'}",
    ]
    if requires_python:
        pyproject.append(f"requires-python = '{requires_python}'")
    pyproject.append(f"dependencies = {toml_list([r for r, e in depends if e is None])}")
    extras = sorted({e for _, e in depends if e is not None})
    if extras:
        pyproject += ["", "[project.optional-dependencies]"]
        pyproject += [f"{e} = {toml_list([r for r, x in depends if x == e])}" for e in extras]
    pyproject += ["", "[tool.setuptools]", f"packages = ['{module}']"]
    members = [
        (f"{top}/PKG-INFO", pkg_info.encode()),
        (f"{top}/pyproject.toml", ("\n".join(pyproject) + "\n").encode()),
        (f"{top}/{module}/__init__.py", module_text(project, version).encode()),
    ]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for path, data in members:
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mtime = TAR_MTIME
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            archive.addfile(info, io.BytesIO(data))
    return gzip.compress(buffer.getvalue(), compresslevel=9, mtime=0), pkg_info


# ---- the conda channel ----

# name -> (license, license_family, home, summary)
ABOUT = {
    "python": ("PSF-2.0", "PSF", "https://www.python.org", "General purpose programming language"),
    "openssl": ("Apache-2.0", "Apache", "https://www.openssl.org", "TLS/SSL and crypto library"),
    "numpy": ("BSD-3-Clause", "BSD", "https://numpy.org", "The fundamental package for scientific computing with Python"),
    "scikit-learn": ("BSD-3-Clause", "BSD", "https://scikit-learn.org", "Machine learning in Python"),
    "pandas": ("BSD-3-Clause", "BSD", "https://pandas.pydata.org", "Powerful data structures for data analysis"),
    "mlx": ("MIT", "MIT", "https://github.com/ml-explore/mlx", "An array framework for Apple silicon"),
    "pywin32": ("PSF-2.0", "PSF", "https://github.com/mhammond/pywin32", "Python extensions for Windows"),
    "cudatoolkit": ("LicenseRef-NVIDIA-End-User-License-Agreement", "Proprietary",
                    "https://developer.nvidia.com/cuda-toolkit", "CUDA runtime libraries"),
    "pip": ("MIT", "MIT", "https://pip.pypa.io", "The PyPA recommended tool for installing Python packages"),
    "setuptools": ("MIT", "MIT", "https://github.com/pypa/setuptools", "Download, build, install, upgrade, and uninstall Python packages"),
    "requests": ("Apache-2.0", "Apache", "https://requests.readthedocs.io", "HTTP for Humans"),
}
# Entry points of noarch: python packages (info/link.json); the installer writes the scripts.
ENTRY_POINTS = {"pip": ["pip = pip._internal.cli.main:main", "pip3 = pip._internal.cli.main:main"]}
# Records published as `.tar.bz2` (repodata `packages`) rather than `.conda` (`packages.conda`):
# pip is part of the demo environment, so an install of it meets both formats.
TAR_BZ2 = {("noarch", "pip")}
# Import names of the conda packages that are Python libraries.
CONDA_MODULES = {"numpy": "numpy", "scikit-learn": "sklearn", "pandas": "pandas", "mlx": "mlx",
                 "pywin32": "win32", "pip": "pip", "setuptools": "setuptools", "requests": "requests"}
CONDA_TIMESTAMP = 1718000000000  # ms, as conda-build writes it (2024-06-10)
ARCH = {"linux-64": ("x86_64", "linux"), "osx-arm64": ("arm64", "osx"), "win-64": ("x86_64", "win"),
        "noarch": (None, None)}

# The build prefixes the installer must replace by the target prefix. The old fixed one...
OLD_PLACEHOLDER = "/opt/anaconda1anaconda2anaconda3"


def long_placeholder(name: str) -> str:
    """... and the 255-character one of conda-build's long build prefixes (conda-forge's)."""
    head = f"/home/conda/feedstock_root/build_artifacts/{name}_{CONDA_TIMESTAMP}/_h_env"
    text = head + "_placehold" * 30
    return text[:255]


ZSTD = ["zstd", "-q", "-19", "-T1", "--no-progress"]


class Entry:
    """One path of a package: a file (data, executable or not, maybe a prefix placeholder with
    file_mode text or binary) or a symbolic link (target)."""

    def __init__(self, path, data=None, *, target=None, executable=False, placeholder=None, mode=None):
        self.path = path
        self.data = data
        self.target = target
        self.executable = executable
        self.placeholder = placeholder
        self.mode = mode


def python_minor(name: str, version: str, depends: list):
    """`3.11` for python 3.11.x and for a build that depends on `python >=3.11,<3.12.0a0`."""
    if name == "python":
        return ".".join(version.split(".")[:2])
    for dep in depends:
        m = re.fullmatch(r"python >=(\d+\.\d+),<\d+\.\d+\.0a0", dep)
        if m:
            return m.group(1)
    return None


def site_packages(subdir: str, minor) -> str:
    if subdir == "noarch":
        return "site-packages"  # the installer moves it under lib/pythonX.Y (Lib on Windows)
    if subdir.startswith("win-"):
        return "Lib/site-packages"
    return f"lib/python{minor}/site-packages"


def python_library(name: str, version: str, site: str) -> list:
    """`<module>/__init__.py` and the `.dist-info` pip writes (INSTALLER says conda), so that pip
    sees the package as installed."""
    module = CONDA_MODULES[name]
    dist_info = f"{name.replace('-', '_')}-{version}.dist-info"
    license_id, _, home, summary = ABOUT[name]
    files = [
        (f"{module}/__init__.py",
         f'"""{name} {version}: a stand-in from envsmith\'s demo conda channel."""\n\n'
         f'__version__ = "{version}"\n'),
        (f"{dist_info}/INSTALLER", "conda\n"),
        (f"{dist_info}/METADATA",
         f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: {summary}\n"
         f"Home-page: {home}\nLicense: {license_id}\n"),
    ]
    record = "".join(f"{p},{record_hash(d.encode())},{len(d.encode())}\n" for p, d in files)
    files.append((f"{dist_info}/RECORD", record + f"{dist_info}/RECORD,,\n"))
    return [Entry(f"{site}/{p}", d.encode()) for p, d in files]


def payload(name: str, version: str, subdir: str, depends: list) -> list:
    """What the package installs: small, but each kind of path the installer meets."""
    minor = python_minor(name, version, depends)
    unix = subdir in ("linux-64", "osx-arm64")
    entries = []
    if name == "python":
        if unix:
            placeholder = long_placeholder("python-split")
            script = (
                "#!/bin/sh\n"
                f"# envsmith's demo stand-in for Python {version} (examples/demo-index/make.py):\n"
                "# a shell script, not an interpreter. The installer replaced the build prefix\n"
                "# below with the prefix it installed into.\n"
                f"prefix='{placeholder}'\n"
                'case "${1:-}" in\n'
                f'  -V|--version) echo "Python {version}"; exit 0 ;;\n'
                f'  "") echo "envsmith demo stand-in for Python {version} in $prefix"; exit 0 ;;\n'
                "esac\n"
                f'echo "envsmith demo stand-in for Python {version} in $prefix: it runs no Python code" >&2\n'
                "exit 1\n")
            entries += [
                Entry(f"bin/python{minor}", script.encode(), executable=True,
                      placeholder=placeholder, mode="text"),
                Entry("bin/python3", target=f"python{minor}"),
                Entry("bin/python", target=f"python{minor}"),
                # Null-terminated strings as a shared library holds them: a binary placeholder.
                Entry(f"lib/libpython{minor}.envsmith-demo.bin",
                      b"\x7fDEMO\x02\x01\x01\x00" + b"\x00" * 8
                      + f"envsmith demo stand-in for libpython{minor}".encode() + b"\x00"
                      + f"PREFIX={placeholder}".encode() + b"\x00"
                      + f"LIBDIR={placeholder}/lib".encode() + b"\x00"
                      + f"SITE={placeholder}/lib/python{minor}/site-packages".encode() + b"\x00"
                      + b"\x00" * 7 + b"\xff",
                      placeholder=placeholder, mode="binary"),
            ]
        stdlib = "Lib" if subdir.startswith("win-") else f"lib/python{minor}"
        entries += [
            Entry(f"{stdlib}/os.py",
                  f'"""The standard library of envsmith\'s demo stand-in for Python {version}: a marker, no code."""\n'.encode()),
            Entry(f"{site_packages(subdir, minor)}/README.envsmith-demo",
                  b"Third-party packages of the demo environment go in this directory.\n"),
        ]
    elif name == "openssl":
        if unix:
            entries += [
                # An old-style package: the fixed short placeholder, in a text file.
                Entry("bin/c_rehash",
                      ("#!/bin/sh\n"
                       f"# envsmith's demo stand-in for OpenSSL {version}'s c_rehash: prints the\n"
                       "# certificate directory it would scan.\n"
                       f"echo '{OLD_PLACEHOLDER}/ssl/certs'\n").encode(),
                      executable=True, placeholder=OLD_PLACEHOLDER, mode="text"),
                Entry("ssl/openssl.cnf", b"# envsmith demo: an empty OpenSSL configuration\n[openssl_init]\n"),
            ]
        else:
            entries.append(Entry("Library/ssl/openssl.cnf",
                                 b"# envsmith demo: an empty OpenSSL configuration\r\n[openssl_init]\r\n"))
    elif name == "cudatoolkit":
        entries.append(Entry("share/cudatoolkit/version.txt",
                             f"CUDA Version {version} (envsmith demo stand-in: no libraries)\n".encode()))
    else:
        entries += python_library(name, version, site_packages(subdir, minor))
    return entries


def tar_bytes(members: list) -> bytes:
    """An uncompressed tar of (path, Entry): no directory entries, mtime 1980-01-01, uid/gid 0."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for path, entry in members:
            info = tarfile.TarInfo(path)
            info.mtime = TAR_MTIME
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if entry.target is not None:
                info.type = tarfile.SYMTYPE
                info.linkname = entry.target
                info.mode = 0o777
                archive.addfile(info)
            else:
                info.size = len(entry.data)
                info.mode = 0o755 if entry.executable else 0o644
                archive.addfile(info, io.BytesIO(entry.data))
    return buffer.getvalue()


def zstd(data: bytes, scratch: str) -> bytes:
    """zstd level 19, one thread, from a file (so the frame records the content size)."""
    path = os.path.join(scratch, "member.tar")
    write_bytes(path, data)
    return subprocess.run(ZSTD + ["-c", path], check=True, capture_output=True).stdout


def conda_package(name, version, build, number, subdir, depends, scratch) -> tuple:
    """(the file name, its bytes, what it holds as {path: bytes or ('->', target)})."""
    entries = sorted(payload(name, version, subdir, depends), key=lambda e: e.path)
    by_path = {e.path: e for e in entries}
    license_id, family, home, summary = ABOUT[name]
    arch, platform = ARCH[subdir]
    index = {
        "arch": arch,
        "build": build,
        "build_number": number,
        "constrains": [],
        "depends": depends,
        "license": license_id,
        "license_family": family,
        "name": name,
        "platform": platform,
        "subdir": subdir,
        "timestamp": CONDA_TIMESTAMP,
        "version": version,
    }
    if subdir == "noarch":
        index["noarch"] = "python"
    paths = []
    for e in entries:
        # A link's hash and size are those of the file it points to (as conda-build records them).
        data = e.data if e.target is None else by_path[os.path.normpath(
            os.path.join(os.path.dirname(e.path), e.target))].data
        item = {"_path": e.path, "path_type": "softlink" if e.target is not None else "hardlink",
                "sha256": hashlib.sha256(data).hexdigest(), "size_in_bytes": len(data)}
        if e.placeholder is not None:
            item["file_mode"] = e.mode
            item["prefix_placeholder"] = e.placeholder
        paths.append(item)
    info = {
        "info/about.json": {"description": f"A tiny stand-in for {name} {version} on envsmith's demo "
                                           "channel, written by examples/demo-index/make.py.",
                            "home": home, "license": license_id, "license_family": family,
                            "summary": summary},
        "info/index.json": index,
        "info/paths.json": {"paths": paths, "paths_version": 1},
    }
    info = {p: (json.dumps(v, indent=2, sort_keys=True) + "\n").encode() for p, v in info.items()}
    info["info/files"] = "".join(e.path + "\n" for e in entries).encode()
    prefixed = [e for e in entries if e.placeholder is not None]
    if prefixed:  # the older listing of the same facts, which paths.json supersedes
        info["info/has_prefix"] = "".join(f"{e.placeholder} {e.mode} {e.path}\n" for e in prefixed).encode()
    if subdir == "noarch":
        link = {"noarch": {"type": "python"}, "package_metadata_version": 1}
        if name in ENTRY_POINTS:
            link["noarch"]["entry_points"] = ENTRY_POINTS[name]
        info["info/link.json"] = (json.dumps(link, indent=2, sort_keys=True) + "\n").encode()
    info_members = [(p, Entry(p, info[p])) for p in sorted(info)]
    pkg_members = [(e.path, e) for e in entries]
    stem = f"{name}-{version}-{build}"
    if (subdir, name) in TAR_BZ2:
        # conda-build's order: info/ first, then the payload.
        fn = stem + ".tar.bz2"
        tar = tar_bytes(info_members + pkg_members)
        data = bz2.compress(tar, compresslevel=9)
    else:
        fn = stem + ".conda"
        members = [
            ("metadata.json", json.dumps({"conda_pkg_format_version": 2}).encode()),
            (f"pkg-{stem}.tar.zst", zstd(tar_bytes(pkg_members), scratch)),
            (f"info-{stem}.tar.zst", zstd(tar_bytes(info_members), scratch)),
        ]
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for path, member in members:
                zinfo = zipfile.ZipInfo(path, ZIP_DATE)
                zinfo.create_system = 3
                zinfo.external_attr = 0o100644 << 16
                archive.writestr(zinfo, member, compress_type=zipfile.ZIP_STORED)
        data = buffer.getvalue()
    holds = {p: (e.data, False) for p, e in info_members}
    holds.update({e.path: (e.data, e.executable) if e.target is None else ("->", e.target)
                  for e in entries})
    return fn, data, holds


def channel() -> dict:
    """Writes the packages and repodata of every subdir; returns {package path: what it holds}."""
    root = os.path.join(HERE, "channel", "envsmith-demo")
    if os.path.isdir(root):  # nothing stale survives a removed entry
        shutil.rmtree(root)
    contents = {}
    with tempfile.TemporaryDirectory(prefix="envsmith-demo-") as scratch:
        for subdir in SUBDIRS:
            packages = {"packages": {}, "packages.conda": {}}
            for name, version, build, number, subdirs, depends in CONDA:
                if subdir not in subdirs:
                    continue
                fn, data, holds = conda_package(name, version, build, number, subdir, depends, scratch)
                path = os.path.join(root, subdir, fn)
                write_bytes(path, data)
                contents[path] = holds
                record = {
                    "build": build,
                    "build_number": number,
                    "depends": depends,
                    "license": ABOUT[name][0],
                    "md5": hashlib.md5(data).hexdigest(),
                    "name": name,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                    "subdir": subdir,
                    "timestamp": CONDA_TIMESTAMP,
                    "version": version,
                }
                if subdir == "noarch":
                    record["noarch"] = "python"
                packages["packages" if fn.endswith(".tar.bz2") else "packages.conda"][fn] = record
            repodata = {
                "info": {"subdir": subdir},
                "packages": dict(sorted(packages["packages"].items())),
                "packages.conda": dict(sorted(packages["packages.conda"].items())),
                "removed": [],
                "repodata_version": 1,
            }
            write(os.path.join(root, subdir, "repodata.json"),
                  json.dumps(repodata, indent=1, sort_keys=True) + "\n")
    return contents


def check_with_cph(contents: dict) -> None:
    """Extracts every package with conda-package-handling's `cph x` and compares what comes out
    with what was meant to go in (bytes, executable bits, link targets)."""
    with tempfile.TemporaryDirectory(prefix="envsmith-demo-cph-") as scratch:
        for n, (package, holds) in enumerate(sorted(contents.items())):
            dest = os.path.join(scratch, str(n))
            subprocess.run(["cph", "x", package, "--dest", dest], check=True, capture_output=True)
            found = {}
            for folder, _, names in os.walk(dest):
                for file_name in names:
                    full = os.path.join(folder, file_name)
                    rel = os.path.relpath(full, dest)
                    if os.path.islink(full):
                        found[rel] = ("->", os.readlink(full))
                    else:
                        found[rel] = (open(full, "rb").read(), bool(os.stat(full).st_mode & 0o100))
            if found != holds:
                raise SystemExit(f"cph x {package}: got {sorted(found)}, expected {sorted(holds)}")
            index = json.loads(found["info/index.json"][0])
            assert os.path.basename(package).startswith(f"{index['name']}-{index['version']}-{index['build']}.")
        print(f"cph x: {len(contents)} packages extract to what make.py put in them")


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def simple() -> None:
    files_dir = os.path.join(HERE, "files")
    simple_dir = os.path.join(HERE, "simple")
    for folder in (files_dir, simple_dir):  # nothing stale survives a removed entry
        if os.path.isdir(folder):
            shutil.rmtree(folder)
    projects = sorted(PYPI)
    links = "".join(f'    <a href="{p}/">{p}</a>\n' for p in projects)
    write(os.path.join(simple_dir, "index.html"),
          f"<!DOCTYPE html>\n<html>\n  <body>\n{links}  </body>\n</html>\n")
    for project in projects:
        assert normalize(project) == project, project
        anchors = []
        entries = []
        versions = []
        for filename, requires, yanked in PYPI[project]:
            name, version, tags = parse_filename(filename)
            assert normalize(name) == project, filename
            for req, _ in DEPENDS.get(project, {}).get(version, []):
                dependency = normalize(re.match(r"[A-Za-z0-9._-]+", req).group(0))
                assert dependency in PYPI, f"{project} {version} requires {dependency}, not on the index"
            if version not in versions:
                versions.append(version)
            make = wheel if tags is not None else sdist
            data, metadata = make(filename, project, requires)
            write_bytes(os.path.join(files_dir, filename), data)
            sha = hashlib.sha256(data).hexdigest()
            url = f"../../files/{filename}"
            attrs = f' href="{url}#sha256={sha}"'
            if requires:
                attrs += f' data-requires-python="{escape(requires)}"'
            if yanked:
                attrs += f' data-yanked="{escape(yanked)}"' if isinstance(yanked, str) else " data-yanked"
            entry = {"filename": filename, "url": url, "hashes": {"sha256": sha}}
            if requires:
                entry["requires-python"] = requires
            entry["size"] = len(data)
            if yanked:
                entry["yanked"] = yanked
            if filename not in NO_CORE_METADATA:
                write_bytes(os.path.join(files_dir, filename + ".metadata"), metadata.encode())
                metadata_sha = hashlib.sha256(metadata.encode()).hexdigest()
                attrs += f' data-core-metadata="sha256={metadata_sha}"'
                attrs += f' data-dist-info-metadata="sha256={metadata_sha}"'
                entry["core-metadata"] = {"sha256": metadata_sha}
                entry["data-dist-info-metadata"] = {"sha256": metadata_sha}
            anchors.append(f"    <a{attrs}>{filename}</a><br/>\n")
            entries.append(entry)
        write(os.path.join(simple_dir, project, "index.html"),
              "<!DOCTYPE html>\n<html>\n  <head>\n"
              '    <meta name="pypi:repository-version" content="1.1">\n'
              f"  </head>\n  <body>\n{''.join(anchors)}  </body>\n</html>\n")
        write(os.path.join(simple_dir, project, "index.json"),
              json.dumps({"meta": {"api-version": "1.1"}, "name": project, "files": entries,
                          "versions": versions}, indent=1) + "\n")


if __name__ == "__main__":
    written = channel()
    simple()
    if "--check" in sys.argv[1:]:
        check_with_cph(written)
