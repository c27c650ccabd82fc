#!/usr/bin/env python3
"""The `written` logs: texts written in the shapes the real tools print (conda, mamba, Azure ML,
docker, Spark/ivy ...), wrapped by wrap.py.  Run: python3 written.py  (rewrites them and
$ELOG_WORK/rows-written.tsv)."""
import os, subprocess, sys, tempfile
HERE = os.path.dirname(os.path.abspath(__file__))
LOGS = os.path.dirname(HERE)
WORK = os.environ.get("ELOG_WORK", "/tmp/elog")
os.makedirs(WORK, exist_ok=True)
ROWS = []


def W(rel, label, notes, style, text, err="", **opts):
    text = text.strip("\n") + "\n"
    with tempfile.NamedTemporaryFile("w", delete=False, dir=WORK, suffix=".txt") as f:
        f.write(text)
        raw = f.name
    args = [sys.executable, os.path.join(HERE, "wrap.py"), style, "--seed", rel]
    for k, v in opts.items():
        args += [f"--{k}"] if v is True else [f"--{k}", str(v)]
    args.append(raw)
    if err:
        with open(raw + ".err", "w") as g:
            g.write(err.strip("\n") + "\n")
        args.append(raw + ".err")
    out = subprocess.run(args, check=True, capture_output=True).stdout
    os.makedirs(os.path.join(LOGS, os.path.dirname(rel)), exist_ok=True)
    with open(os.path.join(LOGS, rel), "wb") as f:
        f.write(out)
    os.unlink(raw)
    ROWS.append(f"{rel}\t{label}\twritten\t{notes}")


CONDA_PRE4 = """Collecting package metadata (current_repodata.json): ...working... done
Solving environment: ...working... failed with repodata from current_repodata.json, will retry with next repodata source.
Collecting package metadata (repodata.json): ...working... done
Solving environment: ...working... failed
"""
CHANNEL_HINT = """
Current channels:

  - https://repo.anaconda.com/pkgs/main/linux-64
  - https://repo.anaconda.com/pkgs/main/noarch
  - https://repo.anaconda.com/pkgs/r/linux-64
  - https://repo.anaconda.com/pkgs/r/noarch

To search for alternate channels that may provide the conda package you're
looking for, navigate to

    https://anaconda.org

and use the search bar at the top of the page.
"""

# ---------------------------------------------------------------- conda.package_not_found
W("conda/resolvepackagenotfound-exported-builds.log", "conda.package_not_found", "env exported on Windows with build strings", "plain", """
(base) $ conda env create -f environment.yml
Collecting package metadata (repodata.json): done
Solving environment: failed

ResolvePackageNotFound: 
  - vs2015_runtime==14.27.29016=h5e58377_2
  - wincertstore==0.2=py38haa95532_2
  - vc==14.2=h21ff451_1
  - pywin32==227=py38he774522_1
  - python==3.8.5=h5fd99cc_1

""")
W("conda/packagesnotfound-conda-install-docker.log", "conda.package_not_found", "package not in default channels", "docker", """
Collecting package metadata (current_repodata.json): ...working... done
Solving environment: ...working... failed with initial frozen solve. Retrying with flexible solve.
Collecting package metadata (repodata.json): ...working... done
Solving environment: ...working... failed with initial frozen solve. Retrying with flexible solve.

PackagesNotFoundError: The following packages are not available from current channels:

  - lightgbm-gpu=3.3.5
""" + CHANNEL_HINT, cmd="conda install -y -c defaults lightgbm-gpu=3.3.5 && conda clean -afy", image="continuumio/miniconda3:4.12.0", crlf=True)
W("azureml/conda-libmamba-nothing-provides.log", "conda.package_not_found", "libmamba: requested spec does not exist", "azureml-raw", """
Channels:
 - conda-forge
 - defaults
Platform: linux-64
Collecting package metadata (repodata.json): ...working... done
Solving environment: ...working... failed

LibMambaUnsatisfiableError: Encountered problems while solving:
  - nothing provides requested azureml-mlflow 1.57.0**

Could not solve for environment specs
The following package could not be installed
└─ azureml-mlflow 1.57.0**  does not exist (perhaps a typo or a missing channel).

""")
W("conda/mamba1-nothing-provides-buildkit.log", "conda.package_not_found", "mamba 1.x nothing provides", "buildkit", """

                  __    __    __    __
                 /  \\  /  \\  /  \\  /  \\
                /    \\/    \\/    \\/    \\
███████████████/  /██/  /██/  /██/  /████████████████████████
              /  / \\   / \\   / \\   / \\  \\____
             /  /   \\_/   \\_/   \\_/   \\    o \\__,
            / _/                       \\_____/  `
            |/
        ███╗   ███╗ █████╗ ███╗   ███╗██████╗  █████╗
        ████╗ ████║██╔══██╗████╗ ████║██╔══██╗██╔══██╗
        ██╔████╔██║███████║██╔████╔██║██████╔╝███████║
        ██║╚██╔╝██║██╔══██║██║╚██╔╝██║██╔══██╗██╔══██║
        ██║ ╚═╝ ██║██║  ██║██║ ╚═╝ ██║██████╔╝██║  ██║
        ╚═╝     ╚═╝╚═╝  ╚═╝╚═╝     ╚═╝╚═════╝ ╚═╝  ╚═╝

        mamba (1.4.2) supported by @QuantStack

        GitHub:  https://github.com/mamba-org/mamba
        Twitter: https://twitter.com/QuantStack

█████████████████████████████████████████████████████████████


Looking for: ['python=3.10', 'pytorch=2.0.1', 'torchvision', 'cudatoolkit=11.8', 'pyg=2.3.1']

pytorch/linux-64                                            Using cache
pytorch/noarch                                              Using cache
conda-forge/linux-64                                        Using cache
conda-forge/noarch                                          Using cache
Encountered problems while solving:
  - nothing provides requested pyg 2.3.1**

""", cmd="mamba install -y -c pytorch -c conda-forge python=3.10 pytorch=2.0.1 torchvision cudatoolkit=11.8 pyg=2.3.1", image="condaforge/mambaforge:23.1.0-1")
W("conda/micromamba2-missing-package.log", "conda.package_not_found", "micromamba 2.x: does not exist", "plain", """
$ micromamba create -y -n serve -f env.yaml
conda-forge/noarch                                  17.4MB @   9.6MB/s  1.8s
conda-forge/linux-64                                41.9MB @  11.2MB/s  3.7s

\x1b[31merror   \x1b[0m libmamba Could not solve for environment specs
    The following packages are incompatible
    ├─ \x1b[32mpython =3.11 *\x1b[0m is requested and can be installed;
    └─ \x1b[31monnxruntime-gpu =1.18.0 *\x1b[0m does not exist (perhaps a typo or a missing channel).
\x1b[1;31mcritical\x1b[0m libmamba Could not solve for environment specs
""")

# ---------------------------------------------------------------- conda.unsatisfiable
W("conda/unsatisfiable-python-version-conda4.log", "conda.unsatisfiable", "tensorflow pin incompatible with python 3.10", "plain", """
$ conda install -y tensorflow-gpu=2.4.1
Collecting package metadata (current_repodata.json): done
Solving environment: failed with initial frozen solve. Retrying with flexible solve.
Solving environment: failed with repodata from current_repodata.json, will retry with next repodata source.
Collecting package metadata (repodata.json): done
Solving environment: failed with initial frozen solve. Retrying with flexible solve.
Solving environment: |
Found conflicts! Looking for incompatible packages.
This can take several minutes.  Press CTRL-C to abort.
failed

UnsatisfiableError: The following specifications were found
to be incompatible with the existing python installation in your environment:

Specifications:

  - tensorflow-gpu=2.4.1 -> python[version='>=3.6,<3.7.0a0|>=3.7,<3.8.0a0|>=3.8,<3.9.0a0']

Your python: python=3.10

If python is on the left-most side of the chain, that's the version you've asked for.
When python appears to the right, that indicates that the thing on the left is somehow
not available for the python version you are constrained to. Note that conda will not
change your python version to a different minor version unless you explicitly specify
that.

""")
W("azureml/conda-libmamba-incompatible.log", "conda.unsatisfiable", "libmamba conflict between pins", "azureml-raw", """
Channels:
 - conda-forge
Platform: linux-64
Collecting package metadata (repodata.json): ...working... done
Solving environment: ...working... failed

LibMambaUnsatisfiableError: Encountered problems while solving:
  - package scikit-learn-1.0.2-py38h1561384_0 requires python >=3.8,<3.9.0a0, but none of the providers can be installed

Could not solve for environment specs
The following packages are incompatible
├─ python 3.11**  is installable with the potential options
│  ├─ python [3.11.0|3.11.1|...|3.11.9] would require
│  │  └─ python_abi 3.11.* *_cp311, which can be installed;
│  └─ python 3.11.0 would require
│     └─ python_abi 3.11.* *_cp311, which can be installed;
└─ scikit-learn 1.0.2**  is not installable because there are no viable options
   ├─ scikit-learn 1.0.2 would require
   │  └─ python >=3.10,<3.11.0a0 , which conflicts with any installable versions previously reported;
   ├─ scikit-learn 1.0.2 would require
   │  └─ python >=3.8,<3.9.0a0 , which conflicts with any installable versions previously reported;
   └─ scikit-learn 1.0.2 would require
      └─ python >=3.9,<3.10.0a0 , which conflicts with any installable versions previously reported.

""")
W("conda/mamba1-conflict-providers.log", "conda.unsatisfiable", "mamba 1.x: none of the providers can be installed", "docker", """

Looking for: ['python=3.8', 'tensorflow=2.12', 'numpy=1.19']

conda-forge/linux-64                                        Using cache
conda-forge/noarch                                          Using cache
Encountered problems while solving:
  - package tensorflow-2.12.0-cpu_py38h66f0ec1_0 requires numpy >=1.22.4,<2.0a0, but none of the providers can be installed

""", cmd="mamba install -y -n base -c conda-forge python=3.8 tensorflow=2.12 numpy=1.19", image="mambaorg/micromamba:1.4.9", crlf=True)
W("azureml/conda-found-conflicts-classic.log", "conda.unsatisfiable", "classic solver Found conflicts, long report, wrapped at 80 columns", "azureml-acr-raw", CONDA_PRE4.replace("failed\n", "failed with initial frozen solve. Retrying with flexible solve.\nFound conflicts! Looking for incompatible packages.\nThis can take several minutes.  Press CTRL-C to abort.\n...working... failed\n") + """
UnsatisfiableError: The following specifications were found to be incompatible with each other:

Output in format: Requested package -> Available versions

Package _libgcc_mutex conflicts for:
numpy=1.16.2 -> libgcc-ng[version='>=7.3.0'] -> _libgcc_mutex[version='*|0.1',build=main]
pandas=1.3.5 -> libgcc-ng[version='>=7.5.0'] -> _libgcc_mutex[version='*|0.1',build=main]
python=3.8.12 -> libgcc-ng[version='>=7.5.0'] -> _libgcc_mutex[version='*|0.1',build=main]

Package numpy conflicts for:
pandas=1.3.5 -> numpy[version='>=1.17.3|>=1.19.2,<2.0a0']
numpy=1.16.2
scikit-learn=1.0.2 -> numpy[version='>=1.16.6,<2.0a0|>=1.17.3,<2.0a0|>=1.19.2,<2.0a0']
scikit-learn=1.0.2 -> scipy[version='>=0.19.1'] -> numpy[version='>=1.16.5,<1.23.0|>=1.19.5,<2.0a0|>=1.21.6,<1.28']

Package python conflicts for:
numpy=1.16.2 -> python[version='>=2.7,<2.8.0a0|>=3.6,<3.7.0a0|>=3.7,<3.8.0a0']
python=3.8.12
pandas=1.3.5 -> python[version='>=3.7,<3.8.0a0|>=3.8,<3.9.0a0|>=3.9,<3.10.0a0']The following specifications were found to be incompatible with your system:

  - feature:/linux-64::__glibc==2.31=0
  - python=3.8.12 -> libgcc-ng[version='>=7.5.0'] -> __glibc[version='>=2.17']

Your installed version is: 2.31

""", wrap80=True)

# ---------------------------------------------------------------- conda.virtual_package_missing
W("conda/virtual-package-cuda-classic.log", "conda.virtual_package_missing", "__cuda missing on CPU build agent", "docker", CONDA_PRE4.replace("failed\n", "failed with initial frozen solve. Retrying with flexible solve.\nFound conflicts! Looking for incompatible packages.\nThis can take several minutes.  Press CTRL-C to abort.\nfailed\n") + """
UnsatisfiableError: The following specifications were found to be incompatible with your system:

  - feature:|@/linux-64::__glibc==2.35=0
  - pytorch==2.1.2=py3.10_cuda12.1_cudnn8.9.2_0 -> __cuda[version='>=12.1']
  - pytorch-cuda=12.1 -> __cuda[version='>=12.1']

Your installed version is: not available

""", cmd="conda env create -f environment.yml", image="continuumio/miniconda3:23.3.1-0")
W("conda/virtual-package-glibc-libmamba.log", "conda.virtual_package_missing", "__glibc too old for the package", "plain", """
$ conda env create -f environment.yml
Channels:
 - conda-forge
Platform: linux-64
Collecting package metadata (repodata.json): done
Solving environment: failed

LibMambaUnsatisfiableError: Encountered problems while solving:
  - package polars-1.9.0-py39h2f5e9d8_0 requires __glibc >=2.28,<3.0.a0, but none of the providers can be installed

Could not solve for environment specs
The following packages are incompatible
├─ __glibc 2.17 is requested and can be installed;
└─ polars 1.9.0**  is not installable because it requires
   └─ __glibc >=2.28,<3.0.a0 , which conflicts with any installable versions previously reported.

""")
W("azureml/conda-virtual-package-cuda-micromamba.log", "conda.virtual_package_missing", "__cuda missing on system (CPU image)", "azureml-raw", """
conda-forge/noarch                                  16.8MB @   8.1MB/s  2.1s
nvidia/linux-64                                      1.2MB @   2.0MB/s  0.6s
conda-forge/linux-64                                39.6MB @   9.4MB/s  4.2s
pytorch/linux-64                                     2.4MB @   1.8MB/s  1.3s
error    libmamba Could not solve for environment specs
    The following package could not be installed
    └─ pytorch-cuda =12.1 * is not installable because it requires
       └─ __cuda, which is missing on the system.
critical libmamba Could not solve for environment specs
""")

# ---------------------------------------------------------------- conda.channel_unavailable
W("conda/condahttperror-404-private-channel.log", "conda.channel_unavailable", "private channel URL has no noarch", "plain", """
$ conda env create -f env.yml
Collecting package metadata (repodata.json): failed

CondaHTTPError: HTTP 404 NOT FOUND for url <https://conda.anaconda.org/contoso-ml/noarch/repodata.json>
Elapsed: 00:00.214312

The remote server could not find the noarch directory for the
requested channel with url: https://conda.anaconda.org/contoso-ml

As of conda 4.3, a valid channel must contain a `noarch/repodata.json` and
associated `noarch/repodata.json.bz2` file, even if `noarch/repodata.json` is
empty. please request that the channel administrator create
`noarch/repodata.json` and associated `noarch/repodata.json.bz2` files.
$ mkdir noarch
$ echo '{}' > noarch/repodata.json
$ bzip2 -k noarch/repodata.json

You will need to adjust your conda configuration to proceed.
Use `conda config --show channels` to view your configuration's current state.
Further configuration help can be found at <https://conda.io/docs/config.html>.

""")
W("azureml/conda-unavailable-invalid-channel.log", "conda.channel_unavailable", "channel typo in conda file", "azureml-raw", """
Collecting package metadata (repodata.json): ...working... failed

UnavailableInvalidChannel: HTTP 404 NOT FOUND for channel pytorch-nightly-cu121 <https://conda.anaconda.org/pytorch-nightly-cu121>

The channel is not accessible or is invalid.

You will need to adjust your conda configuration to proceed.
Use `conda config --show channels` to view your configuration's current state,
and use `conda config --show-sources` to view config file locations.

""")
W("conda/condahttperror-403-defaults.log", "network.forbidden", "403 from repo.anaconda.com for defaults; relabelled once the catalogue got network.forbidden (the channel finding is its consequence)", "buildkit", """
Collecting package metadata (current_repodata.json): ...working... failed

CondaHTTPError: HTTP 403 FORBIDDEN for url <https://repo.anaconda.com/pkgs/main/linux-64/current_repodata.json>
Elapsed: 00:00.061924

An HTTP error occurred when trying to retrieve this URL.
HTTP errors are often intermittent, and a simple retry will get you on your way.
'https://repo.anaconda.com/pkgs/main/linux-64'

""", cmd="conda env update -n base -f environment.yml", image="continuumio/miniconda3:4.10.3")

# ---------------------------------------------------------------- conda.clobber
W("conda/clobbererror-opencv.log", "conda.clobber", "two opencv packages write the same file", "plain", """
$ conda env create -f environment.yml
Collecting package metadata (repodata.json): done
Solving environment: done

Downloading and Extracting Packages
libopencv-4.6.0      | 28.1 MB   | ########## | 100%
py-opencv-4.6.0      | 1.1 MB    | ########## | 100%
opencv-python-headless-4.7.0.72 | 47.2 MB | ########## | 100%
Preparing transaction: done
Verifying transaction: failed

ClobberError: This transaction has incompatible packages due to a shared path.
  packages: conda-forge/linux-64::py-opencv-4.6.0-py310hfdc917e_2, conda-forge/linux-64::opencv-python-headless-4.7.0.72-py310h5a9c6f6_0
  path: 'lib/python3.10/site-packages/cv2/__init__.py'


ClobberError: This transaction has incompatible packages due to a shared path.
  packages: conda-forge/linux-64::py-opencv-4.6.0-py310hfdc917e_2, conda-forge/linux-64::opencv-python-headless-4.7.0.72-py310h5a9c6f6_0
  path: 'lib/python3.10/site-packages/cv2/config.py'


""")
W("azureml/conda-clobbererror.log", "conda.clobber", "path collision between cudatoolkit builds", "azureml-raw", """
Collecting package metadata (repodata.json): ...working... done
Solving environment: ...working... done
Preparing transaction: ...working... done
Verifying transaction: ...working... failed

ClobberError: This transaction has incompatible packages due to a shared path.
  packages: nvidia/linux-64::cuda-nvrtc-11.8.89-0, conda-forge/linux-64::cudatoolkit-11.8.0-h4ba93d1_12
  path: 'lib/libnvrtc-builtins.so.11.8'


ClobberError: This transaction has incompatible packages due to a shared path.
  packages: nvidia/linux-64::libcublas-11.11.3.6-0, conda-forge/linux-64::cudatoolkit-11.8.0-h4ba93d1_12
  path: 'lib/libcublasLt.so.11'


""")
W("conda/clobber-path-collision-conda4.log", "conda.clobber", "path collision with an installed package (conda 4.x wording)", "docker", """
Collecting package metadata (current_repodata.json): ...working... done
Solving environment: ...working... done

## Package Plan ##

  environment location: /opt/conda

  added / updated specs:
    - jupyterlab=3.6.3


Preparing transaction: ...working... done
Verifying transaction: ...working... failed

ClobberError: The package 'conda-forge/noarch::jupyterlab_server-2.22.1-pyhd8ed1ab_0' cannot be installed due to a
path collision for 'lib/python3.9/site-packages/jupyterlab_server/__init__.py'.
This path already exists in the target prefix, and it won't be removed by
an uninstall action in this transaction. The path appears to be coming from
the package 'pkgs/main/linux-64::jupyterlab_server-2.10.3-pyhd3eb1b0_1', which is already installed in the prefix.

If you'd like to proceed anyway, re-run the command with the `--clobber` flag.

""", cmd="conda install -y -c conda-forge jupyterlab=3.6.3", image="continuumio/anaconda3:2022.05")

# ---------------------------------------------------------------- conda.verification
W("conda/condaverificationerror-corrupted.log", "conda.verification", "package cache entry corrupted (missing file)", "plain", """
$ conda install -y pytorch=2.0.1 -c pytorch
Collecting package metadata (current_repodata.json): done
Solving environment: done
Preparing transaction: done
Verifying transaction: failed

CondaVerificationError: The package for pytorch located at /opt/conda/pkgs/pytorch-2.0.1-py3.10_cuda11.8_cudnn8.7.0_0
appears to be corrupted. The path 'lib/python3.10/site-packages/torch/lib/libtorch_cuda.so'
specified in the package manifest cannot be found.

CondaVerificationError: The package for pytorch located at /opt/conda/pkgs/pytorch-2.0.1-py3.10_cuda11.8_cudnn8.7.0_0
appears to be corrupted. The path 'lib/python3.10/site-packages/torch/lib/libtorch_cpu.so'
specified in the package manifest cannot be found.

""")
W("azureml/conda-verification-incorrect-size.log", "conda.verification", "package file has incorrect size", "azureml-raw", """
Collecting package metadata (repodata.json): ...working... done
Solving environment: ...working... done
Preparing transaction: ...working... done
Verifying transaction: ...working... failed

CondaVerificationError: The package for mkl located at /opt/miniconda/pkgs/mkl-2023.1.0-h213fc3f_46344
appears to be corrupted. The path 'lib/libmkl_avx512.so.2'
has an incorrect size.
  reported size: 68178728 bytes
  actual size: 41943040 bytes

""")
W("conda/checksum-mismatch-download.log", "conda.verification", "downloaded package fails its sha256", "buildkit", """
Collecting package metadata (repodata.json): ...working... done
Solving environment: ...working... done

Downloading and Extracting Packages: ...working...

ChecksumMismatchError: Conda detected a mismatch between the expected content and downloaded content
for url 'https://conda.anaconda.org/conda-forge/linux-64/libcudnn-9.1.1.17-hbc370b7_0.conda'.
  download saved to: /opt/conda/pkgs/libcudnn-9.1.1.17-hbc370b7_0.conda
  expected sha256: 4f7a9d1c3e0b2a8f6d5c4b3a2918f7e6d5c4b3a2918f7e6d5c4b3a2918f7e6d5
  actual sha256: 0b7c2e9d8f1a3c5e7d9b1f3a5c7e9d1b3f5a7c9e1d3b5f7a9c1e3d5b7f9a1c3e

""", cmd="conda env update -n base -f environment.yml && conda clean -afy", image="condaforge/miniforge3:24.3.0-0")

# ---------------------------------------------------------------- conda.lock_stale
W("azureml/conda-lock-waiting.log", "conda.lock_stale", "Azure ML builder waits on a stale conda lock", "azureml-raw", """
Collecting package metadata (repodata.json): ...working... done
Solving environment: ...working... done
Waiting for other Conda operations to finish...
Waiting for other Conda operations to finish...
Waiting for other Conda operations to finish...
Waiting for other Conda operations to finish...
Waiting for other Conda operations to finish...
Waiting for other Conda operations to finish...
Waiting for other Conda operations to finish...
Waiting for other Conda operations to finish...
Waiting for other Conda operations to finish...
Waiting for other Conda operations to finish...
Timed out waiting for other Conda operations to finish after 600 seconds.
""")
W("conda/lockerror-conda-lock-file.log", "conda.lock_stale", "conda 4.2 LOCKERROR from a leftover lock", "plain", """
$ conda install -y numpy
Fetching package metadata .........
Solving package specifications: .

Package plan for installation in environment /opt/conda:

The following packages will be UPDATED:

    numpy: 1.11.3-py36_0 --> 1.13.1-py36_0

LOCKERROR: It looks like conda is already doing something.
The lock ['/opt/conda/pkgs/.conda_lock-2431'] was found. Wait for it to finish before continuing.
If you are sure that conda is not running, remove it and try again.
You can also use: $ conda clean --lock
""")
W("azureml/conda-lock-waiting-job.log", "conda.lock_stale", "job waits for conda lock then is cancelled", "plain", """
2024-03-18T09:12:03.412Z INFO Starting environment setup for run 4f1c2a9e-0b7d-4f61-a3b2-9c8d7e6f5a4b
2024-03-18T09:12:03.415Z INFO Using cached image 9f1c2a0b7d4e.azurecr.io/azureml/azureml_3d9f0c2b4a1e8f7d6c5b4a3928171605
2024-03-18T09:12:04.002Z INFO Activating conda environment /azureml-envs/azureml_3d9f0c2b4a1e8f7d6c5b4a3928171605
2024-03-18T09:12:04.331Z INFO Installing additional pip packages into the environment
2024-03-18T09:12:06.118Z WARNING Waiting for other Conda operations to finish
2024-03-18T09:13:06.120Z WARNING Waiting for other Conda operations to finish
2024-03-18T09:14:06.125Z WARNING Waiting for other Conda operations to finish
2024-03-18T09:15:06.131Z WARNING Waiting for other Conda operations to finish
2024-03-18T09:16:06.140Z WARNING Waiting for other Conda operations to finish
2024-03-18T09:17:06.151Z ERROR Lock file /azureml-envs/azureml_3d9f0c2b4a1e8f7d6c5b4a3928171605/.conda_lock is still held; giving up
2024-03-18T09:17:06.153Z ERROR Environment setup failed: exit code 1
""")

# ---------------------------------------------------------------- conda.pip_failed (nothing more specific)
W("azureml/conda-pip-failed-invalid-requirement.log", "conda.pip_failed", "pip subprocess fails on a malformed requirement line", "azureml", """
""", err="""
ERROR: Invalid requirement: 'azureml-defaults>=1.5x' (from line 3 of /azureml-environment-setup/condaenv.k3j2h1g0.requirements.txt)
""")
W("conda/env-create-pip-failed-no-detail.log", "conda.pip_failed", "pip subprocess error section is empty", "condaenv", """
Collecting mlflow==2.9.2
  Downloading mlflow-2.9.2-py3-none-any.whl (19.1 MB)
     ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 19.1/19.1 MB 48.3 MB/s eta 0:00:00
""", err="""
""")
W("azureml/conda-pip-failed-editable.log", "conda.pip_failed", "pip cannot use a local path that is not in the build context", "azureml-acr", """
Processing ./src/featurelib
""", err="""
ERROR: Invalid requirement: './src/featurelib': Expected package name at the start of dependency specifier
    ./src/featurelib
    ^
Hint: It looks like a path. File './src/featurelib' does not exist.
""")

# ---------------------------------------------------------------- pip.not_in_conda_dependencies
NAG = ("Warning: you have pip-installed dependencies in your environment file, but you do not list pip itself as one of your conda dependencies.  "
       "Conda may not use the correct pip to install your packages, and they may end up in the wrong place.  Please add an explicit pip dependency.  "
       "I'm adding one for you, but still nagging you.")
W("conda/pip-not-listed-nag-then-import-error.log", "pip.not_in_conda_dependencies", "pip section without pip in dependencies; packages land in base", "plain", f"""
$ conda env create -f environment.yml
{NAG}
Collecting package metadata (repodata.json): done
Solving environment: done
Preparing transaction: done
Verifying transaction: done
Executing transaction: done
Installing pip dependencies: / Ran pip subprocess with arguments:
['/opt/conda/bin/pip', 'install', '-U', '-r', '/tmp/condaenv.w8x1p2z.requirements.txt']
Pip subprocess output:
Requirement already satisfied: azureml-defaults in /opt/conda/lib/python3.8/site-packages (from -r /tmp/condaenv.w8x1p2z.requirements.txt (line 1)) (1.48.0)
Successfully installed inference-schema-1.5.1

done
#
# To activate this environment, use
#
#     $ conda activate scoring
#
# To deactivate an active environment, use
#
#     $ conda deactivate

$ conda run -n scoring python score.py
Traceback (most recent call last):
  File "/app/score.py", line 4, in <module>
    from inference_schema.schema_decorators import input_schema, output_schema
ModuleNotFoundError: No module named 'inference_schema'
""")
W("azureml/pip-not-in-conda-dependencies.log", "pip.not_in_conda_dependencies", "conda file has a pip section but no pip package", "azureml-raw", f"""
{NAG}
Collecting package metadata (repodata.json): ...working... done
Solving environment: ...working... done
Preparing transaction: ...working... done
Verifying transaction: ...working... done
Executing transaction: ...working... done
Installing pip dependencies: ...working... Ran pip subprocess with arguments:
['/azureml-envs/azureml_0f1e2d3c4b5a69788796a5b4c3d2e1f0/bin/python', '-m', 'pip', 'install', '-U', '-r', '/azureml-environment-setup/condaenv.q9r8s7t6.requirements.txt', '--exists-action=b']
Pip subprocess output:

Pip subprocess error:
/azureml-envs/azureml_0f1e2d3c4b5a69788796a5b4c3d2e1f0/bin/python: No module named pip

failed

CondaEnvException: Pip failed

""")
W("conda/pip-not-listed-python-without-pip.log", "pip.not_in_conda_dependencies", "python pinned without pip; pip subprocess cannot run", "docker", f"""
{NAG}
Collecting package metadata (repodata.json): ...working... done
Solving environment: ...working... done
Preparing transaction: ...working... done
Verifying transaction: ...working... done
Executing transaction: ...working... done
Installing pip dependencies: ...working... Ran pip subprocess with arguments:
['/opt/conda/envs/app/bin/python', '-m', 'pip', 'install', '-U', '-r', '/tmp/condaenv.a1b2c3d4.requirements.txt', '--exists-action=b']
Pip subprocess output:

Pip subprocess error:
/opt/conda/envs/app/bin/python: No module named pip

failed

CondaEnvException: Pip failed

""", cmd="conda env create -n app -f environment.yml", image="continuumio/miniconda3:24.1.2-0")

# ---------------------------------------------------------------- spark.precache_failed
IVY = """:: loading settings :: url = jar:file:/opt/spark/jars/ivy-2.5.1.jar!/org/apache/ivy/core/settings/ivysettings.xml
Ivy Default Cache set to: /root/.ivy2/cache
The jars for the packages stored in: /root/.ivy2/jars
{pkg} added as a dependency
:: resolving dependencies :: org.apache.spark#spark-submit-parent-5c1d3f0e-8a7b-4c2d-9e1f-0a2b3c4d5e6f;1.0
	confs: [default]
:: resolution report :: resolve 4127ms :: artifacts dl 0ms
	:: modules in use:
	---------------------------------------------------------------------
	|                  |            modules            ||   artifacts   |
	|       conf       | number| search|dwnlded|evicted|| number|dwnlded|
	---------------------------------------------------------------------
	|      default     |   1   |   0   |   0   |   0   ||   0   |   0   |
	---------------------------------------------------------------------

:: problems summary ::
:::: WARNINGS
		module not found: {mod}

	==== local-m2-cache: tried

	  file:/root/.m2/repository/{path}.pom

	==== local-ivy-cache: tried

	  /root/.ivy2/local/{ivypath}/ivys/ivy.xml

	==== central: tried

	  https://repo1.maven.org/maven2/{path}.pom

	==== spark-packages: tried

	  https://repos.spark-packages.org/{path}.pom

		::::::::::::::::::::::::::::::::::::::::::::::

		::          UNRESOLVED DEPENDENCIES         ::

		::::::::::::::::::::::::::::::::::::::::::::::

		:: {mod}: not found

		::::::::::::::::::::::::::::::::::::::::::::::


:: USE VERBOSE OR DEBUG MESSAGE LEVEL FOR MORE DETAILS
Exception in thread "main" java.lang.RuntimeException: [unresolved dependency: {mod}: not found]
	at org.apache.spark.deploy.SparkSubmitUtils$.resolveMavenCoordinates(SparkSubmit.scala:1537)
	at org.apache.spark.util.DependencyUtils$.resolveMavenDependencies(DependencyUtils.scala:185)
	at org.apache.spark.deploy.SparkSubmit.prepareSubmitEnvironment(SparkSubmit.scala:334)
	at org.apache.spark.deploy.SparkSubmit.org$apache$spark$deploy$SparkSubmit$$runMain(SparkSubmit.scala:964)
	at org.apache.spark.deploy.SparkSubmit.doRunMain$1(SparkSubmit.scala:194)
	at org.apache.spark.deploy.SparkSubmit.submit(SparkSubmit.scala:217)
	at org.apache.spark.deploy.SparkSubmit.doSubmit(SparkSubmit.scala:91)
	at org.apache.spark.deploy.SparkSubmit$$anon$2.doSubmit(SparkSubmit.scala:1120)
	at org.apache.spark.deploy.SparkSubmit$.main(SparkSubmit.scala:1129)
	at org.apache.spark.deploy.SparkSubmit.main(SparkSubmit.scala)
"""
def ivy(group, art, ver):
    g = group.replace(".", "/")
    return IVY.format(pkg=f"{group}#{art}", mod=f"{group}#{art};{ver}", path=f"{g}/{art}/{ver}/{art}-{ver}", ivypath=f"{group}/{art}/{ver}")
W("spark/precache-unresolved-eventhubs.log", "spark.precache_failed", "Spark package coordinate with a version that does not exist", "azureml-raw",
  "Precaching Spark packages: com.microsoft.azure:azure-eventhubs-spark_2.12:2.3.99\n" + ivy("com.microsoft.azure", "azure-eventhubs-spark_2.12", "2.3.99"))
W("spark/precache-unresolved-synapseml-docker.log", "spark.precache_failed", "wrong Scala suffix in Spark package", "docker",
  ivy("com.microsoft.azure", "synapseml_2.11", "0.11.4"), cmd="spark-submit --packages com.microsoft.azure:synapseml_2.11:0.11.4 --class org.apache.spark.examples.SparkPi /opt/spark/examples/jars/spark-examples.jar 1", image="mcr.microsoft.com/mmlspark/spark3.3:1.0")
W("spark/precache-unresolved-delta.log", "spark.precache_failed", "delta-core version not published", "plain",
  "$ python -m azureml.spark.precache --packages io.delta:delta-core_2.12:2.9.0\n" + ivy("io.delta", "delta-core_2.12", "2.9.0"))
W("spark/precache-maven-dns.log", "network.dns", "precache fails because repo1.maven.org does not resolve", "plain", """
:: loading settings :: url = jar:file:/opt/spark/jars/ivy-2.5.1.jar!/org/apache/ivy/core/settings/ivysettings.xml
Ivy Default Cache set to: /root/.ivy2/cache
The jars for the packages stored in: /root/.ivy2/jars
org.apache.hadoop#hadoop-azure added as a dependency
:: resolving dependencies :: org.apache.spark#spark-submit-parent-9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4;1.0
	confs: [default]
:: resolution report :: resolve 20344ms :: artifacts dl 0ms
	:: modules in use:
	---------------------------------------------------------------------
	|                  |            modules            ||   artifacts   |
	|       conf       | number| search|dwnlded|evicted|| number|dwnlded|
	---------------------------------------------------------------------
	|      default     |   1   |   0   |   0   |   0   ||   0   |   0   |
	---------------------------------------------------------------------

:: problems summary ::
:::: WARNINGS
		Host repo1.maven.org not found. url=https://repo1.maven.org/maven2/org/apache/hadoop/hadoop-azure/3.3.4/hadoop-azure-3.3.4.pom

		Host repos.spark-packages.org not found. url=https://repos.spark-packages.org/org/apache/hadoop/hadoop-azure/3.3.4/hadoop-azure-3.3.4.pom

		module not found: org.apache.hadoop#hadoop-azure;3.3.4

	==== central: tried

	  https://repo1.maven.org/maven2/org/apache/hadoop/hadoop-azure/3.3.4/hadoop-azure-3.3.4.pom

		::::::::::::::::::::::::::::::::::::::::::::::

		::          UNRESOLVED DEPENDENCIES         ::

		::::::::::::::::::::::::::::::::::::::::::::::

		:: org.apache.hadoop#hadoop-azure;3.3.4: not found

		::::::::::::::::::::::::::::::::::::::::::::::


:: USE VERBOSE OR DEBUG MESSAGE LEVEL FOR MORE DETAILS
Exception in thread "main" java.lang.RuntimeException: [unresolved dependency: org.apache.hadoop#hadoop-azure;3.3.4: not found]
	at org.apache.spark.deploy.SparkSubmitUtils$.resolveMavenCoordinates(SparkSubmit.scala:1537)
	at org.apache.spark.deploy.SparkSubmit.main(SparkSubmit.scala)
""")

# ---------------------------------------------------------------- conda network failures (cause far above the last line)
W("network/conda-ssl-self-signed-chain.log", "network.tls", "corporate TLS inspection breaks conda", "docker", """
Collecting package metadata (current_repodata.json): ...working... failed

CondaSSLError: Encountered an SSL error. Most likely a certificate verification issue.

Exception: HTTPSConnectionPool(host='conda.anaconda.org', port=443): Max retries exceeded with url: /conda-forge/linux-64/current_repodata.json (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self signed certificate in certificate chain (_ssl.c:1129)')))

""", cmd="conda env create -f environment.yml", image="continuumio/miniconda3:4.12.0", crlf=True)
W("azureml/conda-read-timeout.log", "network.timeout", "conda download read timeouts", "azureml-raw", """
Collecting package metadata (repodata.json): ...working... done
Solving environment: ...working... done

Downloading and Extracting Packages: ...working...

CondaHTTPError: HTTP 000 CONNECTION FAILED for url <https://conda.anaconda.org/conda-forge/linux-64/pytorch-2.1.2-cuda118_py310h6f85f4c_303.conda>
Elapsed: -

An HTTP error occurred when trying to retrieve this URL.
HTTP errors are often intermittent, and a simple retry will get you on your way.
ReadTimeoutError("HTTPSConnectionPool(host='conda.anaconda.org', port=443): Read timed out. (read timeout=9.15)")

""")
W("conda/conda-proxy-error.log", "network.proxy", "conda ProxyError from a bad HTTPS_PROXY", "plain", """
$ conda create -y -n ci python=3.11
Collecting package metadata (current_repodata.json): failed

ProxyError: Conda cannot proceed due to an error in your proxy configuration.
Check for typos and other configuration errors in any '.netrc' file in your home directory,
any environment variables ending in '_PROXY', and any other system-wide proxy
configuration settings.

""")
W("conda/conda-http-000-dns.log", "network.dns", "HTTP 000 CONNECTION FAILED caused by name resolution", "gha", """
Retrieving notices: ...working... done
Channels:
 - conda-forge
Platform: linux-64
Collecting package metadata (repodata.json): ...working... failed

CondaHTTPError: HTTP 000 CONNECTION FAILED for url <https://conda.anaconda.org/conda-forge/linux-64/repodata.json>
Elapsed: -

An HTTP error occurred when trying to retrieve this URL.
HTTP errors are often intermittent, and a simple retry will get you on your way.
'https://conda.anaconda.org/conda-forge/linux-64'

NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f8a2c4d1b50>: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')

""", cmd="conda env create -f environment.yml", pyver="3.10")
W("conda/mamba-download-incomplete.log", "network.timeout", "mamba download interrupted mid-transfer", "plain", """
$ mamba env create -f environment.yml
Transaction

  Prefix: /opt/conda/envs/train

  Updating specs:

   - python=3.10
   - pytorch=2.1.2


  Package                  Version  Build                        Channel          Size
──────────────────────────────────────────────────────────────────────────────────────────
  Install:
──────────────────────────────────────────────────────────────────────────────────────────

  + pytorch                  2.1.2  py3.10_cuda12.1_cudnn8.9.2_0 pytorch/linux-64   1GB

  Summary:

  Install: 57 packages

  Total download: 2GB

──────────────────────────────────────────────────────────────────────────────────────────

pytorch                                            480.1MB @  12.3MB/s 39.0s
Download error (28) Timeout was reached [https://conda.anaconda.org/pytorch/linux-64/pytorch-2.1.2-py3.10_cuda12.1_cudnn8.9.2_0.tar.bz2]
Operation too slow. Less than 30 bytes/sec transferred the last 60 seconds
error    libmamba Error when extracting package: Could not open archive
critical libmamba Download error (28) Timeout was reached [https://conda.anaconda.org/pytorch/linux-64/pytorch-2.1.2-py3.10_cuda12.1_cudnn8.9.2_0.tar.bz2]
Operation too slow. Less than 30 bytes/sec transferred the last 60 seconds
""")

# ---------------------------------------------------------------- Azure network isolation / storage
W("azureml/storage-403-build-context.log", "network.storage_forbidden", "workspace storage behind a private endpoint: build context download refused", "plain", """
2024-06-11T08:02:11: Downloading source code...
2024-06-11T08:02:12: Failed to download build context from https://mlwsstore4f2a.blob.core.windows.net/azureml/LocalUpload/240611T080156-2c1d9e/context.tar.gz
2024-06-11T08:02:12: Status code: 403, Error code: AuthorizationFailure
2024-06-11T08:02:12: This request is not authorized to perform this operation.
2024-06-11T08:02:12: RequestId:7e3f9a12-801e-0045-6b3c-bb8d1f000000
2024-06-11T08:02:12: Time:2024-06-11T08:02:12.4410231Z
2024-06-11T08:02:12: failed to download context: context download failed with status 403
2024-06-11T08:02:12: Run ID: cb4 failed after 3s. Error: failed during run, err: exit status 1
""")
W("azureml/storage-403-conda-from-blob.log", "network.storage_forbidden", "conda package on a blob container refuses the build agent", "azureml-raw", """
Collecting package metadata (repodata.json): ...working... done
Solving environment: ...working... done

Downloading and Extracting Packages: ...working...

CondaHTTPError: HTTP 403 This request is not authorized to perform this operation. for url <https://mlartifacts7c1.blob.core.windows.net/conda-channel/linux-64/contoso-featurelib-0.8.1-py310_0.tar.bz2>
Elapsed: 00:00.083114

An HTTP error occurred when trying to retrieve this URL.
HTTP errors are often intermittent, and a simple retry will get you on your way.

""")

# ---------------------------------------------------------------- registry (docker client wordings)
W("registry/docker-pull-rate-limit.log", "registry.rate_limited", "Docker Hub anonymous pull limit", "plain", """
$ docker build -t contoso/trainer:ci .
Sending build context to Docker daemon  24.58kB
Step 1/9 : FROM python:3.10-slim
Get "https://registry-1.docker.io/v2/library/python/manifests/3.10-slim": toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit
""")
W("registry/buildkit-429-too-many-requests.log", "registry.rate_limited", "BuildKit metadata fetch gets 429", "plain", """
#0 building with "default" instance using docker driver

#1 [internal] load build definition from Dockerfile
#1 transferring dockerfile: 612B done
#1 DONE 0.0s

#2 [internal] load metadata for docker.io/nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04
#2 ERROR: failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/nvidia/cuda/manifests/sha256:4a1c6f0e2d3b5a7c9e1f3d5b7a9c1e3f5d7b9a1c3e5f7d9b1a3c5e7f9d1b3a5c: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit
------
 > [internal] load metadata for docker.io/nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04:
------
Dockerfile:1
--------------------
   1 | >>> FROM nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04
   2 |     ENV DEBIAN_FRONTEND=noninteractive
   3 |     RUN apt-get update && apt-get install -y --no-install-recommends python3-pip
--------------------
ERROR: failed to solve: nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04: failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/nvidia/cuda/manifests/sha256:4a1c6f0e2d3b5a7c9e1f3d5b7a9c1e3f5d7b9a1c3e5f7d9b1a3c5e7f9d1b3a5c: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit
""")
W("registry/push-denied.log", "registry.access_denied", "push to a repository the account cannot write", "gha", """
The push refers to repository [docker.io/contoso/ml-inference]
5f70bf18a086: Preparing
a1c2e3f4b5d6: Preparing
9e8d7c6b5a43: Preparing
d4c3b2a19f8e: Waiting
denied: requested access to the resource is denied
""", cmd="docker push contoso/ml-inference:1.4.0", rc=1)
W("registry/acr-pull-denied-firewall.log", "registry.access_denied", "ACR firewall rejects the build agent's IP", "azureml-raw", """
Step 1/21 : FROM contosomlacr.azurecr.io/base/cuda-train:11.8
Get "https://contosomlacr.azurecr.io/v2/base/cuda-train/manifests/11.8": denied: client with IP '20.62.134.17' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.
""")
W("registry/pull-access-denied-docker.log", "registry.access_denied", "private image without login", "plain", """
$ docker pull contoso/private-trainer:2.3
Error response from daemon: pull access denied for contoso/private-trainer, repository does not exist or may require 'docker login': denied: requested access to the resource is denied
""")
W("registry/acr-name-unknown.log", "registry.name_unknown", "ACR repository not found", "plain", """
$ docker pull contosomlacr.azurecr.io/azureml/azureml_7c2e9f0a1b3d5e7f9a1c3e5d7b9f1a3c:latest
Error response from daemon: manifest for contosomlacr.azurecr.io/azureml/azureml_7c2e9f0a1b3d5e7f9a1c3e5d7b9f1a3c:latest not found: name unknown: The repository with name 'azureml/azureml_7c2e9f0a1b3d5e7f9a1c3e5d7b9f1a3c' does not exist in the registry with id 'contosomlacr'
""")
W("registry/docker-manifest-unknown-azureml-base.log", "registry.manifest_unknown", "custom base image tag not in registry", "azureml-raw", """
Step 1/21 : FROM contosomlacr.azurecr.io/custom/openmpi-cuda:20240101.v3
manifest for contosomlacr.azurecr.io/custom/openmpi-cuda:20240101.v3 not found: manifest unknown: manifest tagged by "20240101.v3" is not found
""")
W("registry/acr-private-endpoint-unreachable.log", "registry.unreachable", "ACR behind private endpoint, agent cannot reach it", "plain", """
2024-09-02T14:21:07: Logging into Docker registry: contosomlacr.azurecr.io
2024-09-02T14:21:37: Error response from daemon: Get "https://contosomlacr.azurecr.io/v2/": dial tcp 10.4.0.12:443: i/o timeout
2024-09-02T14:21:37: Failed to login to Docker registry contosomlacr.azurecr.io
2024-09-02T14:21:37: Building docker image failed with exit code: 1
""")
W("registry/buildkit-registry-no-such-host.log", "registry.unreachable", "registry host does not resolve (BuildKit)", "plain", """
#2 [internal] load metadata for contosomlacr.azurcr.io/base/python:3.11
#2 ERROR: failed to do request: Head "https://contosomlacr.azurcr.io/v2/base/python/manifests/3.11": dial tcp: lookup contosomlacr.azurcr.io on 127.0.0.53:53: no such host
------
 > [internal] load metadata for contosomlacr.azurcr.io/base/python:3.11:
------
Dockerfile:1
--------------------
   1 | >>> FROM contosomlacr.azurcr.io/base/python:3.11
   2 |     COPY requirements.txt .
--------------------
ERROR: failed to solve: contosomlacr.azurcr.io/base/python:3.11: failed to resolve source metadata for contosomlacr.azurcr.io/base/python:3.11: failed to do request: Head "https://contosomlacr.azurcr.io/v2/base/python/manifests/3.11": dial tcp: lookup contosomlacr.azurcr.io on 127.0.0.53:53: no such host
""")
W("registry/docker-invalid-reference-azureml.log", "registry.invalid_reference", "double slash in Azure ML image name", "azureml-raw", """
Step 1/21 : FROM contosomlacr.azurecr.io//azureml/base-gpu:latest
invalid reference format
""")
W("registry/docker-push-unauthorized.log", "registry.auth_required", "ACR push without login (401)", "azureml-raw", """
Step 21/21 : CMD ["bash"]
 ---> Running in 0e9d8c7b6a54
Removing intermediate container 0e9d8c7b6a54
 ---> 5a4b3c2d1e0f
Successfully built 5a4b3c2d1e0f
Successfully tagged contosomlacr.azurecr.io/azureml/azureml_2b4d6f8a0c1e3b5d7f9a1c3e5b7d9f1a:latest
Pushing image contosomlacr.azurecr.io/azureml/azureml_2b4d6f8a0c1e3b5d7f9a1c3e5b7d9f1a
The push refers to repository [contosomlacr.azurecr.io/azureml/azureml_2b4d6f8a0c1e3b5d7f9a1c3e5b7d9f1a]
unauthorized: authentication required, visit https://aka.ms/acr/authorization for more information.
""")

# ---------------------------------------------------------------- distutils / modules
W("azureml/distutils-dir-util-missing.log", "python.distutils_missing", "Ubuntu python3 without python3-distutils during pip build", "azureml", """
Collecting horovod==0.28.1
  Downloading horovod-0.28.1.tar.gz (3.5 MB)
     ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 3.5/3.5 MB 61.0 MB/s eta 0:00:00
  Preparing metadata (setup.py): started
  Preparing metadata (setup.py): finished with status 'error'
""", err="""
  error: subprocess-exited-with-error

  × python setup.py egg_info did not run successfully.
  │ exit code: 1
  ╰─> [8 lines of output]
      Traceback (most recent call last):
        File "<string>", line 2, in <module>
        File "<pip-setuptools-caller>", line 34, in <module>
        File "/tmp/pip-install-k2j3h4g5/horovod_9f8e7d6c5b4a/setup.py", line 23, in <module>
          from distutils.dir_util import copy_tree
      ModuleNotFoundError: No module named 'distutils.dir_util'
      [end of output]

  note: This error originates from a subprocess, and is likely not a problem with pip.
error: metadata-generation-failed

× Encountered error while generating package metadata.
╰─> See above for output.

note: This is an issue with the package mentioned above, not pip.
hint: See above for details.
""")
W("python/numpy-old-on-py312-distutils.log", "python.distutils_missing", "old numpy sdist on Python 3.12 imports distutils", "docker", """
Collecting numpy==1.24.4
  Downloading numpy-1.24.4.tar.gz (10.9 MB)
     ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 10.9/10.9 MB 72.4 MB/s eta 0:00:00
  Installing build dependencies: started
  Installing build dependencies: finished with status 'done'
  Getting requirements to build wheel: started
  Getting requirements to build wheel: finished with status 'error'
  error: subprocess-exited-with-error

  × Getting requirements to build wheel did not run successfully.
  │ exit code: 1
  ╰─> [33 lines of output]
      Traceback (most recent call last):
        File "/usr/local/lib/python3.12/site-packages/pip/_vendor/pyproject_hooks/_in_process/_in_process.py", line 353, in <module>
          main()
        File "/usr/local/lib/python3.12/site-packages/pip/_vendor/pyproject_hooks/_in_process/_in_process.py", line 335, in main
          json_out['return_val'] = hook(**hook_input['kwargs'])
                                   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        File "/usr/local/lib/python3.12/site-packages/pip/_vendor/pyproject_hooks/_in_process/_in_process.py", line 112, in get_requires_for_build_wheel
          backend = _build_backend()
                    ^^^^^^^^^^^^^^^^
        File "/usr/local/lib/python3.12/site-packages/pip/_vendor/pyproject_hooks/_in_process/_in_process.py", line 77, in _build_backend
          obj = import_module(mod_path)
                ^^^^^^^^^^^^^^^^^^^^^^^
        File "/usr/local/lib/python3.12/importlib/__init__.py", line 90, in import_module
          return _bootstrap._gcd_import(name[level:], package, level)
                 ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        File "<frozen importlib._bootstrap>", line 1381, in _gcd_import
        File "<frozen importlib._bootstrap>", line 1354, in _find_and_load
        File "<frozen importlib._bootstrap>", line 1304, in _find_and_load_unlocked
        File "<frozen importlib._bootstrap>", line 488, in _call_with_frames_removed
        File "<frozen importlib._bootstrap>", line 1381, in _gcd_import
        File "<frozen importlib._bootstrap>", line 1354, in _find_and_load
        File "<frozen importlib._bootstrap>", line 1325, in _find_and_load_unlocked
        File "<frozen importlib._bootstrap>", line 929, in _load_unlocked
        File "<frozen importlib._bootstrap_external>", line 994, in exec_module
        File "<frozen importlib._bootstrap>", line 488, in _call_with_frames_removed
        File "/tmp/pip-build-env-3k4j5h6g/overlay/lib/python3.12/site-packages/setuptools/__init__.py", line 10, in <module>
          import distutils.core
      ModuleNotFoundError: No module named 'distutils'
      [end of output]

  note: This error originates from a subprocess, and is likely not a problem with pip.
error: subprocess-exited-with-error

× Getting requirements to build wheel did not run successfully.
│ exit code: 1
╰─> See above for output.

note: This error originates from a subprocess, and is likely not a problem with pip.
""", cmd="pip install --no-cache-dir -r requirements.txt", image="python:3.12-slim")
W("python/runtime-module-not-found-score.log", "python.module_not_found", "scoring script imports a package the image lacks", "plain", """
2024-05-20T11:04:52,118 | root | INFO | Starting up app insights client
2024-05-20T11:04:52,119 | root | INFO | Starting up request id generator
2024-05-20T11:04:52,120 | root | INFO | Starting up app insight hooks
2024-05-20T11:04:52,121 | root | INFO | Invoking user's init function
2024-05-20T11:04:52,534 | root | ERROR | User's init function failed
2024-05-20T11:04:52,535 | root | ERROR | Encountered Exception Traceback (most recent call last):
  File "/var/azureml-server/aml_blueprint.py", line 191, in register
    main.init()
  File "/var/azureml-app/main.py", line 40, in init
    driver_module_spec.loader.exec_module(driver_module)
  File "<frozen importlib._bootstrap_external>", line 940, in exec_module
  File "<frozen importlib._bootstrap>", line 241, in _call_with_frames_removed
  File "/var/azureml-app/score.py", line 7, in <module>
    import lightgbm as lgb
ModuleNotFoundError: No module named 'lightgbm'

2024-05-20T11:04:52,536 | root | INFO | Waiting for logs to be sent to Application Insights before exit.
Worker exiting (pid: 41)
Shutting down: Master
Reason: Worker failed to boot.
""")

# ---------------------------------------------------------------- generic failures only
W("build/docker-run-script-fails.log", "build.command_failed", "a project script exits 2, no tool error", "docker", """
Running data validation...
checked 1204 rows
validation failed: 3 schema violations (see reports/schema.json)
""", cmd="python scripts/validate_data.py --strict", rc=2)
W("build/buildkit-make-fails.log", "build.command_failed", "make exits with an error code, nothing specific", "buildkit", """
make -C native all
make[1]: Entering directory '/src/native'
./configure --prefix=/usr/local
checking for a BSD-compatible install... /usr/bin/install -c
checking whether build environment is sane... yes
make[1]: *** [Makefile:41: all] Error 1
make[1]: Leaving directory '/src/native'
make: *** [Makefile:12: all] Error 2
""", cmd="make all", rc=2)
W("build/buildkit-old-executor-failed.log", "build.command_failed", "old BuildKit: executor failed running, test step fails", "buildkit-old", """
============================= test session starts ==============================
platform linux -- Python 3.9.18, pytest-7.4.4, pluggy-1.3.0
rootdir: /app
collected 48 items

tests/test_features.py ...........F....................                    [ 66%]
tests/test_io.py ................                                        [100%]

=================================== FAILURES ===================================
____________________________ test_rolling_mean_nan _____________________________
    def test_rolling_mean_nan():
>       assert rolling_mean([1, None, 3], 2) == [None, None, 2.0]
E       assert [None, 0.5, 1.5] == [None, None, 2.0]
tests/test_features.py:88: AssertionError
=========================== short test summary info ============================
FAILED tests/test_features.py::test_rolling_mean_nan - assert [None, 0.5, 1.5] == [None, None, 2.0]
========================= 1 failed, 47 passed in 2.31s =========================
""", cmd="python -m pytest -q tests", rc=1)
W("azureml/generic-docker-build-failed.log", "build.command_failed", "user Dockerfile step fails with a plain exit code", "azureml-raw", """
Downloading model assets from the build context...
copying ./assets/vocab.json
cp: cannot stat './assets/merges.txt': No such file or directory
""")

# ---------------------------------------------------------------- two problems / chains: the earlier one is the cause
W("build/two-stages-nopubkey-and-pip-dns.log", "apt.key_missing", "two stages fail; BuildKit reports the apt stage first", "plain", """
#0 building with "default" instance using docker driver

#1 [internal] load build definition from Dockerfile
#1 transferring dockerfile: 1.02kB done
#1 DONE 0.0s

#2 [internal] load metadata for docker.io/library/python:3.10-slim
#2 DONE 0.6s

#3 [internal] load .dockerignore
#3 transferring context: 2B done
#3 DONE 0.0s

#4 [base 1/1] FROM docker.io/library/python:3.10-slim@sha256:1b4c7e2f9a0d3c6b8e5f1a4d7c0b3e6f9a2d5c8b1e4f7a0d3c6b9e2f5a8d1c4b
#4 CACHED

#5 [system 1/2] RUN curl -fsSL https://packages.example-vendor.com/apt/gpg.key -o /etc/apt/trusted.gpg.d/vendor.asc && echo "deb https://packages.example-vendor.com/apt stable main" > /etc/apt/sources.list.d/vendor.list
#5 DONE 0.9s

#6 [system 2/2] RUN apt-get update && apt-get install -y vendor-runtime
#6 0.412 Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]
#6 0.455 Get:2 https://packages.example-vendor.com/apt stable InRelease [3,915 B]
#6 0.502 Get:3 http://deb.debian.org/debian bookworm-updates InRelease [55.4 kB]
#6 0.701 Err:2 https://packages.example-vendor.com/apt stable InRelease
#6 0.701   The following signatures couldn't be verified because the public key is not available: NO_PUBKEY 4E1F8A2D6B3C9E07
#6 1.902 Reading package lists...
#6 2.311 W: GPG error: https://packages.example-vendor.com/apt stable InRelease: The following signatures couldn't be verified because the public key is not available: NO_PUBKEY 4E1F8A2D6B3C9E07
#6 2.311 E: The repository 'https://packages.example-vendor.com/apt stable InRelease' is not signed.
#6 ERROR: process "/bin/sh -c apt-get update && apt-get install -y vendor-runtime" did not complete successfully: exit code: 100

#7 [deps 1/1] RUN pip install --index-url https://pypi.internal.contoso.net/simple -r requirements.txt
#7 1.118 Looking in indexes: https://pypi.internal.contoso.net/simple
#7 2.317 WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f21c9d3e950>: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')': /simple/pandas/
#7 CANCELED
------
 > [system 2/2] RUN apt-get update && apt-get install -y vendor-runtime:
2.311 W: GPG error: https://packages.example-vendor.com/apt stable InRelease: The following signatures couldn't be verified because the public key is not available: NO_PUBKEY 4E1F8A2D6B3C9E07
2.311 E: The repository 'https://packages.example-vendor.com/apt stable InRelease' is not signed.
------
Dockerfile:8
--------------------
   6 |     FROM base AS system
   7 |     RUN curl -fsSL https://packages.example-vendor.com/apt/gpg.key -o /etc/apt/trusted.gpg.d/vendor.asc && echo "deb https://packages.example-vendor.com/apt stable main" > /etc/apt/sources.list.d/vendor.list
   8 | >>> RUN apt-get update && apt-get install -y vendor-runtime
   9 |
--------------------
ERROR: failed to solve: process "/bin/sh -c apt-get update && apt-get install -y vendor-runtime" did not complete successfully: exit code: 100
""")
W("build/ci-pip-tls-then-push-401.log", "network.tls", "pip TLS failure (continue-on-error), later push 401 in an always() step", "plain", """
2024-04-09T07:41:02.5531220Z ##[group]Run pip install -r requirements.txt
2024-04-09T07:41:02.5532003Z pip install -r requirements.txt
2024-04-09T07:41:02.5560117Z shell: /usr/bin/bash -e {0}
2024-04-09T07:41:02.5560542Z ##[endgroup]
2024-04-09T07:41:03.9120481Z Looking in indexes: https://pkgs.dev.azure.com/contoso/_packaging/ml-feed/pypi/simple/
2024-04-09T07:41:04.6619012Z WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)'))': /contoso/_packaging/ml-feed/pypi/simple/pandas/
2024-04-09T07:41:05.1738551Z WARNING: Retrying (Retry(total=3, connect=None, read=None, redirect=None, status=None)) after connection broken by 'SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)'))': /contoso/_packaging/ml-feed/pypi/simple/pandas/
2024-04-09T07:41:09.8801472Z Could not fetch URL https://pkgs.dev.azure.com/contoso/_packaging/ml-feed/pypi/simple/pandas/: There was a problem confirming the ssl certificate: HTTPSConnectionPool(host='pkgs.dev.azure.com', port=443): Max retries exceeded with url: /contoso/_packaging/ml-feed/pypi/simple/pandas/ (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)'))) - skipping
2024-04-09T07:41:09.8810933Z ERROR: Could not find a version that satisfies the requirement pandas==2.1.4 (from versions: none)
2024-04-09T07:41:09.8811650Z ERROR: No matching distribution found for pandas==2.1.4
2024-04-09T07:41:09.9207714Z ##[error]Process completed with exit code 1.
2024-04-09T07:41:10.0139021Z ##[group]Run docker push contosomlacr.azurecr.io/train:${GITHUB_SHA::8}
2024-04-09T07:41:10.0139821Z docker push contosomlacr.azurecr.io/train:${GITHUB_SHA::8}
2024-04-09T07:41:10.0163370Z shell: /usr/bin/bash -e {0}
2024-04-09T07:41:10.0163722Z ##[endgroup]
2024-04-09T07:41:10.1530210Z The push refers to repository [contosomlacr.azurecr.io/train]
2024-04-09T07:41:10.1545011Z An image does not exist locally with the tag: contosomlacr.azurecr.io/train
2024-04-09T07:41:10.6712298Z unauthorized: authentication required, visit https://aka.ms/acr/authorization for more information.
2024-04-09T07:41:10.6804482Z ##[error]Process completed with exit code 1.
""")
W("build/apt-typo-then-gcc-missing.log", "apt.package_not_found", "apt typo ignored with || true, so gcc is missing later when a wheel builds", "docker", """
Reading package lists...
Building dependency tree...
Reading state information...
E: Unable to locate package build-essentail
installing python requirements
Collecting psycopg2==2.9.9
  Downloading psycopg2-2.9.9.tar.gz (384 kB)
     ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 384.9/384.9 kB 19.2 MB/s eta 0:00:00
  Preparing metadata (setup.py): started
  Preparing metadata (setup.py): finished with status 'done'
Building wheels for collected packages: psycopg2
  Building wheel for psycopg2 (setup.py): started
  Building wheel for psycopg2 (setup.py): finished with status 'error'
  error: subprocess-exited-with-error

  × python setup.py bdist_wheel did not run successfully.
  │ exit code: 1
  ╰─> [23 lines of output]
      running bdist_wheel
      running build
      running build_py
      creating build/lib.linux-x86_64-cpython-311/psycopg2
      copying lib/extras.py -> build/lib.linux-x86_64-cpython-311/psycopg2
      running build_ext
      building 'psycopg2._psycopg' extension
      creating build/temp.linux-x86_64-cpython-311/psycopg
      gcc -pthread -Wsign-compare -DNDEBUG -g -fwrapv -O3 -Wall -fPIC -DPSYCOPG_VERSION=2.9.9 -DPG_VERSION_NUM=150005 -I/usr/local/include/python3.11 -I. -I/usr/include/postgresql -c psycopg/adapter_asis.c -o build/temp.linux-x86_64-cpython-311/psycopg/adapter_asis.o
      error: command 'gcc' failed: No such file or directory
      [end of output]

  note: This error originates from a subprocess, and is likely not a problem with pip.
  ERROR: Failed building wheel for psycopg2
  Running setup.py clean for psycopg2
Failed to build psycopg2
ERROR: Could not build wheels for psycopg2, which is required to install pyproject.toml-based projects
""", cmd="(apt-get update -qq && apt-get install -y -q build-essentail libpq-dev || true) && echo 'installing python requirements' && pip install --no-cache-dir -r requirements.txt", image="python:3.11-slim")

# ---------------------------------------------------------------- clean builds with harmless warnings
W("ok/conda-env-create-warnings.log", "none", "conda env create succeeds; newer-conda and FutureWarning notices", "plain", """
$ conda env create -f environment.yml
Collecting package metadata (repodata.json): done
Solving environment: done


==> WARNING: A newer version of conda exists. <==
  current version: 23.7.4
  latest version: 24.5.0

Please update conda by running

    $ conda update -n base -c defaults conda

Or to minimize the number of packages updated during conda update use

     conda install conda=24.5.0



Downloading and Extracting Packages

Preparing transaction: done
Verifying transaction: done
Executing transaction: done
Installing pip dependencies: / Ran pip subprocess with arguments:
['/opt/conda/envs/train/bin/python', '-m', 'pip', 'install', '-U', '-r', '/tmp/condaenv.zq1x8v3n.requirements.txt', '--exists-action=b']
Pip subprocess output:
Collecting mlflow==2.12.1 (from -r /tmp/condaenv.zq1x8v3n.requirements.txt (line 1))
  Using cached mlflow-2.12.1-py3-none-any.whl.metadata (29 kB)
Installing collected packages: mlflow
Successfully installed mlflow-2.12.1

done
/opt/conda/lib/python3.11/site-packages/conda/base/context.py:201: FutureWarning: Adding 'defaults' to channel list implicitly is deprecated and will be removed in 25.3.
  deprecated.topic(
#
# To activate this environment, use
#
#     $ conda activate train
#
# To deactivate an active environment, use
#
#     $ conda deactivate
""")
W("ok/docker-build-pip-root-warning.log", "none", "docker build succeeds; pip root-user and new-release notices", "plain", """
Sending build context to Docker daemon  18.43kB
Step 1/6 : FROM python:3.11-slim
 ---> 3c1e2d4f5a6b
Step 2/6 : WORKDIR /app
 ---> Using cache
 ---> 7d8e9f0a1b2c
Step 3/6 : COPY requirements.txt .
 ---> 1a2b3c4d5e6f
Step 4/6 : RUN pip install --no-cache-dir -r requirements.txt
 ---> Running in 9f8e7d6c5b4a
Collecting fastapi==0.110.0
  Downloading fastapi-0.110.0-py3-none-any.whl (92 kB)
     ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 92.1/92.1 kB 6.2 MB/s eta 0:00:00
Collecting uvicorn==0.29.0
  Downloading uvicorn-0.29.0-py3-none-any.whl (60 kB)
Installing collected packages: uvicorn, fastapi
Successfully installed fastapi-0.110.0 uvicorn-0.29.0
WARNING: Running pip as the 'root' user can result in broken permissions and conflicting behaviour with the system package manager. It is recommended to use a virtual environment instead: https://pip.pypa.io/warnings/venv

[notice] A new release of pip is available: 23.2.1 -> 24.0
[notice] To update, run: pip install --upgrade pip
Removing intermediate container 9f8e7d6c5b4a
 ---> 0c1d2e3f4a5b
Step 5/6 : COPY . .
 ---> 6b7c8d9e0f1a
Step 6/6 : CMD ["uvicorn", "app:app", "--host", "0.0.0.0"]
 ---> Running in 2a3b4c5d6e7f
Removing intermediate container 2a3b4c5d6e7f
 ---> 8e9f0a1b2c3d
Successfully built 8e9f0a1b2c3d
Successfully tagged contoso/api:dev
""")
W("ok/azureml-build-succeeded.log", "none", "Azure ML image build succeeds; debconf and pip warnings only", "plain", """
2024-10-15T00:33:45: Logging into Docker registry: 4c2e8f1a9b3d.azurecr.io
2024-10-15T00:33:45: Login Succeeded
2024-10-15T00:33:46: Running: ['docker', 'build', '-f', 'azureml-environment-setup/Dockerfile', '.', '-t', '4c2e8f1a9b3d.azurecr.io/azureml/azureml_6f0d2b8c4e1a9f7d3b5c0e2a4d6f8b1c']
2024-10-15T00:33:46: Step 1/21 : FROM mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20240908.v1
2024-10-15T00:33:47:  ---> 3e0f8a2c1d4b
2024-10-15T00:33:47: Step 8/21 : RUN ldconfig /usr/local/cuda/lib64/stubs && conda env create -p /azureml-envs/azureml_6f0d2b8c4e1a9f7d3b5c0e2a4d6f8b1c -f azureml-environment-setup/mutated_conda_dependencies.yml && rm -rf "$HOME/.cache/pip" && conda clean -aqy
2024-10-15T00:33:47:  ---> Running in 5d6e7f8a9b0c
2024-10-15T00:33:48: debconf: delaying package configuration, since apt-utils is not installed
2024-10-15T00:33:49: Collecting package metadata (repodata.json): ...working... done
2024-10-15T00:34:31: Solving environment: ...working... done
2024-10-15T00:35:02: Preparing transaction: ...working... done
2024-10-15T00:35:05: Verifying transaction: ...working... done
2024-10-15T00:35:19: Executing transaction: ...working... done
2024-10-15T00:35:19: Installing pip dependencies: ...working... Ran pip subprocess with arguments:
2024-10-15T00:35:19: ['/azureml-envs/azureml_6f0d2b8c4e1a9f7d3b5c0e2a4d6f8b1c/bin/python', '-m', 'pip', 'install', '-U', '-r', '/azureml-environment-setup/condaenv.p0o9i8u7.requirements.txt', '--exists-action=b']
2024-10-15T00:35:19: Pip subprocess output:
2024-10-15T00:35:58: Successfully installed azureml-core-1.57.0 azureml-defaults-1.57.0 azureml-mlflow-1.57.0 mlflow-skinny-2.15.1
2024-10-15T00:35:58: 
2024-10-15T00:35:58: Pip subprocess error:
2024-10-15T00:35:58: WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'ReadTimeoutError("HTTPSConnectionPool(host='pypi.org', port=443): Read timed out. (read timeout=15)")': /simple/azureml-core/
2024-10-15T00:35:58: ERROR: pip's dependency resolver does not currently take into account all the packages that are installed. This behaviour is the source of the following dependency conflicts.
2024-10-15T00:35:58: azureml-core 1.57.0 requires packaging<=23.0,>=20.0, but you have packaging 24.1 which is incompatible.
2024-10-15T00:35:58: 
2024-10-15T00:35:58: done
2024-10-15T00:36:40: Removing intermediate container 5d6e7f8a9b0c
2024-10-15T00:36:40:  ---> 9a0b1c2d3e4f
2024-10-15T00:36:58: Step 21/21 : CMD ["bash"]
2024-10-15T00:36:58: Successfully built 7b8c9d0e1f2a
2024-10-15T00:36:58: Successfully tagged 4c2e8f1a9b3d.azurecr.io/azureml/azureml_6f0d2b8c4e1a9f7d3b5c0e2a4d6f8b1c:latest
2024-10-15T00:36:59: Pushing image 4c2e8f1a9b3d.azurecr.io/azureml/azureml_6f0d2b8c4e1a9f7d3b5c0e2a4d6f8b1c
2024-10-15T00:37:31: latest: digest: sha256:5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f size: 3884
2024-10-15T00:37:31: Logging out of Docker registry: 4c2e8f1a9b3d.azurecr.io
""")

# ---------------------------------------------------------------- network.unauthorized
W("network/pip-401-private-index-wheel-buildkit.log", "network.unauthorized", "private index lists the wheel but refuses its download without a token", "buildkit", """
Looking in indexes: https://pypi.org/simple, https://pkgs.contoso.example/pypi/ml-internal/simple
Collecting numpy==1.26.4 (from -r requirements.txt (line 1))
  Downloading numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl (18.3 MB)
     ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 18.3/18.3 MB 41.7 MB/s eta 0:00:00
Collecting contoso-featurestore==2.4.1 (from -r requirements.txt (line 2))
  ERROR: HTTP error 401 while getting https://pkgs.contoso.example/pypi/ml-internal/packages/contoso_featurestore-2.4.1-py3-none-any.whl#sha256=4b1f0c5e9a7d3c2b8e6f1a0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b (from https://pkgs.contoso.example/pypi/ml-internal/simple/contoso-featurestore/) (requires-python:>=3.9)
ERROR: Could not install requirement contoso-featurestore==2.4.1 from https://pkgs.contoso.example/pypi/ml-internal/packages/contoso_featurestore-2.4.1-py3-none-any.whl#sha256=4b1f0c5e9a7d3c2b8e6f1a0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b because of HTTP error 401 Client Error: Unauthorized for url: https://pkgs.contoso.example/pypi/ml-internal/packages/contoso_featurestore-2.4.1-py3-none-any.whl for URL https://pkgs.contoso.example/pypi/ml-internal/packages/contoso_featurestore-2.4.1-py3-none-any.whl#sha256=4b1f0c5e9a7d3c2b8e6f1a0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b (from https://pkgs.contoso.example/pypi/ml-internal/simple/contoso-featurestore/) (requires-python:>=3.9)
""", cmd="pip install --no-cache-dir --extra-index-url https://pkgs.contoso.example/pypi/ml-internal/simple -r requirements.txt", image="python:3.11-slim")

W("network/pip-401-prompt-eof-docker.log", "network.unauthorized", "no credentials for an Azure Artifacts feed: pip prompts for a user name and reads EOF", "docker", """
Looking in indexes: https://pkgs.dev.azure.com/contoso/_packaging/ml-feed/pypi/simple/
Collecting contoso-scoring==0.9.3
User for pkgs.dev.azure.com: ERROR: Exception:
Traceback (most recent call last):
  File "/usr/local/lib/python3.10/site-packages/pip/_internal/cli/base_command.py", line 180, in exc_logging_wrapper
    status = run_func(*args)
  File "/usr/local/lib/python3.10/site-packages/pip/_internal/network/auth.py", line 455, in _prompt_for_password
    username = ask_input(f"User for {netloc}: ") if self.prompting else None
  File "/usr/local/lib/python3.10/site-packages/pip/_internal/utils/misc.py", line 208, in ask_input
    return input(message)
EOFError: EOF when reading a line
""", cmd="pip install --index-url https://pkgs.dev.azure.com/contoso/_packaging/ml-feed/pypi/simple/ contoso-scoring==0.9.3", image="python:3.10-slim", rc=2)

W("network/conda-401-private-channel-token.log", "network.unauthorized", "private channel token expired: conda 401 on repodata", "docker", """
Collecting package metadata (repodata.json): ...working... failed

CondaHTTPError: HTTP 401 UNAUTHORIZED for url <https://conda.contoso.example/t/<TOKEN>/ml-internal/linux-64/repodata.json>
Elapsed: 00:00.187342

The token '<TOKEN>' given for the URL is invalid.

If this token was pulled from anaconda-client, you will need to use
anaconda-client to reauthenticate.

If you supplied this token to conda directly, you will need to adjust your
conda configuration to proceed.

Use `conda config --show` to view your configuration's current state.
Further configuration help can be found at <https://conda.io/docs/config.html>.
""", cmd="conda env create -f environment.yml", image="continuumio/miniconda3:24.1.2-0")

W("network/uv-401-index-hint-gha.log", "network.unauthorized", "uv: the package seems missing, but the hint says the private index answered 401", "gha", """
Using Python 3.11.14 environment at: /opt/hostedtoolcache/Python/3.11.14/x64
  × No solution found when resolving dependencies:
  ╰─▶ Because contoso-features was not found in the package registry and you require contoso-features==2.4.1, we can conclude that your requirements are unsatisfiable.

      hint: An index URL (https://pkgs.contoso.example/pypi/ml-internal/simple) could not be queried due to a lack of valid authentication credentials (401 Unauthorized).
""", cmd="uv pip install --system -r requirements.txt", pyver="3.11", rc=1)

W("network/micromamba-401-package-download.log", "network.unauthorized", "micromamba: credentials accepted for repodata but not for the package file (status 401)", "plain", """
$ micromamba create -y -n serve -f env.yaml
conda-forge/noarch                                  16.6MB @  12.1MB/s  1.4s
conda-forge/linux-64                                38.7MB @  11.8MB/s  3.3s
ml-internal/noarch                                  12.4kB @  40.2kB/s  0.3s
ml-internal/linux-64                                 8.1kB @  27.9kB/s  0.3s

Transaction

  Prefix: /opt/conda/envs/serve

  + contoso-utils    1.3.0  pyhd8ed1ab_0  ml-internal     46kB
  + python          3.11.8  hab00c5b_0_cpython  conda-forge  31MB

Transaction starting
python                                              30.8MB @  23.4MB/s  1.3s
error    libmamba Failed to download package from https://conda.contoso.example/ml-internal/noarch/contoso-utils-1.3.0-pyhd8ed1ab_0.conda (status 401)
    If you see this message repeatedly, the state of your installation might be corrupted,
    in which case running `mamba clean --all` might fix it.

    If you continue to meet this problem, please search or report an issue
    on  mamba's issue tracker: https://github.com/mamba-org/mamba/issues/
critical libmamba Error when extracting package: Download failed
""")

W("apt/apt-401-private-repo-then-unable-to-locate.log", "network.unauthorized", "private apt repository without auth.conf: update warns 401, install cannot find the package", "docker", """
Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]
Get:2 http://deb.debian.org/debian bookworm-updates InRelease [55.4 kB]
Get:3 http://deb.debian.org/debian-security bookworm-security InRelease [48.0 kB]
Err:4 https://apt.contoso.example/debian bookworm InRelease
  401  Unauthorized [IP: 203.0.113.24 443]
Get:5 http://deb.debian.org/debian bookworm/main amd64 Packages [8788 kB]
Reading package lists...
W: Failed to fetch https://apt.contoso.example/debian/dists/bookworm/InRelease  401  Unauthorized [IP: 203.0.113.24 443]
W: Some index files failed to download. They have been ignored, or old ones used instead.
Reading package lists...
Building dependency tree...
Reading state information...
E: Unable to locate package contoso-agent
""", cmd="apt-get update && apt-get install -y --no-install-recommends contoso-agent", image="debian:bookworm-slim", rc=100)

W("network/curl-401-sdk-download-docker.log", "network.unauthorized", "curl -f of an artifact without its token", "docker", """
curl: (22) The requested URL returned error: 401
""", cmd="curl -fsSL -o /tmp/contoso-sdk.tar.gz https://artifacts.contoso.example/sdk/contoso-sdk-3.2.0.tar.gz && tar -xzf /tmp/contoso-sdk.tar.gz -C /opt", image="ubuntu:22.04", rc=22)

# ---------------------------------------------------------------- network.forbidden
W("network/pip-403-artifactory-wheel-docker.log", "network.forbidden", "the index lists the wheel, the account may not download it (403)", "docker", """
Looking in indexes: https://artifactory.contoso.example/api/pypi/pypi-virtual/simple
Collecting pandas==2.2.2 (from -r requirements.txt (line 1))
  Downloading https://artifactory.contoso.example/api/pypi/pypi-virtual/packages/packages/pandas-2.2.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl (13.0 MB)
     ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 13.0/13.0 MB 38.2 MB/s eta 0:00:00
Collecting contoso-risk==3.1.0 (from -r requirements.txt (line 2))
  ERROR: HTTP error 403 while getting https://artifactory.contoso.example/api/pypi/pypi-virtual/packages/contoso_risk-3.1.0-py3-none-any.whl (from https://artifactory.contoso.example/api/pypi/pypi-virtual/simple/contoso-risk/) (requires-python:>=3.10)
ERROR: Could not install requirement contoso-risk==3.1.0 from https://artifactory.contoso.example/api/pypi/pypi-virtual/packages/contoso_risk-3.1.0-py3-none-any.whl because of HTTP error 403 Client Error: Forbidden for url: https://artifactory.contoso.example/api/pypi/pypi-virtual/packages/contoso_risk-3.1.0-py3-none-any.whl for URL https://artifactory.contoso.example/api/pypi/pypi-virtual/packages/contoso_risk-3.1.0-py3-none-any.whl (from https://artifactory.contoso.example/api/pypi/pypi-virtual/simple/contoso-risk/) (requires-python:>=3.10)
""", cmd="pip install --no-cache-dir -r requirements.txt", image="python:3.11-slim")

W("network/wget-403-model-download-buildkit.log", "network.forbidden", "wget of a model file the server refuses to this address", "buildkit", """
--2024-05-14 13:35:20--  https://downloads.contoso.example/models/ner-large/v3/model.bin
Resolving downloads.contoso.example (downloads.contoso.example)... 203.0.113.71
Connecting to downloads.contoso.example (downloads.contoso.example)|203.0.113.71|:443... connected.
HTTP request sent, awaiting response... 403 Forbidden
2024-05-14 13:35:21 ERROR 403: Forbidden.

""", cmd="wget -O /opt/models/model.bin https://downloads.contoso.example/models/ner-large/v3/model.bin", image="python:3.11-slim", rc=8)

W("network/uv-403-direct-url-wheel-gha.log", "network.forbidden", "uv: a direct wheel URL answers 403", "gha", """
Resolved 14 packages in 412ms
error: Failed to download `contoso-gpu @ https://download.contoso.example/whl/cu121/contoso_gpu-0.9.2-cp311-cp311-manylinux_2_28_x86_64.whl`
  ├─▶ Failed to fetch: `https://download.contoso.example/whl/cu121/contoso_gpu-0.9.2-cp311-cp311-manylinux_2_28_x86_64.whl`
  ╰─▶ HTTP status client error (403 Forbidden) for url (https://download.contoso.example/whl/cu121/contoso_gpu-0.9.2-cp311-cp311-manylinux_2_28_x86_64.whl)
""", cmd="uv pip install --system -r requirements.txt", pyver="3.11", rc=2)

W("network/buildkit-add-url-403.log", "network.forbidden", "BuildKit ADD of a URL the server refuses", "plain", """
#0 building with "default" instance using docker driver

#1 [internal] load build definition from Dockerfile
#1 transferring dockerfile: 412B done
#1 DONE 0.0s

#2 [internal] load metadata for docker.io/library/python:3.11-slim
#2 DONE 0.8s

#3 [internal] load .dockerignore
#3 transferring context: 2B done
#3 DONE 0.0s

#4 https://releases.contoso.example/cli/v2.3.1/contoso-cli-linux-amd64.tar.gz
#4 ERROR: invalid response status 403

#5 [1/4] FROM docker.io/library/python:3.11-slim@sha256:8f64a67710f3d981cf3008d6f9f1dbe61accd7927f165f4e37ea3f8b883ccc3f
#5 CACHED
------
 > https://releases.contoso.example/cli/v2.3.1/contoso-cli-linux-amd64.tar.gz:
------
Dockerfile:4
--------------------
   2 |     WORKDIR /opt
   3 |     COPY requirements.txt .
   4 | >>> ADD https://releases.contoso.example/cli/v2.3.1/contoso-cli-linux-amd64.tar.gz /opt/
   5 |     RUN pip install -r requirements.txt
--------------------
ERROR: failed to solve: failed to load cache key: invalid response status 403
""")

# ---------------------------------------------------------------- network.not_found
W("network/pip-404-removed-release-asset-buildkit.log", "network.not_found", "a direct URL requirement points at a release asset that was deleted", "buildkit", """
Collecting contoso-tools@ https://github.com/contoso/tools/releases/download/v0.4.1/contoso_tools-0.4.1-py3-none-any.whl (from -r requirements.txt (line 3))
  ERROR: HTTP error 404 while getting https://github.com/contoso/tools/releases/download/v0.4.1/contoso_tools-0.4.1-py3-none-any.whl
ERROR: Could not install requirement contoso-tools@ https://github.com/contoso/tools/releases/download/v0.4.1/contoso_tools-0.4.1-py3-none-any.whl from https://github.com/contoso/tools/releases/download/v0.4.1/contoso_tools-0.4.1-py3-none-any.whl (from -r requirements.txt (line 3)) because of HTTP error 404 Client Error: Not Found for url: https://github.com/contoso/tools/releases/download/v0.4.1/contoso_tools-0.4.1-py3-none-any.whl for URL https://github.com/contoso/tools/releases/download/v0.4.1/contoso_tools-0.4.1-py3-none-any.whl
""", cmd="pip install --no-cache-dir -r requirements.txt", image="python:3.12-slim")

W("network/conda-404-package-file-stale-index.log", "network.not_found", "the channel index still lists a package file the server no longer has", "docker", """
Collecting package metadata (repodata.json): ...working... done
Solving environment: ...working... done

Downloading and Extracting Packages:
contoso-io-0.7.2     | 1.2 MB    |            |   0%

CondaHTTPError: HTTP 404 NOT FOUND for url <https://conda.contoso.example/ml-internal/linux-64/contoso-io-0.7.2-py310h1a2b3c4_0.conda>
Elapsed: 00:00.093124

An HTTP error occurred when trying to retrieve this URL.
HTTP errors are often intermittent, and a simple retry will get you on your way.
""", cmd="conda env create -f environment.yml", image="continuumio/miniconda3:24.1.2-0")

W("network/curl-404-install-script-docker.log", "network.not_found", "install script URL of a version that no longer exists", "docker", """
curl: (22) The requested URL returned error: 404
bash: line 1: syntax error near unexpected token `<'
""", cmd="curl -fsSL https://get.contoso.example/cli/v1.9.0/install.sh | bash", image="ubuntu:22.04", rc=2)

W("network/buildkit-add-url-404.log", "network.not_found", "BuildKit ADD of a URL that does not exist", "plain", """
#0 building with "default" instance using docker driver

#1 [internal] load build definition from Dockerfile
#1 transferring dockerfile: 388B done
#1 DONE 0.0s

#2 [internal] load metadata for docker.io/library/ubuntu:22.04
#2 DONE 0.6s

#3 [internal] load .dockerignore
#3 transferring context: 2B done
#3 DONE 0.0s

#4 https://downloads.contoso.example/onnxruntime/1.17.9/onnxruntime-linux-x64-1.17.9.tgz
#4 ERROR: invalid response status 404

#5 [1/3] FROM docker.io/library/ubuntu:22.04@sha256:77906da86b60585ce12215807090eb327e7386c8fafb5402369e421f44eff17e
#5 CACHED
------
 > https://downloads.contoso.example/onnxruntime/1.17.9/onnxruntime-linux-x64-1.17.9.tgz:
------
Dockerfile:3
--------------------
   1 |     FROM ubuntu:22.04
   2 |     WORKDIR /opt
   3 | >>> ADD https://downloads.contoso.example/onnxruntime/1.17.9/onnxruntime-linux-x64-1.17.9.tgz /opt/
   4 |     RUN tar -xzf /opt/onnxruntime-linux-x64-1.17.9.tgz
--------------------
ERROR: failed to solve: failed to load cache key: invalid response status 404
""")

W("network/pip-git-repository-not-found.log", "network.not_found", "git+https requirement of a repository that was renamed", "plain", """
$ pip install -r requirements.txt
Collecting featurestore@ git+https://github.com/contoso/featurestore.git@v1.2.0 (from -r requirements.txt (line 4))
  Cloning https://github.com/contoso/featurestore.git (to revision v1.2.0) to /tmp/pip-install-3k2j1h0g/featurestore_5d6e7f8a9b0c4d1e
  Running command git clone --filter=blob:none --quiet https://github.com/contoso/featurestore.git /tmp/pip-install-3k2j1h0g/featurestore_5d6e7f8a9b0c4d1e
  remote: Repository not found.
  fatal: repository 'https://github.com/contoso/featurestore.git/' not found
  error: subprocess-exited-with-error

  × git clone --filter=blob:none --quiet https://github.com/contoso/featurestore.git /tmp/pip-install-3k2j1h0g/featurestore_5d6e7f8a9b0c4d1e did not run successfully.
  │ exit code: 128
  ╰─> See above for output.

  note: This error originates from a subprocess, and is likely not a problem with pip.
error: subprocess-exited-with-error

× git clone --filter=blob:none --quiet https://github.com/contoso/featurestore.git /tmp/pip-install-3k2j1h0g/featurestore_5d6e7f8a9b0c4d1e did not run successfully.
│ exit code: 128
╰─> See above for output.

note: This error originates from a subprocess, and is likely not a problem with pip.
""")

# ---------------------------------------------------------------- near misses: 401/403/404 text that is not the answer
W("ok/pip-sizes-401kb-403kb-ok.log", "none", "wheel sizes 401 kB, 403 kB and 404 kB; the install succeeds", "plain", """
$ pip install -r requirements.txt
Collecting attrs==23.2.0 (from -r requirements.txt (line 1))
  Downloading attrs-23.2.0-py3-none-any.whl (60 kB)
Collecting idna==3.7 (from -r requirements.txt (line 2))
  Downloading idna-3.7-py3-none-any.whl (66 kB)
Collecting pyparsing==3.1.2 (from -r requirements.txt (line 3))
  Downloading pyparsing-3.1.2-py3-none-any.whl (103 kB)
Collecting contoso-status-codes==4.0.4 (from -r requirements.txt (line 4))
  Downloading contoso_status_codes-4.0.4-py3-none-any.whl (401 kB)
Collecting contoso-http==4.0.3 (from -r requirements.txt (line 5))
  Downloading contoso_http-4.0.3-py3-none-any.whl (403 kB)
Collecting contoso-notfound==0.4.4 (from -r requirements.txt (line 6))
  Downloading contoso_notfound-0.4.4-py3-none-any.whl (404 kB)
Installing collected packages: pyparsing, idna, attrs, contoso-status-codes, contoso-notfound, contoso-http
Successfully installed attrs-23.2.0 contoso-http-4.0.3 contoso-notfound-0.4.4 contoso-status-codes-4.0.4 idna-3.7 pyparsing-3.1.2
""")

W("ok/pip-verbose-extra-index-401-skipped-ok.log", "none", "pip -v skips an extra index that answers 401 and installs from PyPI", "plain", """
$ pip install -v --extra-index-url https://pkgs.contoso.example/pypi/ml-internal/simple requests==2.32.3
Using pip 24.0 from /usr/local/lib/python3.11/site-packages/pip (python 3.11)
Looking in indexes: https://pypi.org/simple, https://pkgs.contoso.example/pypi/ml-internal/simple
Collecting requests==2.32.3
  Could not fetch URL https://pkgs.contoso.example/pypi/ml-internal/simple/requests/: 401 Client Error: Unauthorized for url: https://pkgs.contoso.example/pypi/ml-internal/simple/requests/ - skipping
  Obtaining dependency information for requests==2.32.3 from https://files.pythonhosted.org/packages/f9/9b/335f9764261e915ed497fcdeb11df5dfd6f7bf257d4a6a2a686d80da4d54/requests-2.32.3-py3-none-any.whl.metadata
  Using cached requests-2.32.3-py3-none-any.whl.metadata (4.6 kB)
Requirement already satisfied: charset-normalizer<4,>=2 in /usr/local/lib/python3.11/site-packages (from requests==2.32.3) (3.3.2)
Requirement already satisfied: idna<4,>=2.5 in /usr/local/lib/python3.11/site-packages (from requests==2.32.3) (3.7)
Requirement already satisfied: urllib3<3,>=1.21.1 in /usr/local/lib/python3.11/site-packages (from requests==2.32.3) (2.2.2)
Requirement already satisfied: certifi>=2017.4.17 in /usr/local/lib/python3.11/site-packages (from requests==2.32.3) (2024.6.2)
Using cached requests-2.32.3-py3-none-any.whl (64 kB)
Installing collected packages: requests
Successfully installed requests-2.32.3
""")

W("pip/missing-package-private-index-404-verbose.log", "pip.no_matching_distribution", "pip -v: the index answers 404 for a misspelt project; the tool's own 'no matching distribution' is the answer", "plain", """
$ pip install -v --index-url https://pypi.contoso.example/simple contoso-fetaures==2.4.1
Using pip 23.2.1 from /usr/local/lib/python3.11/site-packages/pip (python 3.11)
Looking in indexes: https://pypi.contoso.example/simple
  Could not fetch URL https://pypi.contoso.example/simple/contoso-fetaures/: 404 Client Error: Not Found for url: https://pypi.contoso.example/simple/contoso-fetaures/ - skipping
ERROR: Could not find a version that satisfies the requirement contoso-fetaures==2.4.1 (from versions: none)
ERROR: No matching distribution found for contoso-fetaures==2.4.1
""")

W("conda/micromamba-404-channel-typo.log", "conda.channel_unavailable", "micromamba: a misspelt channel answers 404 for its repodata; a channel problem, not a missing file", "plain", """
$ micromamba create -y -n train -c conda-forgee python=3.11 numpy
conda-forgee/linux-64                                3.1kB @  21.2kB/s 404 failed  0.1s
conda-forgee/noarch                                  3.1kB @  20.6kB/s 404 failed  0.2s
critical libmamba Multiple errors occured:
    Multi-download failed. Reason: Transfer finalized, status: 404 [https://conda.anaconda.org/conda-forgee/noarch/repodata.json] 3101 bytes
    Subdir conda-forgee/noarch not loaded!
""")

W("registry/docker-pull-403-not-http-forbidden.log", "registry.access_denied", "a registry 403 stays a registry finding, not network.forbidden", "plain", """
$ docker pull contosoml.azurecr.io/serving/scorer:1.4.0
Error response from daemon: Head "https://contosoml.azurecr.io/v2/serving/scorer/manifests/1.4.0": denied: client with IP '198.51.100.23' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.
""")

with open(os.path.join(WORK, "rows-written.tsv"), "w") as f:
    f.write("\n".join(ROWS) + "\n")
print(len(ROWS), "written logs")
