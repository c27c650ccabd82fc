// The labelled log corpus (tests/data/logs/expected.tsv): for every log, the built-in
// catalogue must name the labelled root cause first (or nothing, for `none`).

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "envsmith/core/text.hpp"
#include "envsmith/diag/doctor.hpp"
#include "matchers.hpp"

namespace envsmith::diag {
namespace {

struct Labelled {
    std::string path;
    std::string root_cause;
};

std::vector<Labelled> read_labels() {
    std::vector<Labelled> out;
    std::ifstream in(std::string(ENVSMITH_LOG_CORPUS_DIR) + "/expected.tsv");
    std::string line;
    bool header = true;
    while (std::getline(in, line)) {
        if (header) {
            header = false;
            continue;
        }
        const auto fields = core::split(line, '\t');
        if (fields.size() >= 2 && !fields[0].empty()) {
            out.push_back({std::string(fields[0]), std::string(core::trim(fields[1]))});
        }
    }
    return out;
}

TEST(CorpusTest, TopRootCauseOfEveryLabelledLog) {
    const auto labels = read_labels();
    ASSERT_GE(labels.size(), 150U) << "the corpus should hold at least 150 labelled logs";
    auto catalog = FailureCatalog::load_builtin();
    ASSERT_THAT(catalog, test::Succeeds());
    const auto ids = [&] {
        std::map<std::string, int> m;
        for (const auto& e : catalog->entries()) m[e.id] = 0;
        return m;
    }();
    auto doctor = Doctor::create(std::move(*catalog));
    ASSERT_THAT(doctor, test::Succeeds());

    std::map<std::string, int> per_id = ids;
    std::size_t right = 0;
    std::ostringstream wrong;
    for (const auto& label : labels) {
        const auto text = test::read_text(std::string(ENVSMITH_LOG_CORPUS_DIR) + "/" + label.path);
        ASSERT_FALSE(text.empty()) << label.path;
        if (label.root_cause != "none") {
            ASSERT_TRUE(ids.count(label.root_cause) == 1) << label.path << ": unknown id " << label.root_cause;
            ++per_id[label.root_cause];
        }
        const auto d = doctor->diagnose(text);
        const std::string got = d.root() ? d.root()->id() : "none";
        if (got == label.root_cause) {
            ++right;
        } else {
            wrong << "  " << label.path << ": expected " << label.root_cause << ", got " << got << "\n";
        }
    }
    EXPECT_EQ(right, labels.size()) << right << "/" << labels.size() << " right; wrong:\n" << wrong.str();
    for (const auto& [id, count] : per_id) {
        EXPECT_GE(count, 2) << "catalogue entry " << id << " has fewer than 2 labelled logs";
    }
}

}  // namespace
}  // namespace envsmith::diag
