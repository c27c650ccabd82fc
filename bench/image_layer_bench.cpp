// Times envsmith's layer creation (tar -> sha256 -> compress -> sha256 -> blob in a layout) for
// bench/image_vs_umoci.sh. Not part of the build: the script compiles it against a build tree.
//   image_layer_bench SOURCE_DIR LAYOUT_DIR PATH_IN_IMAGE gzip|zstd|none THREADS [LEVEL]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "envsmith/image/layer.hpp"
#include "envsmith/image/layout.hpp"

int main(int argc, char** argv) {
    using namespace envsmith;
    if (argc != 6 && argc != 7) {
        std::fprintf(stderr,
                     "usage: %s SOURCE_DIR LAYOUT_DIR PATH_IN_IMAGE gzip|zstd|none THREADS\n",
                     argv[0]);
        return 2;
    }
    const std::string compression = argv[4];
    image::LayerOptions options;
    options.path_in_image = argv[3];
    options.compression = compression == "zstd"   ? image::Compression::zstd
                          : compression == "none" ? image::Compression::none
                                                  : image::Compression::gzip;
    options.threads = static_cast<unsigned>(std::strtoul(argv[5], nullptr, 10));
    if (argc == 7) {
        options.gzip_level = std::atoi(argv[6]);
        options.zstd_level = options.gzip_level;
    }
    const auto start = std::chrono::steady_clock::now();
    auto layout = image::Layout::open_or_create(argv[2]);
    if (!layout) {
        std::fprintf(stderr, "%s\n", layout.error().describe().c_str());
        return 1;
    }
    auto layer = image::make_layer(*layout, argv[1], options);
    if (!layer) {
        std::fprintf(stderr, "%s\n", layer.error().describe().c_str());
        return 1;
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    std::printf("%.3f %llu %llu %s\n", elapsed.count(),
                static_cast<unsigned long long>(layer->tar_bytes),
                static_cast<unsigned long long>(layer->descriptor.size),
                layer->descriptor.digest.to_string().c_str());
    return 0;
}
