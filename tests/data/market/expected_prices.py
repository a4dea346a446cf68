#!/usr/bin/env python3
"""Expected prices for tests/market/pricing_test.cc, computed independently of the engine.

How the values are computed: straight from each kind's textbook formula (src/market/pricing.h)
in exact or 60-significant-digit arithmetic, with none of the engine's wad steps:

  * parameters are read as exact decimals (decimal.Decimal from the same strings the test
    passes to the engine), never through binary floating point;
  * exp and ln are Decimal.exp() / Decimal.ln(), correctly rounded at 60 digits;
  * powers are written as exp(y * ln(x)); t = elapsed_s / 86400 exactly.

The result is the real-valued price in wei, written with 6 decimals; the C++ test accepts an
engine price within a relative 1e-9 of it (the engine rounds down at a few wad steps, so it is
never exact, but its error is around 1e-15 for these inputs).

Regenerate with:  python3 tests/data/market/expected_prices.py > tests/data/market/expected_prices.json
Python 3 standard library only.
"""
import json
from decimal import Decimal as D, getcontext

getcontext().prec = 60
SECONDS_PER_DAY = D(86400)


def dutch_linear(p, s, n, q):
    start, end, duration = D(p["start_price"]), D(p["end_price"]), D(p["duration_s"])
    if s >= duration:
        return end
    return start - (start - end) * D(s) / duration


def dutch_exponential(p, s, n, q):
    start, end, half_life = D(p["start_price"]), D(p["end_price"]), D(p["half_life_s"])
    decayed = start * (-(D(s) / half_life) * D(2).ln()).exp()
    return max(end, decayed)


def gda_discrete(p, s, n, q):
    initial, alpha, decay = D(p["initial_price"]), D(p["scale_factor"]), D(p["decay_constant"])
    alpha_n = (D(n) * alpha.ln()).exp()
    alpha_q = (D(q) * alpha.ln()).exp()
    return initial * alpha_n * (alpha_q - 1) / (alpha - 1) / (decay * D(s)).exp()


def gda_continuous(p, s, n, q):
    initial, rate, decay = D(p["initial_price"]), D(p["emission_rate"]), D(p["decay_constant"])
    return initial / decay * ((decay * D(q) / rate).exp() - 1) / (decay * D(s)).exp()


def vrgda(target_price, decay, t_days, target_sale_days):
    return target_price * ((t_days - target_sale_days) * (1 - decay).ln()).exp()


def vrgda_linear(p, s, n, q):
    target_sale = D(n + 1) / D(p["per_time_unit"])  # The (sold + 1)-th token, as the contract.
    return vrgda(D(p["target_price"]), D(p["decay"]), D(s) / SECONDS_PER_DAY, target_sale)


def vrgda_logistic(p, s, n, q):
    limit = D(p["max_sellable"]) + 1
    sold = D(n + 1)
    target_sale = -((2 * limit / (sold + limit) - 1).ln()) / D(p["time_scale"])
    return vrgda(D(p["target_price"]), D(p["decay"]), D(s) / SECONDS_PER_DAY, target_sale)


FORMULAS = {
    "dutch-linear": dutch_linear,
    "dutch-exponential": dutch_exponential,
    "gda-discrete": gda_discrete,
    "gda-continuous": gda_continuous,
    "vrgda-linear": vrgda_linear,
    "vrgda-logistic": vrgda_logistic,
}

DAY = 86400
# (kind, params, [(elapsed_s, sold, quantity), ...])
MODELS = [
    ("dutch-linear",
     {"start_price": "1000000000000000007", "end_price": "123456789012345678", "duration_s": "25200"},
     [(0, 0, 1), (1, 0, 1), (12345, 0, 1), (25199, 3, 1), (25200, 0, 1), (10 * DAY, 0, 1)]),
    ("dutch-exponential",
     {"start_price": "5000000000000000000", "end_price": "10000000000000000", "half_life_s": "600"},
     [(0, 0, 1), (1, 0, 1), (300, 0, 1), (600, 0, 1), (1234, 0, 1), (6000, 0, 1), (DAY, 0, 1)]),
    ("gda-discrete",
     {"initial_price": "1000000000000000000", "scale_factor": "1.1", "decay_constant": "0.0001"},
     [(0, 0, 1), (0, 10, 1), (3600, 10, 5), (DAY, 50, 3), (100, 0, 20), (2 * DAY, 120, 2)]),
    ("gda-discrete",
     {"initial_price": "250000000000000000", "scale_factor": "1.0005", "decay_constant": "0.000001"},
     [(0, 1000, 100), (12 * 3600, 2500, 1), (30 * DAY, 5000, 10)]),
    ("gda-continuous",
     {"initial_price": "10000000000000000", "emission_rate": "2.5", "decay_constant": "0.003"},
     [(0, 0, 1), (10, 0, 1), (600, 0, 50), (3600, 0, 100), (1, 0, 1000)]),
    ("vrgda-linear",
     {"target_price": "69420000000000000000", "decay": "0.31", "per_time_unit": "2"},
     [(0, 0, 1), (DAY // 2, 0, 1), (DAY, 1, 1), (123457, 3, 1), (10 * DAY, 25, 1),
      (30 * DAY, 10, 1), (365 * DAY, 800, 1)]),
    ("vrgda-logistic",
     {"target_price": "69420000000000000000", "decay": "0.31", "max_sellable": "6392",
      "time_scale": "0.0023"},
     [(0, 0, 1), (DAY, 10, 1), (30 * DAY, 500, 1), (365 * DAY, 3000, 1), (4000 * DAY, 6391, 1),
      (650 * DAY, 4000, 1)]),
]


def main():
    cases = []
    for kind, params, queries in MODELS:
        for elapsed_s, sold, quantity in queries:
            price = FORMULAS[kind](params, elapsed_s, sold, quantity)
            cases.append({
                "kind": kind,
                "params": params,
                "elapsed_s": elapsed_s,
                "sold": sold,
                "quantity": quantity,
                "expected_wei": f"{price:.6f}",
            })
    print(json.dumps({"generator": "tests/data/market/expected_prices.py", "cases": cases},
                     indent=1))


if __name__ == "__main__":
    main()
