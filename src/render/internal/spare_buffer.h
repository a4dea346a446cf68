// spare_buffer.h — one spare buffer per thread and use, handed from one render to the next.
//
// Why: a render allocates a few multi-megabyte buffers (the canvas pixels, the stroke
// coverage, the RGBA image, the PNG filter and deflate buffers) and frees them at the end.
// Fresh pages cost a page fault per 4 KiB on first touch (about 2.7 µs each in the KVM guest
// the README measures on: together ~9 ms of a 1024² render), more than the work that fills
// them. A render worker renders one image after another on the same thread, so keeping the
// last buffer of each kind per thread removes nearly all of those faults.
//
// Contract: take() returns a vector of exactly `n` elements whose contents are whatever the
// previous user left (callers that need zeros either clear it or keep it zero themselves);
// give() keeps the buffer if it is at most kSpareBytesMax and larger than the one kept. Not
// shared between threads (thread_local), so no locking.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace atelier::render::internal {

// Buffers above this are freed, not kept: a one-off huge render must not pin its memory.
inline constexpr std::size_t kSpareBytesMax = std::size_t{64} << 20;

template <typename T, typename Use>
class SpareBuffer {
 public:
  static std::vector<T> take(std::size_t n) {
    std::vector<T> v;
    if (spare().capacity() >= n) v.swap(spare());
    v.resize(n);
    return v;
  }
  static void give(std::vector<T>&& v) {
    if (v.capacity() * sizeof(T) <= kSpareBytesMax && v.capacity() > spare().capacity())
      spare() = std::move(v);
  }

 private:
  static std::vector<T>& spare() {
    thread_local std::vector<T> buffer;
    return buffer;
  }
};

}  // namespace atelier::render::internal
