#!/usr/bin/env python3
"""Writes the demo channel and PyPI index that `scripts/demo`, the `check` tests and `lock` use:

- channel/envsmith-demo/<subdir>/repodata.json: a made-up conda channel (index only; its
  packages do not exist, their hashes are made up).
- simple/<project>/: a PEP 503 HTML and PEP 691 JSON (api-version 1.1, PEP 700 `size` and
  `versions`) simple index, with PEP 592 yanking and PEP 658/714 core metadata.
- files/: every distribution the index lists, as a real, tiny, valid file: wheels (PEP 427:
  `<pkg>/__init__.py` with `__version__`, then `.dist-info/METADATA`, `WHEEL`, `RECORD`) and
  sdists (`<name>-<version>/` with `PKG-INFO`, `pyproject.toml` and the module), each with a
  PEP 658 `<file>.metadata` next to it, except for the files in NO_CORE_METADATA. The page
  hashes are the files' real sha256.

The dependencies are a small, consistent cut of the real ones: every Requires-Dist names a
project of this index, and the pip section of definitions/environment.yml resolves for Python
3.10 to 3.12 on linux-64 (and 3.11 on osx-arm64). `numpy` is also a conda package of the
channel: with the conda side installing it, envsmith must not install it again from PyPI.

Deterministic: zip entries are dated 1980-01-01 with fixed permissions, tar members have
mtime 315532800 (1980-01-01) and uid/gid 0, gzip's header mtime is 0; so running it again
writes the same bytes (with the same zlib: deflate output may differ between zlib and
zlib-ng). Run it after editing the tables below and commit the output."""

import base64
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import tarfile
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


def fake_digest(kind: str, text: str) -> str:
    return hashlib.new(kind, text.encode()).hexdigest()


def write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def write_bytes(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)

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
    channel()
    simple()
