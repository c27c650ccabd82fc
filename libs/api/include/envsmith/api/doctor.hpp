#pragma once
// The doctor use case: read a build log (a file or standard input) in chunks and diagnose it
// with the built-in failure catalogue. Memory stays bounded whatever the log's size.

#include <string>

#include "envsmith/core/result.hpp"
#include "envsmith/diag/doctor.hpp"

namespace envsmith::api {

struct DoctorOptions {
    std::string path = "-";  // "-" reads standard input
};

struct DoctorReport {
    diag::Doctor doctor;  // owns the catalogue the findings point into
    diag::Diagnosis diagnosis;
};

/// Fails with `fs.not_found`/`fs.read_failed` when the log cannot be read, or `catalog.invalid`
/// when the built-in catalogue is broken (a bug).
[[nodiscard]] core::Result<DoctorReport> diagnose_log(const DoctorOptions& options);

}  // namespace envsmith::api
