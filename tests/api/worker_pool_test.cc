#include "api/internal/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>

namespace atelier::api {
namespace {

TEST(WorkerPool, RunsJobsAndBoundsTheQueue) {
  WorkerPool pool(1, 2);
  std::promise<void> gate;
  auto gate_future = gate.get_future().share();
  std::atomic<int> ran{0};
  std::promise<void> started;
  ASSERT_TRUE(pool.try_submit({[&] {
                                 started.set_value();
                                 gate_future.wait();
                                 ++ran;
                               },
                               {}}));
  started.get_future().wait();  // The one worker is busy now.
  EXPECT_TRUE(pool.try_submit({[&] { ++ran; }, {}}));
  EXPECT_TRUE(pool.try_submit({[&] { ++ran; }, {}}));
  EXPECT_FALSE(pool.try_submit({[&] { ++ran; }, {}}));  // Queue of 2 is full.
  gate.set_value();
  pool.shutdown(true);
  EXPECT_EQ(ran, 3);
}

TEST(WorkerPool, ShutdownCancelsQueuedJobsWhenAsked) {
  WorkerPool pool(1, 8);
  std::promise<void> gate;
  auto gate_future = gate.get_future().share();
  std::promise<void> started;
  std::atomic<int> ran{0}, cancelled{0};
  ASSERT_TRUE(pool.try_submit({[&] {
                                 started.set_value();
                                 gate_future.wait();
                                 ++ran;
                               },
                               [&] { ++cancelled; }}));
  started.get_future().wait();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(pool.try_submit({[&] { ++ran; }, [&] { ++cancelled; }}));
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    gate.set_value();
  });
  pool.shutdown(false);
  releaser.join();
  EXPECT_EQ(ran, 1);        // The running job finished.
  EXPECT_EQ(cancelled, 3);  // The queued ones were cancelled, not dropped silently.
  EXPECT_FALSE(pool.try_submit({[] {}, {}}));
}

}  // namespace
}  // namespace atelier::api
