#pragma once
// The machine envsmith runs on, as the conda solver sees it: the facts its virtual packages
// come from, its conda subdir, and the user's CONDA_OVERRIDE_* variables. This is the I/O half
// of specs/virtual_packages.hpp (uname, confstr, the CUDA driver, the process environment);
// docs/virtual_packages.md describes both.

#include <map>
#include <string>

#include "envsmith/specs/virtual_packages.hpp"

namespace envsmith::api {

/// Detects what the virtual packages need, best effort; a fact that cannot be found is absent.
///  - `linux_kernel`: uname(2)'s release on Linux, cut to its leading numbers (`6.1.0`).
///  - `glibc`: confstr(_CS_GNU_LIBC_VERSION) without the `glibc ` prefix (`2.36`); absent on
///    musl and outside Linux.
///  - `osx`: the macOS product version (sysctl `kern.osproductversion`), on macOS only.
///  - `cuda`: the newest CUDA version the NVIDIA driver supports, `major.minor`, read by loading
///    `libcuda.so.1` and calling cuInit(0) and cuDriverGetVersion through function pointers
///    (no CUDA headers or libraries at build time). Absent when the library is missing or
///    cuInit fails (no GPU, no device node). The library stays loaded once cuInit has run.
///  - `archspec`: the machine name of uname(2) in archspec's spelling (`x86_64`, `aarch64`,
///    `arm64` on macOS, `x86` for i386-i686), not a microarchitecture such as `skylake`:
///    packages that need a finer CPU level can be matched with CONDA_OVERRIDE_ARCHSPEC.
///  - `windows`: never set; Windows hosts are not supported yet.
/// Calls into the CUDA driver, so it may take a noticeable time on a GPU machine: call it once.
[[nodiscard]] specs::HostFacts detect_host();

/// The conda subdir of the running machine from uname(2): `linux-64`, `linux-aarch64`,
/// `linux-ppc64le`, `osx-64`, `osx-arm64`, ... For a system or machine conda has no subdir for,
/// `<system>-<machine>` in lowercase (`freebsd-amd64`), which `specs::virtual_packages`
/// rejects.
[[nodiscard]] std::string host_platform();

/// The CONDA_OVERRIDE_* variables set in this process's environment (empty values included),
/// for `specs::virtual_packages`.
[[nodiscard]] std::map<std::string, std::string> conda_overrides_from_process_environment();

/// X.Y of the `python3` on this machine's PATH, or empty when there is none.
[[nodiscard]] std::string host_python_version();

}  // namespace envsmith::api
