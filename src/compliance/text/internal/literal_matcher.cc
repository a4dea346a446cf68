// literal_matcher.cc — the Vectorscan adapter: compile literals, pool scratch spaces, scan.
#include "compliance/text/internal/literal_matcher.h"

#include <hs.h>

#include <mutex>

#include "core/assert.h"

namespace atelier::compliance::text::internal {

struct LiteralMatcher::Db {
  hs_database_t* database = nullptr;
  std::mutex mutex;
  std::vector<hs_scratch_t*> idle;  // scratch spaces not in use, guarded by mutex

  ~Db() {
    for (hs_scratch_t* s : idle) hs_free_scratch(s);
    if (database != nullptr) hs_free_database(database);
  }

  // A scratch space for one scan: a pooled one, or a new one.
  hs_scratch_t* take() {
    {
      std::lock_guard lock(mutex);
      if (!idle.empty()) {
        hs_scratch_t* s = idle.back();
        idle.pop_back();
        return s;
      }
    }
    hs_scratch_t* s = nullptr;
    return hs_alloc_scratch(database, &s) == HS_SUCCESS ? s : nullptr;
  }

  void give_back(hs_scratch_t* s) {
    std::lock_guard lock(mutex);
    idle.push_back(s);
  }
};

LiteralMatcher::LiteralMatcher(std::unique_ptr<Db> db) : db_(std::move(db)) {}
LiteralMatcher::LiteralMatcher(LiteralMatcher&&) noexcept = default;
LiteralMatcher& LiteralMatcher::operator=(LiteralMatcher&&) noexcept = default;
LiteralMatcher::~LiteralMatcher() = default;

Result<LiteralMatcher> LiteralMatcher::compile(const std::vector<std::string>& literals) {
  ATELIER_ASSERT(!literals.empty(), "the screener compiles at least one term");
  std::vector<const char*> expressions;
  std::vector<std::size_t> lengths;
  std::vector<unsigned> ids;
  const std::vector<unsigned> flags(literals.size(), 0);  // case-sensitive: text is folded
  for (std::size_t i = 0; i < literals.size(); ++i) {
    ATELIER_ASSERT(!literals[i].empty(), "literals are non-empty");
    expressions.push_back(literals[i].data());
    lengths.push_back(literals[i].size());
    ids.push_back(static_cast<unsigned>(i));
  }
  auto db = std::make_unique<Db>();
  hs_compile_error_t* error = nullptr;
  if (hs_compile_lit_multi(expressions.data(), flags.data(), ids.data(), lengths.data(),
                           static_cast<unsigned>(literals.size()), HS_MODE_BLOCK, nullptr,
                           &db->database, &error) != HS_SUCCESS) {
    std::string message = error != nullptr ? error->message : "unknown error";
    hs_free_compile_error(error);
    return fail(Error::internal("matcher_compile_failed",
                                "Vectorscan could not compile the terms: " + message));
  }
  hs_scratch_t* first = nullptr;
  if (hs_alloc_scratch(db->database, &first) != HS_SUCCESS) {
    return fail(Error::internal("matcher_scratch_failed", "Vectorscan scratch allocation"));
  }
  db->idle.push_back(first);
  return LiteralMatcher(std::move(db));
}

Result<bool> LiteralMatcher::scan(
    std::string_view text, const std::function<bool(std::uint32_t, std::size_t)>& on_hit) const {
  hs_scratch_t* scratch = db_->take();
  if (scratch == nullptr) {
    return fail(Error::internal("matcher_scratch_failed", "Vectorscan scratch allocation"));
  }
  const auto callback = [](unsigned id, unsigned long long /*from*/, unsigned long long to,
                           unsigned /*flags*/, void* context) -> int {
    const auto& hit = *static_cast<const std::function<bool(std::uint32_t, std::size_t)>*>(context);
    return hit(id, static_cast<std::size_t>(to)) ? 0 : 1;
  };
  const hs_error_t status =
      hs_scan(db_->database, text.data(), static_cast<unsigned>(text.size()), 0, scratch, callback,
              const_cast<void*>(static_cast<const void*>(&on_hit)));
  db_->give_back(scratch);
  if (status == HS_SCAN_TERMINATED) return false;
  if (status != HS_SUCCESS) {
    return fail(Error::internal("matcher_scan_failed",
                                "Vectorscan scan failed with code " + std::to_string(status)));
  }
  return true;
}

std::size_t LiteralMatcher::database_bytes() const {
  std::size_t bytes = 0;
  return hs_database_size(db_->database, &bytes) == HS_SUCCESS ? bytes : 0;
}

}  // namespace atelier::compliance::text::internal
