// The layer rule of CONTRIBUTING.md, checked on the source tree itself:
// util ← config ← identity ← naming ← kernel ← records ← metrics ← web ← app. A file may include
// its own layer and those to its left; src/ holds nothing but the layers.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace execmond {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 9> kLayers = {
    "util", "config", "identity", "naming", "kernel", "records", "metrics", "web", "app"};

int rank_of(std::string_view layer) {
  const auto* it = std::find(kLayers.begin(), kLayers.end(), layer);
  return it == kLayers.end() ? -1 : static_cast<int>(it - kLayers.begin());
}

// The layer named by each `#include "layer/…"` in `file`.
std::vector<std::string> included_layers(const fs::path& file) {
  std::vector<std::string> layers;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t hash = line.find_first_not_of(" \t");
    if (hash == std::string::npos || line[hash] != '#') continue;
    const std::size_t word = line.find_first_not_of(" \t", hash + 1);
    if (word == std::string::npos || line.compare(word, 7, "include") != 0) continue;
    const std::size_t open = line.find('"', word);
    if (open == std::string::npos) continue;  // <system> headers
    const std::size_t close = line.find('"', open + 1);
    const std::size_t slash = line.find('/', open);
    if (close == std::string::npos || slash > close) continue;  // "execmond.h": bpf/
    layers.push_back(line.substr(open + 1, slash - open - 1));
  }
  return layers;
}

const fs::path kSrc = fs::path(EXECMOND_SOURCE_DIR) / "src";

TEST(LayersTest, SrcHoldsOnlyTheLayerFolders) {
  for (const fs::directory_entry& entry : fs::directory_iterator(kSrc)) {
    EXPECT_TRUE(entry.is_directory()) << entry.path() << ": a source file belongs in a layer";
    EXPECT_GE(rank_of(entry.path().filename().string()), 0)
        << entry.path() << " is no layer of CONTRIBUTING.md";
  }
}

TEST(LayersTest, IncludesPointOnlyToTheSameLayerOrOnesBelow) {
  int files = 0;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(kSrc)) {
    if (!entry.is_regular_file()) continue;
    const std::string layer = fs::relative(entry.path(), kSrc).begin()->string();
    const int rank = rank_of(layer);
    ASSERT_GE(rank, 0) << entry.path();
    ++files;
    for (const std::string& target : included_layers(entry.path())) {
      const int target_rank = rank_of(target);
      EXPECT_GE(target_rank, 0) << entry.path() << " includes from " << target << "/";
      EXPECT_LE(target_rank, rank)
          << entry.path() << " (" << layer << ") includes from " << target << "/, a layer above it";
    }
  }
  EXPECT_GT(files, 40) << "the source tree was not found at " << kSrc;
}

TEST(LayersTest, TheCheckSeesAnIncludeThatPointsUp) {
  const fs::path probe = fs::temp_directory_path() / "execmond_layers_probe.h";
  {
    std::ofstream out(probe);
    out << "#pragma once\n  #include \"app/daemon.h\"\n#include <string>\n"
        << "#include \"execmond.h\"  // shared with bpf/\n# include \"web/http_server.h\"\n";
  }
  EXPECT_EQ(included_layers(probe), (std::vector<std::string>{"app", "web"}));
  fs::remove(probe);
}

}  // namespace
}  // namespace execmond
