#pragma once
// Container image references, as the OCI distribution reference grammar defines them
// (github.com/distribution/reference, reference.go):
//
//   reference        := name [ ":" tag ] [ "@" digest ]
//   name             := [domain '/'] path-component ['/' path-component]*
//   domain           := host [':' port-number]        host: domain-name | IPv4 | '[' IPv6 ']'
//   path-component   := [a-z0-9]+ (separator [a-z0-9]+)*   separator: '.' | '_' | '__' | '-'+
//   tag              := [\w][\w.-]{0,127}
//   digest           := algorithm ':' hex              sha256 needs 64 lowercase hex digits
//
// The first component is a registry host only when it contains '.' or ':' or is `localhost`,
// as docker does; a name without a host is on Docker Hub (`docker.io`, `library/` for
// official images).

#include <string>
#include <string_view>

#include "envsmith/core/result.hpp"

namespace envsmith::specs {

/// A parsed and normalised image reference: `ubuntu` is `docker.io/library/ubuntu:latest`.
struct ImageRef {
    std::string registry;    // "docker.io", "myacr.azurecr.io", "localhost:5000", "[::1]:5000"
    std::string repository;  // "library/ubuntu", "team/app"
    std::string tag;         // "latest" when the text has neither a tag nor a digest
    std::string digest;      // "sha256:<64 hex>", or empty

    /// Parses and normalises `text`. Fails with `invalid_input` and an id that names the
    /// problem: image_ref.empty, image_ref.scheme, image_ref.backslash, image_ref.double_slash,
    /// image_ref.whitespace, image_ref.empty_component, image_ref.uppercase,
    /// image_ref.doubled_host, image_ref.bad_host, image_ref.bad_port, image_ref.bad_component,
    /// image_ref.bad_tag, image_ref.bad_digest, image_ref.hex_name, image_ref.too_long. The
    /// error is anchored at line 1, column N of `text` (re-anchor with `Error::within`).
    [[nodiscard]] static core::Result<ImageRef> parse(std::string_view text);

    /// `registry/repository`, e.g. "docker.io/library/ubuntu".
    [[nodiscard]] std::string name() const;
    /// The full normalised form: "docker.io/library/ubuntu:latest", "host/repo@sha256:...",
    /// "host/repo:tag@sha256:...". `parse(r.to_string()) == r`.
    [[nodiscard]] std::string to_string() const;
    /// The short form people type: "ubuntu:latest", "team/app:1.0", "myacr.azurecr.io/app:1".
    /// `docker.io/` and `library/` are dropped; the tag and digest are kept.
    [[nodiscard]] std::string familiar() const;

    friend bool operator==(const ImageRef&, const ImageRef&) = default;
};

}  // namespace envsmith::specs
