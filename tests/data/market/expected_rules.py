#!/usr/bin/env python3
"""Expected demand-rule prices for tests/market/rules_test.cc, computed independently of the engine.

For each case (base price, tier multiplier in bps, decay D, per_day R, elapsed_s S, sold N):

  * "real": the textbook value floor(base * M / 10000) * (1 - D)^(S/86400 - N/R), in
    60-significant-digit decimal arithmetic (Decimal.ln / Decimal.exp, correctly rounded), the
    parameters read as exact decimals; written with 6 decimals. The C++ test accepts the engine
    within a relative 1e-9 of it.
  * "steps": the same price through the integer steps src/market/rules.h documents (solmate
    wadLn / wadExp, SDIV truncation, floor of the final product), using the transcription of
    solmate in expected_prices.py, which checks itself against solmate's published vectors.
    The C++ test requires the engine to equal it to the unit.

    python3 tests/data/market/expected_rules.py

prints the C++ initializers pasted into rules_test.cc. Python 3 standard library only.
"""
import os
import sys
from decimal import Decimal as D, getcontext

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from expected_prices import WAD, check_transcription, sdiv, wad_exp, wad_ln, wad_of  # noqa: E402

getcontext().prec = 60

CASES = [
    # base, multiplier_bps, decay, per_day, elapsed_s, sold
    (10**30, 10000, "0.05", "10", 0, 0),
    (10**30, 10000, "0.05", "10", 86400, 0),
    (10**30, 10000, "0.05", "10", 86400, 10),
    (10**30, 10000, "0.05", "10", 3 * 86400 + 12345, 47),
    (10**30, 10000, "0.05", "10", 0, 100),
    (10**30, 10000, "0.05", "10", 30 * 86400, 5),
    (10**30, 10000, "0.31", "2", 7 * 86400 + 1, 3),
    (10**30, 10000, "0.001", "1000", 123456, 789),
    (10**30, 10000, "0.5", "0.25", 10 * 86400, 1),
    (12345678901234567890123, 30000, "0.05", "10", 2 * 86400, 25),
    (987654321987654321, 15000, "0.123456789", "3.5", 1000000, 12),
]


def real(base, bps, decay, per_day, s, n):
    p1 = D(base * bps // 10000)
    exponent = D(s) / D(86400) - D(n) / D(per_day)
    return p1 * (exponent * (1 - D(decay)).ln()).exp()


def steps(base, bps, decay, per_day, s, n):
    p1 = base * bps // 10000
    k = wad_ln(WAD - wad_of(decay))
    t = s * WAD // 86400
    due = sdiv(n * WAD * WAD, wad_of(per_day))
    factor = wad_exp(sdiv(k * (t - due), WAD))
    return p1 * factor // WAD


def main():
    check_transcription()
    for c in CASES:
        base, bps, decay, per_day, s, n = c
        print(f'    {{"{base}", {bps}, "{decay}", "{per_day}", {s}, {n}, '
              f'"{real(*c):.6f}", "{steps(*c)}"}},')


if __name__ == "__main__":
    main()
