// literal_matcher.h — every occurrence of many byte strings in one pass: Vectorscan (the
// portable fork of Intel's Hyperscan, Debian's libvectorscan-dev) compiling the normalized
// terms as literals. docs/compliance.md says why this and not an Aho–Corasick of our own.
//
// Thread safety: scan() may run on many threads; each takes a scratch space from a pool
// (Hyperscan needs one per concurrent scan) and puts it back.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace atelier::compliance::text::internal {

class LiteralMatcher {
 public:
  // Compiles `literals` (non-empty byte strings); a hit names a literal by its index.
  static Result<LiteralMatcher> compile(const std::vector<std::string>& literals);

  LiteralMatcher(LiteralMatcher&&) noexcept;
  LiteralMatcher& operator=(LiteralMatcher&&) noexcept;
  ~LiteralMatcher();

  // Calls on_hit(literal, end) for every occurrence, `end` the byte offset just past it, in
  // order of `end`. on_hit returns false to stop; then scan returns false.
  Result<bool> scan(std::string_view text,
                    const std::function<bool(std::uint32_t, std::size_t)>& on_hit) const;

  std::size_t database_bytes() const;

 private:
  struct Db;
  explicit LiteralMatcher(std::unique_ptr<Db> db);
  std::unique_ptr<Db> db_;
};

}  // namespace atelier::compliance::text::internal
