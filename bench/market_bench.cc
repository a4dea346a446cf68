// Price queries per second for each pricing kind (src/market/pricing.h): one quote_price call
// per iteration, as `atelier market quote` and the API make it (validation included), over a
// spread of elapsed times and sales so no single fast path is measured.
//
//   build/bench/market_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "market/pricing.h"

namespace {

using atelier::market::PriceModel;
using atelier::market::PriceParams;

PriceModel model(const std::string& kind, const PriceParams& params) {
  auto m = atelier::market::parse_price_model(kind, params);
  if (!m) std::abort();
  return *m;
}

// Quotes `m` at (elapsed, sold) cycling through 64 points of a day-long, 64-sale window.
void quote_loop(benchmark::State& state, const PriceModel& m, std::uint64_t quantity) {
  std::uint64_t i = 0;
  for (auto _ : state) {
    atelier::market::QuoteQuery q{
        .elapsed_s = (i % 64) * 1350, .sold = i % 64, .quantity = quantity};
    auto price = atelier::market::quote_price(m, q);
    benchmark::DoNotOptimize(price);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_DutchLinear(benchmark::State& state) {
  quote_loop(state,
             model("dutch-linear", {{"start_price", "1000000000000000000"},
                                    {"end_price", "1000000000000000"},
                                    {"duration_s", "86400"}}),
             1);
}
void BM_DutchExponential(benchmark::State& state) {
  quote_loop(state,
             model("dutch-exponential", {{"start_price", "1000000000000000000"},
                                         {"end_price", "1000000000000000"},
                                         {"half_life_s", "3600"}}),
             1);
}
void BM_GdaDiscrete(benchmark::State& state) {
  quote_loop(state,
             model("gda-discrete", {{"initial_price", "1000000000000000000"},
                                    {"scale_factor", "1.1"},
                                    {"decay_constant", "0.0001"}}),
             3);
}
void BM_GdaContinuous(benchmark::State& state) {
  quote_loop(state,
             model("gda-continuous", {{"initial_price", "10000000000000000"},
                                      {"emission_rate", "2.5"},
                                      {"decay_constant", "0.003"}}),
             10);
}
void BM_VrgdaLinear(benchmark::State& state) {
  quote_loop(
      state,
      model("vrgda-linear",
            {{"target_price", "69420000000000000000"}, {"decay", "0.31"}, {"per_time_unit", "2"}}),
      1);
}
void BM_VrgdaLogistic(benchmark::State& state) {
  quote_loop(state,
             model("vrgda-logistic", {{"target_price", "69420000000000000000"},
                                      {"decay", "0.31"},
                                      {"max_sellable", "6392"},
                                      {"time_scale", "0.0023"}}),
             1);
}

BENCHMARK(BM_DutchLinear);
BENCHMARK(BM_DutchExponential);
BENCHMARK(BM_GdaDiscrete);
BENCHMARK(BM_GdaContinuous);
BENCHMARK(BM_VrgdaLinear);
BENCHMARK(BM_VrgdaLogistic);

}  // namespace

BENCHMARK_MAIN();
