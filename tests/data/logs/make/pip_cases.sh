#!/usr/bin/env bash
# Real pip failures against loopback indexes.  Needs: pyenv pythons 3.6/3.7/3.9/3.11/3.12/3.13
# (or adjust PYS), gcc, openssl, script(1).  Writes raw transcripts to $W/raw; emit_pip.sh wraps them.
. "$(dirname "$0")/common.sh"
PY=${PYENV_ROOT:-/root/.pyenv}/versions
python3 "$MAKE_DIR/build_index.py" "$W/pypi" > /dev/null
declare -A V=([36]=3.6.15 [37]=3.7.16 [39]=3.9.18 [311]=3.11.7 [312]=3.12.1 [313]=3.13.0)
for k in "${!V[@]}"; do [ -x "$W/venv/py$k/bin/python" ] || env -u PIP_FIND_LINKS "$PY/${V[$k]}/bin/python" -m venv "$W/venv/py$k"; done
vp() { echo "$W/venv/py$1/bin/python"; }

P=18765; IDX=http://127.0.0.1:$P/simple
start python3 "$MAKE_DIR/servers.py" static $P "$W/pypi"
start python3 "$MAKE_DIR/servers.py" slow 18766 "$W/pypi" 30
start python3 "$MAKE_DIR/servers.py" slowfirst 18767 "$W/pypi" 3
start python3 "$MAKE_DIR/servers.py" stallfile 18768 "$W/pypi" 30
start python3 "$MAKE_DIR/servers.py" reset 18769
start python3 "$MAKE_DIR/servers.py" forbidden 18770 "$W/pypi"
start python3 "$MAKE_DIR/servers.py" proxy407 18771
( cd "$W" && [ -f tls.crt ] || openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/tls.key" -out "$W/tls.crt" -days 30 -subj '/CN=pypi.internal.example' 2>/dev/null )
start python3 "$MAKE_DIR/servers.py" tls 18772 "$W/pypi" "$W/tls.crt" "$W/tls.key"
start python3 "$MAKE_DIR/servers.py" slow 18773 "$W/pypi" 0.4

pipi() { local k=$1; shift; "${CLEANENV[@]}" "$(vp "$k")" -m pip install --no-cache-dir "$@"; }
cd "$W"
H=$(sha256sum pypi/files/tinyutil-1.1.0-py3-none-any.whl | cut -d' ' -f1)
HD=$(sha256sum pypi/files/dataloom-2.0.0-py3-none-any.whl | cut -d' ' -f1)
BAD=3f2a8c1d9e0b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c
printf 'tinyutil==1.1.0 --hash=sha256:%s\n' $BAD > req-badhash.txt
printf 'tinyutil>=1.0 --hash=sha256:%s\n' $H > req-unpinned.txt
printf 'dataloom==2.0.0 --hash=sha256:%s\n' $HD > req-dephash.txt
printf 'tinyutil==1.2.0\ntabulark==1.0.0\n' > req-conflict.txt

for k in 36 37 39 311 313; do
  cap p$k-missing-pkg pipi $k --index-url $IDX azureml-inference-helperz==1.4.0
  cap p$k-missing-ver pipi $k --index-url $IDX tinyutil==9.1.0
  cap p$k-nested pipi $k --index-url $IDX featurekit==0.9.0
  cap p$k-badhash pipi $k --index-url $IDX -r req-badhash.txt
  cap p$k-unpinned pipi $k --index-url $IDX --require-hashes -r req-unpinned.txt
  cap p$k-dephash pipi $k --index-url $IDX -r req-dephash.txt
  cap p$k-conflict pipi $k --index-url $IDX -r req-conflict.txt
  cap p$k-refused pipi $k --retries 2 --index-url http://127.0.0.1:18779/simple tinyutil==1.1.0
  cap p$k-dns pipi $k --retries 2 --index-url https://pypi.invalid/simple tinyutil==1.1.0
  cap p$k-tls pipi $k --retries 1 --index-url https://127.0.0.1:18772/simple tinyutil==1.1.0
  cap p$k-timeout pipi $k --timeout 1 --retries 2 --index-url http://127.0.0.1:18766/simple tinyutil==1.1.0
  cap p$k-reset pipi $k --retries 2 --index-url http://127.0.0.1:18769/simple tinyutil==1.1.0
  cap p$k-forbidden pipi $k --index-url http://127.0.0.1:18770/simple tinyutil==1.1.0
  cap p$k-proxy-closed "${CLEANENV[@]}" HTTPS_PROXY=http://127.0.0.1:3128 HTTP_PROXY=http://127.0.0.1:3128 "$(vp $k)" -m pip install --no-cache-dir --retries 2 --index-url https://pypi.org/simple numpy==1.26.4
  cap p$k-proxy407 "${CLEANENV[@]}" HTTPS_PROXY=http://127.0.0.1:18771 "$(vp $k)" -m pip install --no-cache-dir --retries 1 --index-url https://pypi.org/simple scikit-learn==1.3.2
  cap p$k-header pipi $k --index-url $IDX TA-Lib==0.4.28
  cap p$k-cerror pipi $k --index-url $IDX fastmathx==1.3.2
  cap p$k-winonly pipi $k --index-url $IDX winonlytool==0.9.1
  cap p$k-needsnumpy pipi $k --index-url $IDX needsnumpy==0.2.0
done
for k in 39 311 312 313; do
  cap p$k-reqpy pipi $k --index-url $IDX quantflow==2.1.0
  cap p$k-reqpy-meta pipi $k --index-url $IDX metricstore==3.0.0
  cap p$k-stall pipi $k --timeout 2 --retries 1 --index-url http://127.0.0.1:18768/simple tinyutil==1.1.0
  cap p$k-retry-then-badhash pipi $k --timeout 1 --index-url http://127.0.0.1:18767/simple -r req-badhash.txt
  cap p$k-backtrack-full pipi $k --index-url $IDX mlpipeline
  cap p$k-backtrack-killed timeout -s INT 12 "${CLEANENV[@]}" "$(vp $k)" -m pip install --no-cache-dir --index-url http://127.0.0.1:18773/simple mlpipeline tinyutil==1.2.0
done
# gcc hidden from PATH: a bin dir with everything but the C compilers
NOGCC=$W/nogcc/bin; mkdir -p "$NOGCC"
for f in /usr/bin/* /bin/*; do b=$(basename "$f"); case $b in *gcc*|cc|c++|*g++*|cpp*|c89*|c99*|*-cc|x86_64-linux-gnu-*) ;; *) ln -sf "$f" "$NOGCC/$b";; esac; done
for k in 36 37 39 311 313; do
  cap p$k-nogcc env -i PATH=$NOGCC HOME=$W/home LANG=C.UTF-8 "$(vp $k)" -m pip install --no-cache-dir --index-url $IDX cspeedups==0.4.0
done
# pip colours on a terminal
captty tty311-nested "${CLEANENV[@]}" TERM=xterm-256color "$(vp 311)" -m pip install --no-cache-dir --index-url $IDX featurekit==0.9.0
captty tty313-badhash "${CLEANENV[@]}" TERM=xterm-256color "$(vp 313)" -m pip install --no-cache-dir --index-url $IDX -r req-badhash.txt
captty tty313-nogcc env -i PATH=$NOGCC HOME=$W/home LANG=C.UTF-8 TERM=xterm-256color "$(vp 313)" -m pip install --no-cache-dir --index-url $IDX cspeedups==0.4.0
captty tty311-conflict "${CLEANENV[@]}" TERM=xterm-256color "$(vp 311)" -m pip install --no-cache-dir --index-url $IDX -r req-conflict.txt
captty tty311-ok "${CLEANENV[@]}" TERM=xterm-256color "$(vp 311)" -m pip install --no-cache-dir --index-url $IDX --target "$W/t-ok" tinyutil==1.2.0 dataloom==2.0.0 --no-deps
# distutils gone in Python 3.12: a wheel importing distutils at run time
rm -rf "$W/t-legacyx"
capshow p312-distutils-import '$ python -c "import legacyx"' bash -c "'$(vp 312)' -m pip install --no-cache-dir --index-url $IDX --target '$W/t-legacyx' legacyx==0.5.0 && PYTHONPATH='$W/t-legacyx' '$(vp 312)' -c 'import legacyx'"
capshow p312-distutils-sdist '$ pip install --no-build-isolation legacytool==1.0.0' pipi 312 --index-url $IDX --no-build-isolation legacytool==1.0.0
capshow p313-distutils-dirutil '$ python -c "from distutils.dir_util import copy_tree"' "$(vp 313)" -c 'from distutils.dir_util import copy_tree'
# distutils-installed project that pip cannot uninstall
mkdir -p "$W/oldstyle-src" && cat > "$W/oldstyle-src/setup.py" <<'PYEOF'
from distutils.core import setup
setup(name="oldstyle", version="1.0.0", py_modules=["oldstyle"])
PYEOF
echo 'VERSION = "1.0.0"' > "$W/oldstyle-src/oldstyle.py"
for k in 36 37 39 311; do
  rm -rf "$W/venv/du$k"; "$PY/${V[$k]}/bin/python" -m venv "$W/venv/du$k"
  (cd "$W/oldstyle-src" && SETUPTOOLS_USE_DISTUTILS=stdlib "$W/venv/du$k/bin/python" setup.py install > "$RAW/du$k-setup.all" 2>&1)
  cap du$k-uninstall "${CLEANENV[@]}" "$W/venv/du$k/bin/python" -m pip install --no-cache-dir --index-url $IDX oldstyle==2.0.0
done
# successful installs (label none)
cap p311-ok-install pipi 311 --index-url $IDX --target "$W/t-ok2" featurekit==0.9.0 --no-deps
cap p313-ok-retry pipi 313 --timeout 1 --index-url http://127.0.0.1:18767/simple --target "$W/t-ok3" tinyutil==1.1.0
stop_all
echo done
