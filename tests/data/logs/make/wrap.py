#!/usr/bin/env python3
"""Wrap a real tool transcript the way it shows up inside real build logs.

wrap.py STYLE [options] RAW [RAW_ERR]   (writes to stdout)
  STYLE: plain | docker | buildkit | buildkit-old | azureml | azureml-acr | condaenv | gha | azureml-raw | azureml-acr-raw
  (-raw: RAW is the whole output of the conda step, not pip's)
  --cmd CMD      the RUN command (default: pip install -r requirements.txt)
  --rc N         exit code of the step (default 1)
  --image IMG    FROM image of the Dockerfile
  --seed S       seed for ids and timestamps
  --crlf         CRLF line endings;  --wrap80  hard-wrap at 80 columns
For azureml/condaenv, RAW is pip's stdout and RAW_ERR pip's stderr (conda runs pip as a subprocess).
"""
import argparse, datetime, hashlib, random, re, sys, textwrap

ap = argparse.ArgumentParser()
ap.add_argument("style")
ap.add_argument("raw")
ap.add_argument("raw_err", nargs="?")
ap.add_argument("--cmd", default="pip install -r requirements.txt")
ap.add_argument("--rc", type=int, default=1)
ap.add_argument("--image", default="python:3.11-slim")
ap.add_argument("--seed", default="x")
ap.add_argument("--crlf", action="store_true")
ap.add_argument("--wrap80", action="store_true")
ap.add_argument("--pyver", default="3.10")
a = ap.parse_args()
rnd = random.Random(a.seed)
hexid = lambda n: "".join(rnd.choice("0123456789abcdef") for _ in range(n))
raw = open(a.raw, encoding="utf-8", errors="replace").read().replace("\r\n", "\n").rstrip("\n").split("\n")
err = open(a.raw_err, encoding="utf-8", errors="replace").read().replace("\r\n", "\n").rstrip("\n").split("\n") if a.raw_err else []
t0 = datetime.datetime(2024, 1, 1) + datetime.timedelta(minutes=rnd.randrange(0, 60 * 24 * 300))
out = []

def docker_prelude(run_step, total):
    out.append(f"Sending build context to Docker daemon  {rnd.randrange(3, 90)}.{rnd.randrange(10, 99)}kB")
    steps = [f"FROM {a.image}", "ENV PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1", "WORKDIR /app",
             "COPY requirements.txt .", "RUN python -m pip install --upgrade pip setuptools wheel"]
    for i in range(1, run_step):
        s = steps[i - 1] if i - 1 < len(steps) else f"COPY src/ /app/src/"
        out.append(f"Step {i}/{total} : {s}")
        if i == 1:
            out.append(f" ---> {hexid(12)}")
        else:
            out.append(" ---> Using cache")
            out.append(f" ---> {hexid(12)}")
    out.append(f"Step {run_step}/{total} : RUN {a.cmd}")
    out.append(f" ---> Running in {hexid(12)}")

style = a.style
if style == "plain":
    out += raw
elif style == "docker":
    total = rnd.randrange(7, 14); step = rnd.randrange(4, total - 1)
    docker_prelude(step, total)
    out += raw
    out.append(f"The command '/bin/sh -c {a.cmd}' returned a non-zero code: {a.rc}")
elif style in ("buildkit", "buildkit-old"):
    total = rnd.randrange(6, 10); step = rnd.randrange(3, total)
    n = 1
    out.append('#0 building with "default" instance using docker driver' if style == "buildkit" else "#1 [internal] load build definition from Dockerfile")
    out += [""] if style == "buildkit" else []
    for title, body in [("[internal] load build definition from Dockerfile", ["transferring dockerfile: %dB done" % rnd.randrange(300, 900)]),
                        (f"[internal] load metadata for docker.io/library/{a.image}", []),
                        ("[internal] load .dockerignore", ["transferring context: 2B done"]),
                        (f"[1/{total}] FROM docker.io/library/{a.image}@sha256:{hexid(64)}", []),
                        ("[internal] load build context", ["transferring context: %d.%02dkB done" % (rnd.randrange(1, 40), rnd.randrange(99))])]:
        out.append(f"#{n} {title}")
        for b in body:
            out.append(f"#{n} {b}")
        out.append(f"#{n} DONE 0.{rnd.randrange(10, 99)}s" if rnd.random() < .7 else f"#{n} CACHED")
        out.append("")
        n += 1
    for s in range(2, step):
        out.append(f"#{n} [{s}/{total}] " + ["WORKDIR /app", "COPY requirements.txt .", "RUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*", "RUN python -m pip install --upgrade pip"][(s - 2) % 4])
        out.append(f"#{n} CACHED"); out.append(""); n += 1
    out.append(f"#{n} [{step}/{total}] RUN {a.cmd}")
    t = rnd.uniform(0.2, 0.6)
    for line in raw:
        t += rnd.expovariate(8)
        out.append(f"#{n} {t:.3f} {line}" if style == "buildkit" else f"#{n} {t:.2f} {line}")
    if style == "buildkit":
        out.append(f'#{n} ERROR: process "/bin/sh -c {a.cmd}" did not complete successfully: exit code: {a.rc}')
    else:
        out.append(f"#{n} ERROR: executor failed running [/bin/sh -c {a.cmd}]: exit code: {a.rc}")
    out.append("------")
    out.append(f" > [{step}/{total}] RUN {a.cmd}:")
    for line in raw[-10:]:
        out.append(f"{t:.3f} {line}")
    out.append("------")
    if style == "buildkit":
        ln = rnd.randrange(6, 20)
        out += [f"Dockerfile:{ln}", "--------------------", f"  {ln-1:>2} |     COPY requirements.txt .", f"  {ln:>2} | >>> RUN {a.cmd}",
                f"  {ln+1:>2} |     COPY . .", "--------------------",
                f'ERROR: failed to solve: process "/bin/sh -c {a.cmd}" did not complete successfully: exit code: {a.rc}']
    else:
        out.append(f"executor failed running [/bin/sh -c {a.cmd}]: exit code: {a.rc}")
elif style in ("azureml", "azureml-acr", "condaenv", "azureml-raw", "azureml-acr-raw"):
    raw_inner = style.endswith("-raw")
    style = style.replace("-raw", "")
    env = "azureml_" + hexid(32)
    inner = ["Collecting package metadata (repodata.json): ...working... done",
             "Solving environment: ...working... done",
             "Preparing transaction: ...working... done",
             "Verifying transaction: ...working... done",
             "Executing transaction: ...working... done",
             "Installing pip dependencies: ...working... Ran pip subprocess with arguments:",
             f"['/azureml-envs/{env}/bin/python', '-m', 'pip', 'install', '-U', '-r', '/azureml-environment-setup/condaenv.{hexid(8)}.requirements.txt', '--exists-action=b']" if style != "condaenv" else
             f"['/opt/conda/envs/train/bin/python', '-m', 'pip', 'install', '-U', '-r', '/tmp/condaenv.{hexid(8)}.requirements.txt', '--exists-action=b']",
             "Pip subprocess output:"] + raw + ["", "Pip subprocess error:"] + err + ["", "failed", "", "CondaEnvException: Pip failed", ""]
    if raw_inner:
        inner = raw
    if style == "condaenv":
        out += ["$ conda env create -f environment.yml", "Channels:", " - conda-forge", " - defaults", "Platform: linux-64"] + inner[:5]
        out += ["", "Downloading and Extracting Packages", ""] if rnd.random() < .5 else []
        out += inner[5:]
    else:
        cmd = (f'ldconfig /usr/local/cuda/lib64/stubs && conda env create -p /azureml-envs/{env} -f azureml-environment-setup/mutated_conda_dependencies.yml '
               '&& rm -rf "$HOME/.cache/pip" && conda clean -aqy && CONDA_ROOT_DIR=$(conda info --root) && rm -rf "$CONDA_ROOT_DIR/pkgs" '
               '&& find "$CONDA_ROOT_DIR" -type d -name __pycache__ -exec rm -rf {} + && ldconfig')
        acr = hexid(32)
        img = f"{acr}.azurecr.io/azureml/azureml_{hexid(32)}"
        body = [f"Logging into Docker registry: {acr}.azurecr.io", "WARNING! Using --password via the CLI is insecure. Use --password-stdin.",
                "WARNING! Your password will be stored unencrypted in /root/.docker/config.json.",
                "Configure a credential helper to remove this warning. See", "https://docs.docker.com/engine/reference/commandline/login/#credentials-store", "",
                "Login Succeeded", "", "",
                f"Running: ['docker', 'build', '-f', 'azureml-environment-setup/Dockerfile', '.', '-t', '{img}', '-t', '{img}:1']",
                f"Sending build context to Docker daemon  {rnd.randrange(60, 90)}.{rnd.randrange(10,99)}kB", ""]
        base = rnd.choice(["mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:20240908.v1", "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20240709.v1",
                           "mcr.microsoft.com/azureml/openmpi4.1.0-cuda11.8-cudnn8-ubuntu22.04:20240625.v1"])
        steps = [f"FROM {base}@sha256:{hexid(64)}", "USER root", "RUN mkdir -p $HOME/.cache", "WORKDIR /",
                 "COPY azureml-environment-setup/99brokenproxy /etc/apt/apt.conf.d/",
                 "RUN if dpkg --compare-versions `conda --version | grep -oE '[^ ]+$'` lt 4.4.11; then conda install conda==4.4.11; fi",
                 "COPY azureml-environment-setup/mutated_conda_dependencies.yml azureml-environment-setup/mutated_conda_dependencies.yml",
                 f"RUN {cmd}"]
        total = 21
        for i, s in enumerate(steps, 1):
            body.append(f"Step {i}/{total} : {s}")
            if i == 1:
                body.append(f" ---> {hexid(12)}")
            elif i < len(steps):
                body += [" ---> Using cache", f" ---> {hexid(12)}"]
            else:
                body.append(f" ---> Running in {hexid(12)}")
        body += inner
        body += [f"The command '/bin/sh -c {cmd}' returned a non-zero code: 1", "", "",
                 f"CalledProcessError(1, ['docker', 'build', '-f', 'azureml-environment-setup/Dockerfile', '.', '-t', '{img}', '-t', '{img}:1'])", "",
                 "Building docker image failed with exit code: 1", "",
                 f"Logging out of Docker registry: {acr}.azurecr.io", "Removing login credentials for https://index.docker.io/v1/", "", "",
                 "Cleaning up all outstanding Run operations, waiting 300.0 seconds", "0 items cleaning up...",
                 f"Cleanup took {rnd.random()*1e-5:.16g} seconds",
                 "Traceback (most recent call last):",
                 f'  File "/mnt/azureml/cr/j/{hexid(32)}/exe/wd/docker_utilities.py", line 276, in _docker_build_or_error',
                 "    docker_execute_function(docker_command, build_command, print_command_args=True)",
                 f'  File "/mnt/azureml/cr/j/{hexid(32)}/exe/wd/docker_utilities.py", line 42, in docker_execute_function',
                 "    return function(command, *args, **kwargs)",
                 '  File "/usr/lib/python3.8/subprocess.py", line 364, in check_call',
                 "    raise CalledProcessError(retcode, cmd)",
                 f"subprocess.CalledProcessError: Command '['docker', 'build', '-f', 'azureml-environment-setup/Dockerfile', '.', '-t', '{img}', '-t', '{img}:1']' returned non-zero exit status 1.",
                 "", "During handling of the above exception, another exception occurred:", "",
                 "Traceback (most recent call last):",
                 f'  File "/mnt/azureml/cr/j/{hexid(32)}/exe/wd/docker_utilities.py", line 291, in _docker_build_or_error',
                 '    raise Exception(error_message)',
                 "Exception: Docker image build failed with exit code: 1"]
        t = t0
        if style == "azureml":
            for line in body:
                t += datetime.timedelta(seconds=rnd.choice([0, 0, 0, 1, 2]))
                out.append(t.strftime("%Y-%m-%dT%H:%M:%S: ") + line)
        else:
            pre = ["Downloading source code...", "Finished downloading source code", "Creating Docker network: acb_default_network, driver: 'bridge'",
                   "Successfully set up Docker network: acb_default_network", "Setting up Docker configuration...", "Successfully set up Docker configuration",
                   f"Logging in to registry: {acr}.azurecr.io", f"Successfully logged into {acr}.azurecr.io",
                   "Executing step ID: acb_step_0. Timeout(sec): 5400, Working directory: '', Network: 'acb_default_network'",
                   "Scanning for dependencies...", "Successfully scanned dependencies", "Launching container with name: acb_step_0"]
            for line in pre:
                t += datetime.timedelta(seconds=rnd.choice([0, 1]))
                out.append(t.strftime("%Y/%m/%d %H:%M:%S ") + line)
            i0 = body.index(next(l for l in body if l.startswith("Sending build context")))
            i1 = body.index(next(l for l in body if l.startswith("The command ")))
            out += body[i0:i1 + 1]
            t += datetime.timedelta(minutes=rnd.randrange(2, 20))
            out.append(t.strftime("%Y/%m/%d %H:%M:%S ") + "Container failed during run: acb_step_0. No retries remaining.")
            out.append("failed to run step ID: acb_step_0: exit status 1")
            out.append("")
            out.append(f"Run ID: {rnd.choice('abcdefgh')}{rnd.choice('abcdefgh')}{rnd.randrange(1, 9)} failed after {rnd.randrange(2, 20)}m{rnd.randrange(60)}s. Error: failed to run step ID: acb_step_0: exit status 1")
elif style == "gha":
    t = t0
    def ts():
        global t
        t += datetime.timedelta(milliseconds=rnd.randrange(0, 900))
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}0Z "
    out.append(ts() + f"##[group]Run {a.cmd}")
    out.append(ts() + f"\x1b[36;1m{a.cmd}\x1b[0m")
    out.append(ts() + "shell: /usr/bin/bash -e {0}")
    out.append(ts() + "env:")
    out.append(ts() + f"  pythonLocation: /opt/hostedtoolcache/Python/{a.pyver}.14/x64")
    out.append(ts() + f"  LD_LIBRARY_PATH: /opt/hostedtoolcache/Python/{a.pyver}.14/x64/lib")
    out.append(ts() + "##[endgroup]")
    for line in raw:
        out.append(ts() + line)
    out.append(ts() + f"##[error]Process completed with exit code {a.rc}.")
else:
    sys.exit("unknown style " + style)

if a.wrap80:
    w = []
    for line in out:
        while len(line) > 80:
            w.append(line[:80]); line = line[80:]
        w.append(line)
    out = w
nl = "\r\n" if a.crlf else "\n"
sys.stdout.write(nl.join(out) + nl)
