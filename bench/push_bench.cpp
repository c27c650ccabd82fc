// Times envsmith's layer + push of a directory for bench/push_vs_skopeo.sh: image::assemble_image
// (one layer on scratch, into an OCI layout) then registry::push_from_layout to a registry,
// through the real libcurl transport. Not part of the build: the script compiles it against
// a build tree.
//   push_bench SOURCE_DIR LAYOUT_DIR REGISTRY/REPO:TAG [gzip|zstd|none] [THREADS] [CHUNK_BYTES]
// Prints: layer_s push_s max_rss_mib layer_bytes manifest_digest blobs_uploaded blobs_existed

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "envsmith/core/reporter.hpp"
#include "envsmith/image/assemble.hpp"
#include "envsmith/image/layout.hpp"
#include "envsmith/net/curl_transport.hpp"
#include "envsmith/registry/client.hpp"
#include "envsmith/registry/layout_transfer.hpp"
#include "envsmith/specs/image_ref.hpp"

int main(int argc, char** argv) {
    using namespace envsmith;
    using clock = std::chrono::steady_clock;
    if (argc < 4 || argc > 7) {
        std::fprintf(stderr,
                     "usage: %s SOURCE_DIR LAYOUT_DIR REGISTRY/REPO:TAG [gzip|zstd|none] "
                     "[THREADS] [CHUNK_BYTES]\n",
                     argv[0]);
        return 2;
    }
    const std::string compression = argc > 4 ? argv[4] : "gzip";
    const auto ref = specs::ImageRef::parse(argv[3]);
    if (!ref) {
        std::fprintf(stderr, "%s\n", ref.error().describe().c_str());
        return 2;
    }

    const auto start = clock::now();
    auto layout = image::Layout::open_or_create(argv[2]);
    if (!layout) {
        std::fprintf(stderr, "%s\n", layout.error().describe().c_str());
        return 1;
    }
    image::AssembleRequest request;
    request.layers.push_back({argv[1], "opt/envsmith/envs/bench", "push_bench"});
    request.compression = compression == "zstd"   ? image::Compression::zstd
                          : compression == "none" ? image::Compression::none
                                                  : image::Compression::gzip;
    request.threads = argc > 5 ? static_cast<unsigned>(std::strtoul(argv[5], nullptr, 10)) : 0;
    request.tag = ref->tag.empty() ? "bench" : ref->tag;
    auto assembled = image::assemble_image(*layout, request);
    if (!assembled) {
        std::fprintf(stderr, "%s\n", assembled.error().describe().c_str());
        return 1;
    }
    const auto layered = clock::now();

    core::NullReporter reporter;
    net::TransportOptions transport_options;
    transport_options.proxy = "";  // loopback: never through a proxy from the environment
    net::CurlTransport transport(transport_options, reporter);
    registry::ClientOptions options;
    if (argc > 6) {
        options.chunk_size_bytes = std::strtoull(argv[6], nullptr, 10);
    }
    registry::Client client(transport, reporter, options);
    auto pushed = registry::push_from_layout(client, *layout, request.tag, *ref);
    if (!pushed) {
        std::fprintf(stderr, "%s\n", pushed.error().describe().c_str());
        return 1;
    }
    const auto done = clock::now();

    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const std::chrono::duration<double> layer_s = layered - start;
    const std::chrono::duration<double> push_s = done - layered;
    std::uint64_t layer_bytes = 0;
    for (const auto& layer : assembled->new_layers) {
        layer_bytes += layer.descriptor.size;
    }
    std::printf("%.3f %.3f %.1f %llu %s %u %u\n", layer_s.count(), push_s.count(),
                static_cast<double>(usage.ru_maxrss) / 1024.0,
                static_cast<unsigned long long>(layer_bytes), pushed->manifest_digest.c_str(),
                pushed->blobs_uploaded, pushed->blobs_existed);
    return 0;
}
