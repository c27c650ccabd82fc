#!/usr/bin/env python3
"""Build a small PEP 503 index (wheels + sdists made here) for the real pip logs.

usage: build_index.py DIR      -> DIR/simple/<name>/index.html, DIR/files/*
"""
import base64, hashlib, io, os, sys, tarfile, zipfile, textwrap

root = sys.argv[1]
files = os.path.join(root, "files")
os.makedirs(files, exist_ok=True)
index = {}   # name -> list of (filename, requires_python_attr)


def rec_hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def wheel(name, version, requires=(), requires_python=None, attr_rp=True, body="", extra_size=0):
    mod = name.replace("-", "_")
    dist = f"{mod}-{version}"
    meta = [f"Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}",
            f"Summary: {name} test package"]
    if requires_python:
        meta.append(f"Requires-Python: {requires_python}")
    meta += [f"Requires-Dist: {r}" for r in requires]
    entries = {
        f"{mod}/__init__.py": (body or f'__version__ = "{version}"\n').encode(),
        f"{dist}.dist-info/METADATA": ("\n".join(meta) + "\n").encode(),
        f"{dist}.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: envsmith-corpus\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    if extra_size:
        entries[f"{mod}/blob.bin"] = os.urandom(extra_size)
    rec = "".join(f"{p},{rec_hash(d)},{len(d)}\n" for p, d in entries.items())
    rec += f"{dist}.dist-info/RECORD,,\n"
    fn = f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(files, fn), "w", zipfile.ZIP_STORED) as z:
        for p, d in entries.items():
            z.writestr(p, d)
        z.writestr(f"{dist}.dist-info/RECORD", rec)
    index.setdefault(name, []).append((fn, requires_python if attr_rp else None))


def sdist(name, version, files_map, pyproject=None):
    base = f"{name.replace('-', '_')}-{version}"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        m = dict(files_map)
        m["PKG-INFO"] = f"Metadata-Version: 1.1\nName: {name}\nVersion: {version}\n"
        if pyproject:
            m["pyproject.toml"] = pyproject
        for p, d in m.items():
            data = d.encode()
            ti = tarfile.TarInfo(f"{base}/{p}")
            ti.size = len(data)
            ti.mtime = 1700000000
            t.addfile(ti, io.BytesIO(data))
    fn = f"{base}.tar.gz"
    with open(os.path.join(files, fn), "wb") as f:
        f.write(buf.getvalue())
    index.setdefault(name, []).append((fn, None))


for v in ("1.0.0", "1.1.0", "1.2.0"):
    wheel("tinyutil", v)
wheel("dataloom", "2.0.0", ["tinyutil>=1.0", "featherlog==0.3.1"])
wheel("featurekit", "0.9.0", ["dataloom>=2.0"])
wheel("tabulark", "1.0.0", ["tinyutil<1.1"])
wheel("modelserve", "1.0.0", ["tinyutil>=1.2", "tabulark>=1.0"])
wheel("quantflow", "1.0.0")
wheel("quantflow", "2.0.0", requires_python=">=3.13")
wheel("quantflow", "2.1.0", requires_python=">=3.13")
wheel("metricstore", "3.0.0", requires_python=">=3.13", attr_rp=False)
for i in range(1, 41):
    wheel("mlpipeline", f"{i}.0.0", [f"tinyutil>={1.2}", f"tabulark>=1.0"])
wheel("oldstyle", "2.0.0")
wheel("legacyx", "0.5.0", body="from distutils.version import LooseVersion\n__version__ = '0.5.0'\n")
wheel("bigmodel-assets", "1.0.0", extra_size=3 * 1024 * 1024)

SETUP_C = textwrap.dedent('''\
    from setuptools import setup, Extension
    setup(name="{name}", version="{version}",
          ext_modules=[Extension("{mod}._speedups", sources=["src/_speedups.c"]{extra})],
          packages=["{mod}"], package_dir={{"": "src"}})
    ''')
C_SRC = '#include <Python.h>\n{inc}\nstatic struct PyModuleDef m = {{PyModuleDef_HEAD_INIT, "_speedups", NULL, -1, NULL}};\nPyMODINIT_FUNC PyInit__speedups(void) {{ return PyModule_Create(&m); }}\n'
sdist("cspeedups", "0.4.0", {
    "setup.py": SETUP_C.format(name="cspeedups", version="0.4.0", mod="cspeedups", extra=""),
    "src/cspeedups/__init__.py": "",
    "src/_speedups.c": C_SRC.format(inc=""),
})
sdist("TA-Lib", "0.4.28", {
    "setup.py": SETUP_C.format(name="TA-Lib", version="0.4.28", mod="talib",
                               extra=', include_dirs=["/usr/include/ta-lib", "/usr/local/include/ta-lib"], libraries=["ta_lib"]'),
    "src/talib/__init__.py": "",
    "src/_speedups.c": C_SRC.format(inc='#include "ta-lib/ta_defs.h"\n#include "ta-lib/ta_common.h"'),
})
sdist("legacytool", "1.0.0", {
    "setup.py": "from distutils.core import setup\nsetup(name='legacytool', version='1.0.0', py_modules=['legacytool'])\n",
    "legacytool.py": "X = 1\n",
})
sdist("needsnumpy", "0.2.0", {
    "setup.py": "import numpy\nfrom setuptools import setup\nsetup(name='needsnumpy', version='0.2.0', include_dirs=[numpy.get_include()])\n",
})
sdist("fastmathx", "1.3.2", {
    "setup.py": SETUP_C.format(name="fastmathx", version="1.3.2", mod="fastmathx", extra=""),
    "src/fastmathx/__init__.py": "",
    "src/_speedups.c": C_SRC.format(inc="static int broken(int x) { return x * 2 }\nstatic long count_items(PyObject *o) { return PyLong_AsLong(o) }"),
})
sdist("winonlytool", "0.9.1", {
    "setup.py": "import sys\nfrom setuptools import setup\nif sys.platform != 'win32':\n    raise RuntimeError('winonlytool can only be built on Windows (pywin32 extensions)')\nsetup(name='winonlytool', version='0.9.1')\n",
})
for name in ("setuptools-66.1.1-py3-none-any.whl", "wheel-0.38.4-py3-none-any.whl"):
    src = f"/usr/share/python-wheels/{name}"
    if os.path.exists(src):
        with open(src, "rb") as a, open(os.path.join(files, name), "wb") as b:
            b.write(a.read())
        index.setdefault(name.split("-")[0], []).append((name, ">=3.7"))

os.makedirs(os.path.join(root, "simple"), exist_ok=True)
links = []
for name in sorted(index):
    norm = name.lower().replace("_", "-").replace(".", "-")
    d = os.path.join(root, "simple", norm)
    os.makedirs(d, exist_ok=True)
    rows = []
    for fn, rp in index[name]:
        h = hashlib.sha256(open(os.path.join(files, fn), "rb").read()).hexdigest()
        attr = f' data-requires-python="{rp.replace(">", "&gt;").replace("<", "&lt;")}"' if rp else ""
        rows.append(f'    <a href="/files/{fn}#sha256={h}"{attr}>{fn}</a><br/>')
    with open(os.path.join(d, "index.html"), "w") as f:
        f.write(f"<!DOCTYPE html>\n<html>\n  <head><title>Links for {norm}</title></head>\n  <body>\n    <h1>Links for {norm}</h1>\n" + "\n".join(rows) + "\n  </body>\n</html>\n")
    links.append(f'<a href="/simple/{norm}/">{norm}</a>')
with open(os.path.join(root, "simple", "index.html"), "w") as f:
    f.write("<!DOCTYPE html>\n<html><body>\n" + "\n".join(links) + "\n</body></html>\n")
print("index at", root, len(index), "projects")
