#!/usr/bin/env python3
"""Writes a synthetic conda-forge-sized conda channel for the solve bench (bench_solve).

The channel is a folder with `linux-64/repodata.json` and `noarch/repodata.json`, 300,000+
records in all (--records), deterministic for a given --seed. Unlike gen_repodata.py's
output, whose `depends` point at random names, its dependency graph is solvable and shaped
like an ML environment on conda-forge:

* a core of hand-described packages with real names: python 3.9-3.13 (several patch versions,
  two builds each, a free-threading 3.13 build with track_features) over its C libraries and
  `__glibc`, python_abi with `constrains`, pip/setuptools/wheel, numpy over libblas/libcblas/
  liblapack in `*_openblas` and `*_mkl` variants (mkl ones carry track_features), scipy,
  pandas, scikit-learn, a pytorch with `cuda120`/`cuda118`/`cpu_mkl`/`cpu_generic` builds (a
  `pytorch-mutex` whose cpu build has track_features, `__cuda`, cuda-version, cudatoolkit,
  the CUDA 12 libraries, cudnn, nccl), and matplotlib over pillow, freetype, libpng, fonttools,
  kiwisolver, contourpy, cycler, pyparsing, packaging, pyqt and a Qt with a deep tree of C
  libraries;
* filler: the rest of the records over ~25,000 other names (gen_repodata.make_names), a few
  with hundreds of versions and most with a handful, as noarch python packages, compiled
  python extensions (one build per supported python) or C libraries. They form layers:
  a name depends only on names of lower layers and on the core, so closures stay bounded
  (tens of names), as on conda-forge.

Pins follow an "era": a record of the i-th of n versions of a package pins its dependencies
around the same relative point of their version lists (lower bound, and often an upper bound
at the next major), so the newest records of everything fit together (the channel is
solvable) while older records pin older majors. Some newest versions stop short of the newest
python (the newest pytorch has builds up to python 3.12 only; numpy < 2.1 up to 3.12; some
filler extensions), so a request for an ML stack has to go back from python 3.13, as real
requests do.

usage: gen_solve_channel.py OUT [--records 300000] [--seed 1] [--indent]
"""

import argparse
import hashlib
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_repodata  # noqa: E402  (names, licenses: the shapes of the repodata bench)

PYTHONS = ["3.9", "3.10", "3.11", "3.12", "3.13"]
T0 = 1_600_000_000_000  # ms; the era 0.0 .. 1.0 spans about four years after it
ERA_SPAN = 4 * 365 * 24 * 3600 * 1000


def vkey(version):
    """A sort key for the versions this script writes (digits, dots, an optional rcN)."""
    out = []
    for part in version.replace("_", ".").split("."):
        if "rc" in part:
            head, _, tail = part.partition("rc")
            out.append((int(head or 0), -1, int(tail or 0)))
        else:
            out.append((int(part), 0, 0))
    return out


def major_upper(version):
    """`<N.0a0` for the next major of `version` (conda-forge's run_exports shape)."""
    return f"<{int(version.split('.')[0]) + 1}.0a0"


def minor_upper(version):
    parts = version.split(".")
    minor = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    return f"<{parts[0]}.{minor + 1}.0a0"


def py_tag(py):
    return "cp" + py.replace(".", "")


def py_pins(py):
    minor = int(py.split(".")[1])
    return [f"python >={py},<3.{minor + 1}.0a0", f"python_abi {py}.* *_{py_tag(py)}"]


class Channel:
    """Records of the two subdirs, keyed by file name."""

    def __init__(self, seed):
        self.seed = seed
        self.subdirs = {"linux-64": ({}, {}), "noarch": ({}, {})}  # packages, packages.conda
        self.count = 0
        self.versions = {}  # name -> sorted list of versions (for pins)
        self.rng = random.Random(seed * 7919 + 17)

    def digest(self, *parts):
        return hashlib.sha256(":".join(map(str, (self.seed,) + parts)).encode()).hexdigest()

    def add(self, name, version, build, build_number, depends, constrains=(), noarch=None,
            track_features=None, era=1.0, license="BSD-3-Clause", legacy=False):
        subdir = "noarch" if noarch else "linux-64"
        digest = self.digest(name, version, build)
        record = {
            "build": build,
            "build_number": build_number,
            "depends": list(depends),
            "license": license,
            "md5": hashlib.md5(digest.encode()).hexdigest(),
            "name": name,
            "sha256": digest,
            "size": 4_000 + int(digest[:6], 16) % 40_000_000,
            "subdir": subdir,
            "timestamp": T0 + int(era * ERA_SPAN) + int(digest[6:11], 16) % 86_400_000,
            "version": version,
        }
        if constrains:
            record["constrains"] = list(constrains)
        if noarch:
            record["noarch"] = noarch
        if track_features:
            record["track_features"] = track_features
        packages, packages_conda = self.subdirs[subdir]
        stem = f"{name}-{version}-{build}"
        if legacy:
            packages[stem + ".tar.bz2"] = record
        else:
            packages_conda[stem + ".conda"] = record
        self.count += 1
        versions = self.versions.setdefault(name, [])
        if version not in versions:
            versions.append(version)

    def h(self, *parts):
        return "h" + self.digest(*parts)[:7]

    def finish_versions(self):
        for name, versions in self.versions.items():
            versions.sort(key=vkey)

    def pin(self, name, era, upper=True, form=None):
        """A pin on `name` for a record of `era`: a lower bound near the same relative point of
        its version list, and an upper bound that admits the version at exactly that point."""
        versions = self.versions[name]
        hi = round(era * (len(versions) - 1))
        lo = int(hi * 0.6)
        low = versions[lo]
        if form == "bare":
            return name
        if form == "series":
            return f"{name} {'.'.join(versions[hi].split('.')[:2])}.*"
        if upper:
            return f"{name} >={low},{major_upper(versions[hi])}"
        return f"{name} >={low}"

    def write(self, out, indent):
        for subdir, (packages, packages_conda) in self.subdirs.items():
            os.makedirs(os.path.join(out, subdir), exist_ok=True)
            doc = {
                "info": {"subdir": subdir},
                "packages": packages,
                "packages.conda": packages_conda,
                "removed": [],
                "repodata_version": 1,
            }
            path = os.path.join(out, subdir, "repodata.json")
            with open(path, "w", encoding="utf-8") as f:
                if indent:
                    json.dump(doc, f, indent=2, sort_keys=True)
                else:
                    json.dump(doc, f, sort_keys=True, separators=(",", ":"))
            print(f"{path}: {len(packages) + len(packages_conda)} records", file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# The core


# C libraries: name -> (versions oldest first, dependencies on other C libraries, needs C++).
# Each record pins its dependencies by era (Channel.pin) and depends on libgcc-ng.
C_LIBS = {
    "ld_impl_linux-64": (["2.38", "2.39", "2.40", "2.43"], [], False),
    "libzlib": (["1.2.11", "1.2.12", "1.2.13", "1.3.1"], [], False),
    "zlib": (["1.2.11", "1.2.12", "1.2.13", "1.3.1"], ["libzlib"], False),
    "ca-certificates": (["2023.7.22", "2024.2.2", "2024.7.4", "2024.8.30"], [], False),
    "libffi": (["3.3", "3.4.2", "3.4.4"], [], False),
    "ncurses": (["6.3", "6.4", "6.4.20240210", "6.5"], [], False),
    "readline": (["8.1.2", "8.2"], ["ncurses"], False),
    "libsqlite": (["3.40.0", "3.43.2", "3.45.2", "3.46.0", "3.46.1", "3.47.0"], ["libzlib"], False),
    "tk": (["8.6.12", "8.6.13"], ["libzlib"], False),
    "xz": (["5.2.6", "5.4.2", "5.4.6", "5.6.3"], [], False),
    "bzip2": (["1.0.8"], [], False),
    "libuuid": (["2.32.1", "2.38.1"], [], False),
    "libnsl": (["2.0.0", "2.0.1"], [], False),
    "libxcrypt": (["4.4.33", "4.4.36"], [], False),
    "libexpat": (["2.5.0", "2.6.2", "2.6.3", "2.6.4"], [], False),
    "libmpdec": (["4.0.0"], [], False),
    "zstd": (["1.5.2", "1.5.5", "1.5.6"], ["libzlib"], True),
    "lz4-c": (["1.9.3", "1.9.4", "1.10.0"], [], True),
    "libdeflate": (["1.18", "1.20", "1.21", "1.22"], [], False),
    "libjpeg-turbo": (["2.1.5.1", "3.0.0"], [], False),
    "libpng": (["1.6.39", "1.6.43", "1.6.44"], ["libzlib"], False),
    "libwebp-base": (["1.3.2", "1.4.0"], [], False),
    "lerc": (["4.0.0"], [], True),
    "libtiff": (["4.5.1", "4.6.0", "4.7.0"], ["lerc", "libdeflate", "libjpeg-turbo", "libwebp-base",
                                              "libzlib", "xz", "zstd"], True),
    "lcms2": (["2.15", "2.16"], ["libjpeg-turbo", "libtiff"], False),
    "openjpeg": (["2.5.0", "2.5.2"], ["libpng", "libtiff", "libzlib"], True),
    "freetype": (["2.12.1"], ["libpng", "libzlib"], False),
    "qhull": (["2020.2"], [], True),
    "pthread-stubs": (["0.4"], [], False),
    "xorg-libxau": (["1.0.11", "1.0.12"], [], False),
    "xorg-libxdmcp": (["1.1.3", "1.1.5"], [], False),
    "libxcb": (["1.15", "1.16", "1.17.0"], ["pthread-stubs", "xorg-libxau", "xorg-libxdmcp"], False),
    "libgfortran5": (["12.3.0", "13.2.0", "14.1.0", "14.2.0"], [], False),
    "libgfortran-ng": (["12.3.0", "13.2.0", "14.1.0", "14.2.0"], ["libgfortran5"], False),
    "libopenblas": (["0.3.21", "0.3.23", "0.3.25", "0.3.27", "0.3.28"],
                    ["libgfortran-ng", "libgfortran5"], False),
    "llvm-openmp": (["15.0.7", "16.0.6", "17.0.6", "18.1.8", "19.1.3"], ["libzlib", "zstd"], False),
    "libhwloc": (["2.9.1", "2.9.3", "2.11.1"], ["libxml2"], True),
    "libiconv": (["1.17"], [], False),
    "icu": (["72.1", "73.2", "75.1"], [], True),
    "libxml2": (["2.11.5", "2.12.7", "2.13.4"], ["icu", "libiconv", "libzlib", "xz"], False),
    "tbb": (["2021.9.0", "2021.11.0", "2021.13.0"], ["libhwloc"], True),
    "libabseil": (["20230802.1", "20240116.2"], [], True),
    "libprotobuf": (["4.24.4", "4.25.3"], ["libabseil", "libzlib"], True),
    "sleef": (["3.5.1", "3.6.1", "3.7"], ["_openmp_mutex"], True),
    "libuv": (["1.46.0", "1.48.0", "1.49.2"], [], False),
    "libbrotlicommon": (["1.0.9", "1.1.0"], [], False),
    "libbrotlidec": (["1.0.9", "1.1.0"], ["libbrotlicommon"], False),
    "libbrotlienc": (["1.0.9", "1.1.0"], ["libbrotlicommon"], False),
    # The Qt tree under pyqt (matplotlib's GUI backend).
    "libglib": (["2.78.4", "2.80.3", "2.82.2"], ["libffi", "libiconv", "libzlib", "pcre2"], False),
    "pcre2": (["10.42", "10.43", "10.44"], ["bzip2", "libzlib"], False),
    "expat": (["2.5.0", "2.6.2", "2.6.4"], ["libexpat"], False),
    "fontconfig": (["2.14.2", "2.15.0"], ["freetype", "libexpat", "libuuid", "libzlib"], False),
    "graphite2": (["1.3.13"], [], True),
    "harfbuzz": (["8.5.0", "9.0.0", "10.1.0"], ["cairo", "freetype", "graphite2", "icu", "libglib"], True),
    "pixman": (["0.42.2", "0.43.2", "0.44.0"], [], True),
    "cairo": (["1.18.0", "1.18.2"], ["fontconfig", "freetype", "libglib", "libpng", "libxcb", "pixman",
                                     "xorg-libx11", "xorg-libxext", "xorg-libxrender"], True),
    "xorg-libx11": (["1.8.9", "1.8.10"], ["libxcb"], False),
    "xorg-libxext": (["1.3.4", "1.3.6"], ["xorg-libx11"], False),
    "xorg-libxrender": (["0.9.11", "0.9.12"], ["xorg-libx11"], False),
    "xcb-util": (["0.4.0", "0.4.1"], ["libxcb"], False),
    "xcb-util-keysyms": (["0.4.0", "0.4.1"], ["libxcb"], False),
    "xcb-util-renderutil": (["0.3.9", "0.3.10"], ["libxcb"], False),
    "xcb-util-wm": (["0.4.1", "0.4.2"], ["libxcb"], False),
    "xcb-util-image": (["0.4.0"], ["libxcb", "xcb-util"], False),
    "libxkbcommon": (["1.6.0", "1.7.0"], ["libxcb", "libxml2"], True),
    "dbus": (["1.13.6"], ["expat", "libglib"], False),
    "krb5": (["1.20.1", "1.21.3"], ["libedit", "openssl"], True),
    "libedit": (["3.1.20191231", "3.1.20230828"], ["ncurses"], False),
    "libpq": (["15.4", "16.4", "17.0"], ["krb5", "openssl", "icu"], False),
    "nspr": (["4.35", "4.36"], [], True),
    "nss": (["3.100", "3.105"], ["libsqlite", "nspr", "libzlib"], True),
    "libogg": (["1.3.5"], [], False),
    "libvorbis": (["1.3.7"], ["libogg"], True),
    "libopus": (["1.3.1"], [], False),
    "libflac": (["1.4.3"], ["libogg"], True),
    "libsndfile": (["1.2.2"], ["libflac", "libogg", "libopus", "libvorbis", "mpg123", "lame"], True),
    "mpg123": (["1.32.6", "1.32.9"], [], True),
    "lame": (["3.100"], [], False),
    "alsa-lib": (["1.2.10", "1.2.12", "1.2.13"], [], False),
    "pulseaudio-client": (["16.1", "17.0"], ["dbus", "libglib", "libsndfile", "libxcb"], False),
    "gstreamer": (["1.22.9", "1.24.5"], ["libglib", "libiconv"], True),
    "gst-plugins-base": (["1.22.9", "1.24.5"], ["alsa-lib", "gstreamer", "libglib", "libogg", "libopus",
                                                "libpng", "libvorbis", "libxcb", "libzlib"], True),
    "libclang13": (["15.0.7", "18.1.8", "19.1.3"], ["libllvm"], True),
    "libllvm": (["15.0.7", "18.1.8", "19.1.3"], ["libxml2", "libzlib", "zstd"], True),
    "libcups": (["2.3.3"], ["krb5", "libzlib"], True),
    "libegl": (["1.7.0"], ["libglvnd"], False),
    "libgl": (["1.7.0"], ["libglvnd", "libglx"], False),
    "libglx": (["1.7.0"], ["libglvnd", "xorg-libx11"], False),
    "libglvnd": (["1.7.0"], [], False),
    "libdrm": (["2.4.120", "2.4.123"], ["libpciaccess"], False),
    "libpciaccess": (["0.18"], [], False),
    "mysql-libs": (["8.0.33", "8.3.0", "9.0.1"], ["openssl", "libzlib", "zstd"], True),
    "qt-main": (["5.15.8", "5.15.13", "5.15.15"],
                ["alsa-lib", "dbus", "fontconfig", "freetype", "gst-plugins-base", "gstreamer", "harfbuzz",
                 "icu", "krb5", "libclang13", "libcups", "libdrm", "libegl", "libgl", "libglib", "libjpeg-turbo",
                 "libllvm", "libpng", "libpq", "libsqlite", "libxcb", "libxkbcommon", "libxml2", "libzlib",
                 "mysql-libs", "nspr", "nss", "openssl", "pulseaudio-client", "xcb-util", "xcb-util-image",
                 "xcb-util-keysyms", "xcb-util-renderutil", "xcb-util-wm", "xorg-libx11", "xorg-libxext",
                 "zstd"], True),
}

# Noarch python packages: name -> (versions oldest first with the python they need, depends).
NOARCH = {
    "pip": ([("23.3.2", "3.7"), ("24.0", "3.7"), ("24.2", "3.8"), ("24.3.1", "3.8")], ["setuptools", "wheel"]),
    "setuptools": ([("68.2.2", "3.7"), ("69.5.1", "3.8"), ("72.1.0", "3.8"), ("75.3.0", "3.8")], []),
    "wheel": ([("0.41.3", "3.7"), ("0.42.0", "3.7"), ("0.44.0", "3.8"), ("0.45.0", "3.8")], []),
    "tzdata": ([("2023c", None), ("2024a", None), ("2024b", None)], []),
    "six": ([("1.16.0", "3.6")], []),
    "python-dateutil": ([("2.8.2", "3.6"), ("2.9.0", "3.7"), ("2.9.0.post0", "3.7")], ["six"]),
    "pytz": ([("2023.3", "3.6"), ("2024.1", "3.7"), ("2024.2", "3.7")], []),
    "python-tzdata": ([("2023.3", "3.6"), ("2024.1", "3.6"), ("2024.2", "3.6")], []),
    "joblib": ([("1.2.0", "3.7"), ("1.3.2", "3.7"), ("1.4.2", "3.8")], ["setuptools"]),
    "threadpoolctl": ([("3.1.0", "3.6"), ("3.2.0", "3.8"), ("3.5.0", "3.8")], []),
    "filelock": ([("3.12.4", "3.8"), ("3.13.1", "3.8"), ("3.16.1", "3.8")], []),
    "fsspec": ([("2023.10.0", "3.8"), ("2024.3.1", "3.8"), ("2024.10.0", "3.8")], []),
    "typing_extensions": ([("4.8.0", "3.8"), ("4.11.0", "3.8"), ("4.12.2", "3.8")], []),
    "mpmath": ([("1.3.0", "3.6")], []),
    "sympy": ([("1.12", "3.8"), ("1.13.1", "3.8"), ("1.13.3", "3.8")], ["mpmath", "gmpy2"]),
    "networkx": ([("3.1", "3.8"), ("3.2.1", "3.9"), ("3.4.2", "3.10")], []),
    "jinja2": ([("3.1.2", "3.7"), ("3.1.3", "3.7"), ("3.1.4", "3.7")], ["markupsafe"]),
    "cycler": ([("0.11.0", "3.6"), ("0.12.1", "3.8")], []),
    "pyparsing": ([("3.0.9", "3.6"), ("3.1.2", "3.6"), ("3.2.0", "3.9")], []),
    "packaging": ([("23.2", "3.7"), ("24.0", "3.8"), ("24.1", "3.8"), ("24.2", "3.8")], []),
    "munkres": ([("1.1.4", None)], []),
    "cuda-cudart_linux-64": ([("12.0.107", None), ("12.2.140", None), ("12.4.127", None), ("12.6.77", None)], []),
}

# CUDA 12 libraries: one version per CUDA minor; each pins cuda-version to that minor.
CUDA_MINORS = ["12.0", "12.2", "12.4", "12.6"]
CUDA_LIBS = {
    "cuda-cudart": ["12.0.107", "12.2.140", "12.4.127", "12.6.77"],
    "cuda-nvrtc": ["12.0.76", "12.2.140", "12.4.127", "12.6.77"],
    "cuda-nvtx": ["12.0.76", "12.2.140", "12.4.127", "12.6.77"],
    "libnvjitlink": ["12.0.76", "12.2.140", "12.4.127", "12.6.77"],
    "libcublas": ["12.0.2.224", "12.2.5.6", "12.4.5.8", "12.6.3.3"],
    "libcufft": ["11.0.0.21", "11.0.8.103", "11.2.1.3", "11.3.0.4"],
    "libcurand": ["10.3.1.50", "10.3.3.141", "10.3.5.147", "10.3.7.77"],
    "libcusparse": ["12.0.0.76", "12.1.2.141", "12.3.1.170", "12.5.4.2"],
    "libcusolver": ["11.4.2.57", "11.5.2.141", "11.6.1.9", "11.7.1.2"],
}
CUDA_LIB_DEPS = {"libcusparse": ["libnvjitlink"], "libcusolver": ["libcublas", "libcusparse", "libnvjitlink"],
                 "cuda-cudart": ["cuda-cudart_linux-64"], "libcublas": ["cuda-nvrtc"]}


def era_of(i, n):
    return 1.0 if n <= 1 else i / (n - 1)


def gcc_floor(era):
    return "12" if era < 0.6 else "13"


def add_gcc(ch):
    versions = ["11.2.0", "12.2.0", "12.3.0", "13.2.0", "14.1.0", "14.2.0"]
    ch.add("_libgcc_mutex", "0.1", "conda_forge", 0, [], era=0.0, legacy=True)
    ch.add("_libgcc_mutex", "0.1", "main", 0, [], era=0.0, legacy=True)
    ch.add("_openmp_mutex", "4.5", "2_gnu", 16, ["_libgcc_mutex 0.1 conda_forge", "libgomp >=7.5.0"],
           constrains=["openmp_impl 9999"], era=0.2)
    ch.add("_openmp_mutex", "4.5", "2_kmp_llvm", 2, ["_libgcc_mutex 0.1 conda_forge", "llvm-openmp >=9.0.1"],
           era=0.1)
    for i, v in enumerate(versions):
        era = era_of(i, len(versions))
        for bn in (0, 1):
            build = f"{ch.h('gcc', v, bn)}_{bn}"
            ch.add("libgomp", v, build, bn, ["_libgcc_mutex 0.1 conda_forge"], era=era)
            ch.add("libgcc", v, build, bn, ["_libgcc_mutex 0.1 conda_forge", "_openmp_mutex >=4.5"],
                   constrains=[f"libgomp {v} {build}", f"libgcc-ng =={v}=*_{bn}"], era=era)
            ch.add("libgcc-ng", v, f"{ch.h('gcc-ng', v, bn)}_{bn}", bn, [f"libgcc {v} {build}"], era=era)
            ch.add("libstdcxx", v, build, bn, [f"libgcc {v} {build}"], era=era)
            ch.add("libstdcxx-ng", v, f"{ch.h('cxx-ng', v, bn)}_{bn}", bn, [f"libstdcxx {v} {build}"], era=era)


def add_c_libs(ch):
    # Versions first, so that pins can look at every library's list.
    for name, (versions, _, _) in C_LIBS.items():
        ch.versions[name] = list(versions)
    ch.versions["openssl"] = ["1.1.1w", "3.0.15", "3.1.7", "3.2.2", "3.3.2", "3.4.0"]
    for i, v in enumerate(ch.versions["openssl"]):
        era = era_of(i, 6)
        for bn in (0, 1):
            ch.add("openssl", v, f"{ch.h('openssl', v, bn)}_{bn}", bn,
                   ["ca-certificates", f"libgcc-ng >={gcc_floor(era)}"], era=era)
    for name, (versions, deps, cxx) in C_LIBS.items():
        for i, v in enumerate(versions):
            era = era_of(i, len(versions))
            for bn in ((0, 1) if i == len(versions) - 1 or i % 2 else (0,)):
                depends = [f"libgcc-ng >={gcc_floor(era)}"]
                if cxx:
                    depends.append(f"libstdcxx-ng >={gcc_floor(era)}")
                if name in ("ld_impl_linux-64", "ca-certificates"):
                    depends = ["__glibc >=2.17,<3.0.a0"] if name == "ld_impl_linux-64" else []
                for dep in deps:
                    if dep == "_openmp_mutex":
                        depends.append("_openmp_mutex >=4.5")
                    elif dep == "openssl":
                        depends.append(f"openssl >=3.{1 + int(era * 2)},<4.0a0")
                    else:
                        depends.append(ch.pin(dep, era))
                ch.add(name, v, f"{ch.h(name, v, bn)}_{bn}", bn, depends, era=era,
                       legacy=name.startswith("_") or i == 0)


# python: minor -> patch versions, oldest first.
PYTHON_PATCHES = {
    "3.9": ["3.9.0", "3.9.7", "3.9.13", "3.9.18", "3.9.19", "3.9.20"],
    "3.10": ["3.10.0", "3.10.8", "3.10.13", "3.10.14", "3.10.15"],
    "3.11": ["3.11.0", "3.11.4", "3.11.8", "3.11.9", "3.11.10"],
    "3.12": ["3.12.0", "3.12.3", "3.12.5", "3.12.7"],
    "3.13": ["3.13.0", "3.13.1"],
}
PYTHON_ERA = {"3.9": 0.0, "3.10": 0.2, "3.11": 0.45, "3.12": 0.7, "3.13": 0.95}


def add_python(ch):
    for minor, patches in PYTHON_PATCHES.items():
        tag = py_tag(minor)
        for i, v in enumerate(patches):
            era = min(1.0, PYTHON_ERA[minor] + 0.05 * i)
            old = v in ("3.9.0", "3.9.7", "3.10.0")
            for bn in (0, 1):
                depends = [
                    "__glibc >=2.17,<3.0.a0", "bzip2 >=1.0.8,<2.0a0", "ld_impl_linux-64 >=2.36.1",
                    "libffi >=3.4,<4.0a0" if not old else "libffi >=3.3,<3.4.0a0",
                    f"libgcc-ng >={gcc_floor(era)}", ch.pin("libnsl", era), ch.pin("libsqlite", era),
                    ch.pin("libuuid", era), ch.pin("libxcrypt", era, upper=False), ch.pin("libzlib", era),
                    ch.pin("ncurses", era), ch.pin("readline", era), ch.pin("tk", era), "tzdata",
                    ch.pin("xz", era),
                ]
                depends.append("openssl >=1.1.1l,<1.1.2a" if old else f"openssl >=3.{int(era * 3)},<4.0a0")
                if minor in ("3.12", "3.13"):
                    depends.append("pip")
                if minor != "3.9" or i > 2:
                    depends.append(ch.pin("libexpat", era))
                if minor == "3.13":
                    depends.append("libmpdec >=4.0.0,<5.0a0")
                build = f"{ch.h('python', v, bn)}_{bn}_cpython"
                ch.add("python", v, build, bn, depends, constrains=[f"python_abi {minor}.* *_{tag}"], era=era,
                       license="Python-2.0")
                if minor == "3.13":
                    ch.add("python", v, f"{ch.h('python-t', v, bn)}_{bn}_{tag}t", bn, depends,
                           constrains=[f"python_abi {minor}.* *_{tag}t"], track_features="py_freethreading",
                           era=era, license="Python-2.0")
        for abi_bn in (4, 5):
            ch.add("python_abi", minor, f"{abi_bn}_{tag}", abi_bn, [],
                   constrains=[f"python {minor}.* *_cpython"], era=PYTHON_ERA[minor])
        if minor == "3.13":
            ch.add("python_abi", minor, f"5_{tag}t", 5, [], constrains=[f"python {minor}.* *_{tag}t"],
                   era=1.0)


def add_noarch(ch):
    for name, (versions, _) in NOARCH.items():
        ch.versions[name] = [v for v, _ in versions]
    for name, (versions, deps) in NOARCH.items():
        for i, (v, py) in enumerate(versions):
            era = era_of(i, len(versions))
            depends = [f"python >={py}"] if py else []
            if name == "jinja2":
                depends.append("markupsafe >=2.0")
            elif name == "sympy":
                depends += ["mpmath >=0.19", "gmpy2 >=2.0.8"]
            else:
                depends += [ch.pin(d, era, form="bare") for d in deps]
            ch.add(name, v, f"pyhd8ed1ab_{i % 2}", i % 2, depends, noarch="generic" if not py else "python",
                   era=era, license="MIT")


def add_pyext(ch, name, versions, deps_fn, builds=("",), bns=(0, 1), constrains_fn=None, track_fn=None,
              extra_fn=None):
    """A compiled python package: versions is [(version, [pythons])], oldest first. deps_fn(v,
    py, era, variant) gives the depends besides python/python_abi/libgcc-ng."""
    ch.versions[name] = [v for v, _ in versions]
    for i, (v, pys) in enumerate(versions):
        era = era_of(i, len(versions))
        for py in pys:
            for variant in builds:
                for bn in bns:
                    if extra_fn and not extra_fn(v, py, variant):
                        continue
                    tag = py.replace(".", "")
                    prefix = f"{variant}_" if variant else ""
                    # conda-forge's pytorch: cuda builds above cpu_mkl above cpu_generic
                    bnum = bn + (300 if variant.startswith("cuda") else 100 if variant == "cpu_mkl" else 0)
                    build = f"{prefix}py{tag}{ch.h(name, v, py, variant, bn)}_{bnum}"
                    depends = [f"libgcc-ng >={gcc_floor(era)}", f"libstdcxx-ng >={gcc_floor(era)}"]
                    depends += py_pins(py) + deps_fn(v, py, era, variant)
                    ch.add(name, v, build, bnum, depends,
                           constrains=constrains_fn(v, py, variant) if constrains_fn else (),
                           track_features=track_fn(v, py, variant) if track_fn else None, era=era)


def pys_between(lo, hi):
    return PYTHONS[PYTHONS.index(lo):PYTHONS.index(hi) + 1]


def add_blas(ch):
    numbers = list(range(18, 27))
    openblas = ch.versions["libopenblas"]
    mkl_versions = ["2022.1.0", "2023.2.0", "2024.2.2"]
    ch.versions["mkl"] = mkl_versions
    for i, v in enumerate(mkl_versions):
        era = era_of(i, 3)
        ch.add("mkl", v, f"{ch.h('mkl', v)}_{[915, 50496, 16][i]}", [915, 50496, 16][i],
               ["_openmp_mutex * *_llvm", "_openmp_mutex >=4.5", ch.pin("llvm-openmp", era, upper=False),
                "tbb 2021.*"], era=era, license="LicenseRef-IntelSimplifiedSoftwareOct2022")
    for i, n in enumerate(numbers):
        era = era_of(i, len(numbers))
        ob = openblas[min(len(openblas) - 1, i * len(openblas) // len(numbers))]
        mk = mkl_versions[0 if n < 20 else 1 if n < 24 else 2]
        for impl in ("openblas", "mkl"):
            build = f"{n}_linux64_{impl}"
            featured = "blas_mkl" if impl == "mkl" else None
            impl_dep = (f"libopenblas >={ob},<{'.'.join(ob.split('.')[:2])}.{int(ob.split('.')[2]) + 1}.0a0"
                        if impl == "openblas" else f"mkl >={mk},{major_upper(mk)}")
            cons = [f"blas * {impl}", f"libcblas 3.9.0 {build}", f"liblapack 3.9.0 {build}",
                    f"liblapacke 3.9.0 {build}"]
            ch.add("libblas", "3.9.0", build, n, [impl_dep], constrains=cons, track_features=featured, era=era)
            ch.add("libcblas", "3.9.0", build, n, [f"libblas 3.9.0 {build}"],
                   constrains=[f"blas * {impl}", f"liblapack 3.9.0 {build}"], era=era)
            ch.add("liblapack", "3.9.0", build, n, [f"libblas 3.9.0 {build}"],
                   constrains=[f"blas * {impl}", f"libcblas 3.9.0 {build}"], era=era)
            ch.add("blas", f"2.{100 + n}", impl, n,
                   [f"libblas 3.9.0 {build}", f"libcblas 3.9.0 {build}", f"liblapack 3.9.0 {build}"]
                   + ([f"libopenblas >={ob}"] if impl == "openblas" else [f"mkl >={mk}"]),
                   track_features=featured, era=era)
    ch.versions["libblas"] = ch.versions["libcblas"] = ch.versions["liblapack"] = ["3.9.0"]


BLAS_DEPS = ["libblas >=3.9.0,<4.0a0", "libcblas >=3.9.0,<4.0a0", "liblapack >=3.9.0,<4.0a0"]


def add_numeric(ch):
    numpy = [("1.21.6", pys_between("3.9", "3.10")), ("1.22.4", pys_between("3.9", "3.10")),
             ("1.23.5", pys_between("3.9", "3.11")), ("1.24.4", pys_between("3.9", "3.11")),
             ("1.25.2", pys_between("3.9", "3.11")), ("1.26.0", pys_between("3.9", "3.12")),
             ("1.26.4", pys_between("3.9", "3.12")), ("2.0.0", pys_between("3.9", "3.12")),
             ("2.0.2", pys_between("3.9", "3.12")), ("2.1.0", pys_between("3.10", "3.13")),
             ("2.1.3", pys_between("3.10", "3.13")), ("2.2.0", pys_between("3.10", "3.13"))]
    add_pyext(ch, "numpy", numpy, lambda v, py, era, var: list(BLAS_DEPS),
              constrains_fn=lambda v, py, var: ["numpy-base <0a0"])

    scipy = [("1.9.3", pys_between("3.9", "3.11")), ("1.10.1", pys_between("3.9", "3.11")),
             ("1.11.4", pys_between("3.9", "3.12")), ("1.12.0", pys_between("3.9", "3.12")),
             ("1.13.1", pys_between("3.9", "3.12")), ("1.14.0", pys_between("3.10", "3.12")),
             ("1.14.1", pys_between("3.10", "3.13"))]
    add_pyext(ch, "scipy", scipy,
              lambda v, py, era, var: BLAS_DEPS + [ch.pin("libgfortran-ng", era), ch.pin("libgfortran5", era,
                                                                                           upper=False),
                                                   "numpy >=1.23.5,<2.3" if vkey(v) >= vkey("1.13")
                                                   else "numpy >=1.21,<1.28"])
    pandas = [("1.5.3", pys_between("3.9", "3.11")), ("2.0.3", pys_between("3.9", "3.11")),
              ("2.1.4", pys_between("3.9", "3.12")), ("2.2.2", pys_between("3.9", "3.12")),
              ("2.2.3", pys_between("3.10", "3.13"))]
    add_pyext(ch, "pandas", pandas,
              lambda v, py, era, var: ["numpy >=1.22.4" + (",<2.0a0" if vkey(v) < vkey("2.2.2") else ""),
                                       "python-dateutil >=2.8.1", "python-tzdata >=2022a", "pytz >=2020.1"])
    sklearn = [("1.2.2", pys_between("3.9", "3.11")), ("1.3.2", pys_between("3.9", "3.12")),
               ("1.4.2", pys_between("3.9", "3.12")), ("1.5.1", pys_between("3.9", "3.12")),
               ("1.5.2", pys_between("3.9", "3.13"))]
    add_pyext(ch, "scikit-learn", sklearn,
              lambda v, py, era, var: ["_openmp_mutex >=4.5", ch.pin("joblib", era, upper=False), "scipy",
                                       "numpy >=1.19,<3" if vkey(v) >= vkey("1.5") else "numpy >=1.21,<2",
                                       ch.pin("threadpoolctl", era, upper=False)])
    markupsafe = [("2.1.3", pys_between("3.9", "3.12")), ("2.1.5", pys_between("3.9", "3.12")),
                  ("3.0.2", pys_between("3.9", "3.13"))]
    add_pyext(ch, "markupsafe", markupsafe, lambda v, py, era, var: [], constrains_fn=lambda v, py, var:
              ["jinja2 >=3.0.0"])
    gmpy2 = [("2.1.2", pys_between("3.9", "3.12")), ("2.1.5", pys_between("3.9", "3.13"))]
    add_pyext(ch, "gmpy2", gmpy2, lambda v, py, era, var: ["gmp >=6.3.0,<7.0a0", "mpc >=1.3.1,<2.0a0",
                                                            "mpfr >=4.2.1,<5.0a0"])
    for name, v, deps in (("gmp", "6.3.0", []), ("mpfr", "4.2.1", ["gmp >=6.3.0,<7.0a0"]),
                          ("mpc", "1.3.1", ["gmp >=6.3.0,<7.0a0", "mpfr >=4.2.1,<5.0a0"])):
        ch.add(name, v, f"{ch.h(name, v)}_2", 2, ["libgcc-ng >=12"] + deps)


def add_cuda(ch):
    # cuda-version pins the toolkit line and asks the driver for at least that CUDA.
    for i, minor in enumerate(["11.8"] + CUDA_MINORS):
        ch.add("cuda-version", minor, "h7b7ffb5_3", 3, [],
               constrains=[f"__cuda >={minor}", f"cudatoolkit {minor}|{minor}.*"], noarch="generic",
               era=i / 4)
    ch.versions["cuda-version"] = ["11.8"] + CUDA_MINORS
    ch.add("cudatoolkit", "11.8.0", "h4ba93d1_13", 13,
           ["__glibc >=2.17,<3.0.a0", "libgcc-ng >=12", "libstdcxx-ng >=12", "cuda-version 11.8.*"], era=0.3)
    for name, versions in CUDA_LIBS.items():
        ch.versions[name] = versions
        for i, v in enumerate(versions):
            minor = CUDA_MINORS[i]
            depends = ["libgcc-ng >=12", "libstdcxx-ng >=12",
                       f"cuda-version >={minor},<{minor.split('.')[0]}.{int(minor.split('.')[1]) + 1}.0a0"]
            depends += [f"{d} >={CUDA_LIBS[d][i] if d in CUDA_LIBS else NOARCH[d][0][i][0]}" for d in
                        CUDA_LIB_DEPS.get(name, [])]
            if name == "cuda-cudart":
                depends[-1] = f"cuda-cudart_linux-64 {v}"
            ch.add(name, v, f"{ch.h(name, v)}_0", 0, depends, era=i / 3)
    for v, cuda, era in (("8.9.7.29", "11.8", 0.3), ("8.9.7.29", "12.0", 0.4), ("9.3.0.75", "12.0", 0.9),
                         ("9.3.0.75", "12.6", 1.0)):
        tag = cuda.replace(".", "")
        nxt = "12.0a0" if cuda == "11.8" else "13.0a0"
        deps = ["libgcc-ng >=12", "libstdcxx-ng >=12", "libzlib >=1.3.1,<2.0a0", f"cuda-version >={cuda},<{nxt}"]
        if cuda != "11.8":
            deps += ["cuda-nvrtc", "libcublas"]
        ch.add("cudnn", v, f"{ch.h('cudnn', v, cuda)}_{tag}", 0, deps, era=era)
    for v, cuda, era in (("2.18.3.1", "11.8", 0.3), ("2.18.3.1", "12.0", 0.35), ("2.23.4.1", "12.0", 0.9),
                         ("2.23.4.1", "12.6", 1.0)):
        nxt = "12.0a0" if cuda == "11.8" else "13.0a0"
        ch.add("nccl", v, f"{ch.h('nccl', v, cuda)}_{cuda.replace('.', '')}", 0,
               ["libgcc-ng >=12", "libstdcxx-ng >=12", f"cuda-version >={cuda},<{nxt}"], era=era)
    ch.add("pytorch-mutex", "1.0", "cuda", 100, [], era=0.0)
    ch.add("pytorch-mutex", "1.0", "cpu", 100, [], track_features="pytorch-cpu", era=0.0)
    ch.add("cpuonly", "2.0", "0", 0, ["pytorch-mutex 1.0 cpu"], noarch="generic", era=0.5)


def add_pytorch(ch, filler_deps):
    versions = [("1.13.1", pys_between("3.9", "3.11")), ("2.0.0", pys_between("3.9", "3.11")),
                ("2.1.2", pys_between("3.9", "3.11")), ("2.3.1", pys_between("3.9", "3.12")),
                ("2.4.1", pys_between("3.9", "3.12")), ("2.5.1", pys_between("3.9", "3.12"))]

    def deps(v, py, era, variant):
        new = vkey(v) >= vkey("2.3")
        out = ["filelock", "fsspec", "jinja2", "networkx", "sympy >=1.13.1" if new else "sympy",
               "typing_extensions >=4.8.0", "numpy >=1.19,<3" if new else "numpy >=1.21,<2",
               ch.pin("libprotobuf", era, form="series"), ch.pin("libabseil", era),
               ch.pin("sleef", era, upper=False), ch.pin("libuv", era), "_openmp_mutex >=4.5"]
        out += [ch.pin(name, era, upper=False) for name in filler_deps]
        if variant.startswith("cuda"):
            out += ["pytorch-mutex 1.0 cuda", "__cuda", "mkl >=2023.2.0,<2025.0a0", "libblas * *mkl"]
            if variant == "cuda118":
                out += ["cudatoolkit >=11.8,<12", "cuda-version >=11.8,<12", "cudnn >=8.8.0.121,<9.0a0",
                        "nccl >=2.18.3.1,<3.0a0"]
            else:
                out += ["cuda-version >=12.0,<13", "cuda-cudart >=12.0.107,<13.0a0", "cuda-nvrtc >=12.0.76,<13.0a0",
                        "cuda-nvtx >=12.0.76,<13.0a0", "libcublas >=12.0.2.224,<13.0a0",
                        "libcufft >=11.0.0.21,<12.0a0", "libcurand >=10.3.1.50,<11.0a0",
                        "libcusolver >=11.4.2.57,<12.0a0", "libcusparse >=12.0.0.76,<13.0a0",
                        "nccl >=2.18.3.1,<3.0a0",
                        "cudnn >=9.3.0.75,<10.0a0" if new else "cudnn >=8.9.7.29,<9.0a0"]
        elif variant == "cpu_mkl":
            out += ["pytorch-mutex 1.0 cpu", "mkl >=2023.2.0,<2025.0a0", "libblas * *mkl", "libcblas * *mkl"]
        else:
            out += ["pytorch-mutex 1.0 cpu"] + BLAS_DEPS
        return out

    def has_variant(v, py, variant):
        if variant == "cuda118":
            return vkey(v) <= vkey("2.3.1")
        if variant == "cuda120":
            return vkey(v) >= vkey("2.1.2")
        return True

    add_pyext(ch, "pytorch", versions, deps, builds=("cuda120", "cuda118", "cpu_mkl", "cpu_generic"),
              extra_fn=has_variant)


def add_matplotlib(ch):
    add_pyext(ch, "kiwisolver", [("1.4.5", pys_between("3.9", "3.12")), ("1.4.7", pys_between("3.9", "3.13"))],
              lambda v, py, era, var: [])
    add_pyext(ch, "contourpy", [("1.1.1", pys_between("3.9", "3.12")), ("1.2.1", pys_between("3.9", "3.12")),
                                ("1.3.0", pys_between("3.10", "3.13"))],
              lambda v, py, era, var: ["numpy >=1.23" if vkey(v) >= vkey("1.2") else "numpy >=1.16,<2"])
    add_pyext(ch, "brotli-python", [("1.0.9", pys_between("3.9", "3.11")), ("1.1.0", pys_between("3.9", "3.13"))],
              lambda v, py, era, var: [f"libbrotlicommon {v}"])
    add_pyext(ch, "unicodedata2", [("15.1.0", pys_between("3.9", "3.13"))], lambda v, py, era, var: [])
    add_pyext(ch, "fonttools", [("4.47.2", pys_between("3.9", "3.12")), ("4.53.1", pys_between("3.9", "3.12")),
                                ("4.54.1", pys_between("3.9", "3.13"))],
              lambda v, py, era, var: ["brotli-python", "munkres", "unicodedata2 >=14.0.0"])
    add_pyext(ch, "pillow", [("9.5.0", pys_between("3.9", "3.11")), ("10.3.0", pys_between("3.9", "3.12")),
                             ("10.4.0", pys_between("3.9", "3.13")), ("11.0.0", pys_between("3.9", "3.13"))],
              lambda v, py, era, var: [ch.pin(d, era) for d in ("freetype", "lcms2", "libjpeg-turbo", "libtiff",
                                                                "libwebp-base", "libxcb", "libzlib", "openjpeg",
                                                                "tk")])
    add_pyext(ch, "tornado", [("6.3.3", pys_between("3.9", "3.12")), ("6.4.1", pys_between("3.9", "3.13"))],
              lambda v, py, era, var: [])
    add_pyext(ch, "sip", [("6.7.12", pys_between("3.9", "3.12")), ("6.8.6", pys_between("3.9", "3.13"))],
              lambda v, py, era, var: ["packaging", "ply", "tomli"])
    add_pyext(ch, "pyqt5-sip", [("12.12.2", pys_between("3.9", "3.12")), ("12.15.0", pys_between("3.9", "3.13"))],
              lambda v, py, era, var: ["packaging", "sip", "toml"])
    add_pyext(ch, "pyqt", [("5.15.9", pys_between("3.9", "3.12")), ("5.15.11", pys_between("3.9", "3.13"))],
              lambda v, py, era, var: [ch.pin("qt-main", era), "pyqt5-sip " + ("12.12.2" if era < 1 else "12.15.0"),
                                       "sip >=6.7,<6.9"])
    for name, v in (("ply", "3.11"), ("tomli", "2.0.1"), ("toml", "0.10.2")):
        ch.add(name, v, "pyhd8ed1ab_0", 0, ["python >=3.7"], noarch="python", era=0.5)
    mpl = [("3.7.3", pys_between("3.9", "3.12")), ("3.8.4", pys_between("3.9", "3.12")),
           ("3.9.2", pys_between("3.9", "3.13"))]

    def base_deps(v, py, era, var):
        return [ch.pin("contourpy", era, upper=False), "cycler >=0.10", ch.pin("fonttools", era, upper=False),
                ch.pin("freetype", era), ch.pin("kiwisolver", era, upper=False),
                "numpy >=1.23" if era > 0.5 else "numpy >=1.21,<2", "packaging >=20.0", "pillow >=8",
                "pyparsing >=2.3.1", "python-dateutil >=2.7", "qhull >=2020.2,<2020.3.0a0", ch.pin("tk", era)]
    add_pyext(ch, "matplotlib-base", mpl, base_deps)

    def meta_deps(v, py, era, var):
        major, minor, patch = v.split(".")
        return [f"matplotlib-base >={v},<{major}.{minor}.{int(patch) + 1}.0a0", "pyqt >=5.10", "tornado >=5"]
    add_pyext(ch, "matplotlib", mpl, meta_deps)


# ---------------------------------------------------------------------------------------------
# Filler


def next_version(rng, version):
    parts = [int(p) for p in version.split(".")]
    roll = rng.random()
    if roll < 0.6:
        parts[2] += 1
    elif roll < 0.92:
        parts[1] += 1
        parts[2] = 0
    else:
        parts[0] += 1
        parts[1] = parts[2] = 0
    return ".".join(map(str, parts))


# Core names a filler package never pins to one `X.Y.*` series.
CORE_NO_SERIES = {"openssl", "libprotobuf", "icu"}


def add_filler(ch, rng, names, budget):
    """~budget records over `names` in layers (see the module doc)."""
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(names))]
    rng.shuffle(weights)
    counts = [0] * len(names)
    for index in rng.choices(range(len(names)), weights=weights, k=budget):
        counts[index] += 1
    order = sorted(range(len(names)), key=lambda i: -counts[i])
    level = {}
    for rank, index in enumerate(order):
        level[names[index]] = 0 if rank < 400 else 1 if rank < 2400 else 2 if rank < 8400 else 3
    kind = {}
    for index, name in enumerate(names):
        count = max(1, counts[index])
        roll = rng.random()
        k = "noarch" if roll < 0.27 else "pyext" if roll < 0.57 else "clib"
        if name.startswith("r-"):
            k = "clib"
        kind[name] = k
        per_version = 3.6 if k == "pyext" else 1.3 if k == "clib" else 1.0
        n = max(1, round(count / per_version))
        version = f"{rng.randint(0, 3)}.{rng.randint(0, 20)}.{rng.randint(0, 5)}"
        versions = []
        for _ in range(n):
            versions.append(version)
            version = next_version(rng, version)
        ch.versions[name] = versions
    # Per-name dependencies: lower layers only, weighted by popularity; python kinds may use
    # anything below, C libraries only C libraries.
    by_level = {lv: [] for lv in range(4)}
    for name in names:
        by_level[level[name]].append(name)
    pop = {name: counts[i] + 1 for i, name in enumerate(names)}
    lower = {}
    for lv in range(1, 4):
        pool = [n for l2 in range(lv) for n in by_level[l2]]
        lower[lv] = (pool, [pop[n] ** 1.5 for n in pool])
    core_py = ["numpy", "six", "packaging", "typing_extensions", "setuptools", "python-dateutil", "pyparsing",
               "scipy", "pandas", "jinja2", "fsspec", "filelock"]
    core_c = ["libzlib", "openssl", "zstd", "xz", "libpng", "libxml2", "icu", "libabseil", "libprotobuf",
              "libiconv", "bzip2", "lz4-c"]
    deps_of = {}
    for name in names:
        lv = level[name]
        wanted = []
        if lv > 0:
            pool, w = lower[lv]
            for dep in rng.choices(pool, weights=w, k=rng.randint(1, 5)):
                if dep not in wanted and dep != name and (kind[name] != "clib" or kind[dep] == "clib"):
                    wanted.append(dep)
        core = core_c if kind[name] == "clib" else core_py + core_c[:3]
        for dep in rng.sample(core, rng.randint(0, 2)):
            if dep not in wanted:
                wanted.append(dep)
        deps_of[name] = wanted

    total = 0
    for name in names:
        versions = ch.versions[name]
        k = kind[name]
        n = len(versions)
        license = rng.choice(gen_repodata.LICENSES)
        for i, v in enumerate(versions):
            era = era_of(i, n)
            if total >= budget and i < n - 1:
                continue  # over budget: keep only the newest version
            depends = []
            for j, dep in enumerate(deps_of[name]):
                if era < 0.4 and j == len(deps_of[name]) - 1 and j > 0:
                    continue  # older versions had one dependency fewer
                roll = rng.random()
                form = "bare" if roll < 0.3 else "series" if roll < 0.38 and dep not in CORE_NO_SERIES else None
                depends.append(ch.pin(dep, era, upper=roll > 0.65, form=form) if dep != "openssl"
                               else f"openssl >=3.{int(era * 2)},<4.0a0")
            if k == "noarch":
                depends.insert(0, f"python >={['3.8', '3.9', '3.9', '3.10'][min(3, int(era * 4))]}")
                ch.add(name, v, f"pyhd8ed1ab_{i % 3}", i % 3, depends, noarch="python", era=era, license=license)
                total += 1
            elif k == "pyext":
                lo = 9 if era < 0.5 else 10
                hi = 11 if era < 0.3 else 12 if (era < 0.8 or rng.random() < 0.3) else 13
                for minor in range(lo, hi + 1):
                    py = f"3.{minor}"
                    tag = py.replace(".", "")
                    ch.add(name, v, f"py{tag}{ch.h(name, v, py)}_0", 0,
                           [f"libgcc-ng >={gcc_floor(era)}"] + py_pins(py) + depends, era=era, license=license)
                    total += 1
            else:
                for bn in ((0, 1) if rng.random() < 0.3 else (0,)):
                    ch.add(name, v, f"{ch.h(name, v, bn)}_{bn}", bn,
                           [f"libgcc-ng >={gcc_floor(era)}", f"libstdcxx-ng >={gcc_floor(era)}"] + depends,
                           era=era, license=license, legacy=rng.random() < 0.2)
                    total += 1
    return kind, level, deps_of


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="the channel folder to write (linux-64/ and noarch/ inside)")
    parser.add_argument("--records", type=int, default=300_000, help="records in all, at least (default 300000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--indent", action="store_true", help="indent=2 like conda-index (default: compact)")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    ch = Channel(args.seed)
    add_gcc(ch)
    add_c_libs(ch)
    add_python(ch)
    add_noarch(ch)
    add_blas(ch)
    add_numeric(ch)
    add_cuda(ch)
    add_matplotlib(ch)
    core = set(ch.versions) | {"pytorch", "libgomp", "libgcc", "libstdcxx", "python_abi", "blas", "cpuonly",
                               "pytorch-mutex", "liblapacke", "openmp_impl", "numpy-base", "libgcc-ng"}
    names = [n for n in gen_repodata.make_names(rng, 25_500) if n not in core][:25_000]
    budget = max(0, args.records - ch.count + 8_000)  # the per-name estimates fall a little short
    kind, level, _ = add_filler(ch, rng, names, budget)
    # pytorch's own dependencies on filler: python packages of the middle layers with a long
    # history (so that older pythons find a version too).
    candidates = [n for n in names if kind[n] != "clib" and level[n] == 1 and len(ch.versions[n]) >= 6]
    filler_deps = sorted(rng.sample(candidates, 4))
    add_pytorch(ch, filler_deps)
    print(f"pytorch depends on filler: {', '.join(filler_deps)}", file=sys.stderr)
    ch.write(args.out, args.indent)
    print(f"{args.out}: {ch.count} records, {len(ch.versions)} names", file=sys.stderr)


if __name__ == "__main__":
    main()
