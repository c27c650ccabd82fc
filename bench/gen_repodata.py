#!/usr/bin/env python3
"""Writes a synthetic conda-forge-scale repodata.json for bench_repodata.

Deterministic for a given --seed. The shapes follow conda-forge's linux-64 repodata: about
25,000 package names with a long-tailed number of builds each, versions such as `1.26.4`,
`2024.2.2` or `0.4.0rc1`, builds such as `py312h8753938_0` or `pyhd8ed1ab_1`, 3 to 15
`depends` entries with pins (`python >=3.12,<3.13.0a0`, `libgcc-ng >=12`), some
`constrains`, md5/sha256, sizes, millisecond timestamps, licenses, a share of noarch
records, and half of the records under `packages.conda` (5% of those also as `.tar.bz2`, which the
index drops). A few strings hold JSON escapes so
the slow path is measured too. Written the way conda-index writes it (`indent=2`,
`sort_keys=True`) unless --compact is given.

usage: gen_repodata.py OUTPUT [--records 300000] [--seed 1] [--compact]
"""

import argparse
import hashlib
import json
import random
import sys

SYLLABLES = [
    "py", "lib", "num", "sci", "data", "net", "http", "xml", "json", "yaml", "zlib", "ssl",
    "crypto", "arrow", "torch", "flow", "jax", "cuda", "blas", "lapack", "gdal", "proj",
    "geo", "plot", "mat", "pandas", "dask", "zarr", "hdf", "net", "cdf", "qt", "gtk", "glib",
    "cairo", "pango", "font", "config", "tools", "utils", "core", "base", "test", "mock",
    "click", "rich", "typer", "fast", "api", "web", "sql", "alchemy", "redis", "kafka",
    "grpc", "proto", "buf", "abseil", "re2", "boost", "eigen", "tbb", "omp", "mkl", "r",
    "bio", "conductor", "seq", "align", "stats", "model", "learn", "vision", "audio",
]
LICENSES = [
    "MIT", "BSD-3-Clause", "Apache-2.0", "GPL-3.0-or-later", "LGPL-2.1-or-later",
    "MPL-2.0", "BSD-2-Clause", "ISC", "GPL-2.0-or-later", "Zlib", "PSF-2.0", "LicenseRef-Proprietary",
]
LICENSE_FAMILIES = ["MIT", "BSD", "APACHE", "GPL3", "LGPL", "MOZILLA", "OTHER"]
PYTHONS = ["3.9", "3.10", "3.11", "3.12", "3.13"]
BASE_DEPS = ["libgcc-ng >=12", "libstdcxx-ng >=12", "libzlib >=1.2.13,<2.0.0a0",
             "openssl >=3.2.1,<4.0a0", "libcxx >=16", "__glibc >=2.17,<3.0.a0"]


def make_names(rng, count):
    names = set()
    while len(names) < count:
        parts = rng.randint(1, 3)
        name = "-".join(rng.choice(SYLLABLES) for _ in range(parts))
        if rng.random() < 0.15:
            name = "r-" + name
        elif rng.random() < 0.1:
            name = name + str(rng.randint(2, 9))
        names.add(name)
    return sorted(names)


def make_version(rng):
    roll = rng.random()
    if roll < 0.1:
        return f"{rng.randint(2015, 2025)}.{rng.randint(1, 12)}.{rng.randint(0, 30)}"
    if roll < 0.15:
        return f"{rng.randint(0, 3)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}rc{rng.randint(1, 3)}"
    if roll < 0.3:
        return f"{rng.randint(0, 9)}.{rng.randint(0, 40)}"
    return f"{rng.randint(0, 9)}.{rng.randint(0, 40)}.{rng.randint(0, 30)}"


def pin(rng, name):
    roll = rng.random()
    if roll < 0.3:
        return name
    major = rng.randint(0, 9)
    minor = rng.randint(0, 30)
    if roll < 0.6:
        return f"{name} >={major}.{minor}"
    if roll < 0.9:
        return f"{name} >={major}.{minor}.{rng.randint(0, 9)},<{major + 1}.0a0"
    return f"{name} {major}.{minor}.*"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output")
    parser.add_argument("--records", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--compact", action="store_true")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    names = make_names(rng, 25_000)
    # A long tail: a few names with thousands of builds, most with a handful.
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(names))]
    rng.shuffle(weights)

    packages = {}
    packages_conda = {}
    chosen = rng.choices(range(len(names)), weights=weights, k=args.records)
    timestamp = 1_500_000_000_000
    for serial, index in enumerate(chosen):
        name = names[index]
        version = make_version(rng)
        build_number = rng.choice([0, 0, 0, 1, 1, 2, 3, 5])
        digest = hashlib.sha256(f"{args.seed}:{serial}".encode()).hexdigest()
        roll = rng.random()
        noarch = None
        depends = []
        if roll < 0.25:  # noarch python
            noarch = "python"
            build = f"pyhd8ed1ab_{build_number}"
            depends.append(f"python >={rng.choice(PYTHONS)}")
        elif roll < 0.55:  # a compiled python extension
            py = rng.choice(PYTHONS)
            tag = py.replace(".", "")
            build = f"py{tag}h{digest[:7]}_{build_number}"
            upper = f"3.{int(py.split('.')[1]) + 1}.0a0"
            depends += [f"python >={py},<{upper}", f"python_abi {py}.* *_cp{tag}"]
        else:  # a C library
            build = f"h{digest[:7]}_{build_number}"
        if noarch is None:
            depends += rng.sample(BASE_DEPS, rng.randint(1, 3))
        target = rng.randint(3, 15)
        while len(depends) < target:
            depends.append(pin(rng, names[rng.randrange(len(names))]))
        timestamp += rng.randint(1_000, 400_000)
        record = {
            "build": build,
            "build_number": build_number,
            "depends": depends,
            "license": rng.choice(LICENSES),
            "md5": hashlib.md5(digest.encode()).hexdigest(),
            "name": name,
            "sha256": digest,
            "size": rng.randint(4_000, 80_000_000),
            "subdir": "noarch" if noarch else "linux-64",
            "timestamp": timestamp,
            "version": version,
        }
        if rng.random() < 0.7:
            record["license_family"] = rng.choice(LICENSE_FAMILIES)
        if noarch:
            record["noarch"] = noarch
        if rng.random() < 0.15:
            record["constrains"] = [pin(rng, names[rng.randrange(len(names))])
                                    for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.002:  # escapes: a quoted word and a non-ASCII letter
            record["license"] = "Other \"custom\" licence \u00e9"
        if rng.random() < 0.01:
            record["track_features"] = "blas_openblas"
        stem = f"{name}-{version}-{build}"
        if stem + ".conda" in packages_conda or stem + ".tar.bz2" in packages:
            record["version"] = version = f"{version}.post{serial}"
            stem = f"{name}-{version}-{build}"
        if serial % 2 == 0:
            packages_conda[stem + ".conda"] = record
            if rng.random() < 0.05:  # also the legacy format, as defaults publishes it
                packages[stem + ".tar.bz2"] = dict(record, md5=hashlib.md5(stem.encode()).hexdigest())
        else:
            packages[stem + ".tar.bz2"] = record

    repodata = {
        "info": {"subdir": "linux-64"},
        "packages": packages,
        "packages.conda": packages_conda,
        "removed": [],
        "repodata_version": 1,
    }
    with open(args.output, "w", encoding="utf-8") as out:
        if args.compact:
            json.dump(repodata, out, sort_keys=True, separators=(",", ":"))
        else:
            json.dump(repodata, out, indent=2, sort_keys=True)
    total = len(packages) + len(packages_conda)
    print(f"{args.output}: {total} records ({len(packages_conda)} .conda)", file=sys.stderr)


if __name__ == "__main__":
    main()
