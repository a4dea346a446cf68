// bench_data_dir.h — what the benches that render share: a fresh data directory under the
// system temp dir with its SQLite store, blob store and render engine, the given generators
// registered. Removed (after closing the store) on destruction.
//
//   bench::DataDir d("c2pa-bench", {"examples/generators/flow-field"});
//   d.engine->render(request);
#pragma once

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "render/engine.h"
#include "store/blob_store.h"
#include "store/sqlite_store.h"

namespace atelier::bench {

struct DataDir {
  std::filesystem::path dir;
  store::DataDir paths;
  std::unique_ptr<store::SqliteStore> db;
  std::unique_ptr<store::BlobStore> blobs;
  std::unique_ptr<render::Engine> engine;

  // `name` (with the process id) names the directory, which is emptied first; `generators` are
  // directories under the source tree. A generator that does not register is reported on
  // stderr (its benchmarks then fail with the render's error).
  DataDir(const std::string& name, const std::vector<std::string>& generators,
          render::EngineOptions options = {})
      : dir(std::filesystem::temp_directory_path() /
            ("atelier-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir);
    paths = store::open_data_dir(dir).value();
    db = store::SqliteStore::open(paths.db_path()).value();
    blobs = std::make_unique<store::BlobStore>(paths.blobs_path());
    engine = std::make_unique<render::Engine>(*db, *blobs, options);
    for (const auto& g : generators) {
      auto r = engine->add_generator(std::filesystem::path(ATELIER_SOURCE_DIR) / g);
      if (!r)
        std::fprintf(stderr, "cannot register %s: %s\n", g.c_str(), r.error().to_string().c_str());
    }
  }
  DataDir(const DataDir&) = delete;
  DataDir& operator=(const DataDir&) = delete;
  ~DataDir() {
    engine.reset();
    blobs.reset();
    db.reset();
    std::filesystem::remove_all(dir);
  }
};

}  // namespace atelier::bench
