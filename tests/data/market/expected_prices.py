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

For the two VRGDA kinds the file also holds "contract_wei": the price the transmissions11
contracts charge, from a Python transcription of their integer steps (VRGDA.getVRGDAPrice,
Linear/LogisticVRGDA.getTargetSaleTime, solmate SignedWadMath wadExp/wadLn/wadMul with EVM
rounding: SDIV truncates toward zero, SAR floors). The transcription checks itself against
solmate's published wadExp/wadLn vectors before writing anything. The C++ test requires the
engine to equal it to the wei: a second, separately written port of the same contract code.

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


# ---- The contracts' integer arithmetic (EVM semantics), for "contract_wei". -------------------

WAD = 10**18


def sdiv(a, b):
    """EVM SDIV: truncates toward zero (Python's // floors)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def wad_exp(x):
    """solmate SignedWadMath.wadExp; Python's >> on negatives is SAR (floor)."""
    if x <= -42139678854452767551:
        return 0
    assert x < 135305999368893231589, "EXP_OVERFLOW"
    x = sdiv(x << 78, 5**18)
    k = (sdiv(x << 96, 54916777467707473351141471128) + 2**95) >> 96
    x = x - k * 54916777467707473351141471128
    y = x + 1346386616545796478920950773328
    y = ((y * x) >> 96) + 57155421227552351082224309758442
    p = y + x - 94201549194550492254356042504812
    p = ((p * y) >> 96) + 28719021644029726153956944680412240
    p = p * x + (4385272521454847904659076985693276 << 96)
    q = x - 2855989394907223263936484059900
    q = ((q * x) >> 96) + 50020603652535783019961831881945
    q = ((q * x) >> 96) - 533845033583426703283633433725380
    q = ((q * x) >> 96) + 3604857256930695427073651918091429
    q = ((q * x) >> 96) - 14423608567350463180887372962807573
    q = ((q * x) >> 96) + 26449188498355588339934803723976023
    r = sdiv(p, q)
    return (r * 3822833074963236453042738258902158003155416615667) >> (195 - k)


def wad_ln(x):
    """solmate SignedWadMath.wadLn."""
    assert x > 0, "UNDEFINED"
    r = x.bit_length() - 1
    k = r - 96
    x = ((x << (159 - k)) % 2**256) >> 159
    p = x + 3273285459638523848632254066296
    p = ((p * x) >> 96) + 24828157081833163892658089445524
    p = ((p * x) >> 96) + 43456485725739037958740375743393
    p = ((p * x) >> 96) - 11111509109440967052023855526967
    p = ((p * x) >> 96) - 45023709667254063763336534515857
    p = ((p * x) >> 96) - 14706773417378608786704636184526
    p = p * x - (795164235651350426258249787498 << 96)
    q = x + 5573035233440673466300451813936
    for c in (71694874799317883764090561454958, 283447036172924575727196451306956,
              401686690394027663651624208769553, 204048457590392012362485061816622,
              31853899698501571402653359427138, 909429971244387300277376558375):
        q = ((q * x) >> 96) + c
    r = sdiv(p, q)
    r *= 1677202110996718588342820967067443963516166
    r += 16597577552685614221487285958193947469193820559219878177908093499208371 * k
    r += 600920179829731861736702779321621459595472258049074101567377883020018308
    return r >> 174


def wad_of(text):
    """Exact decimal text to a wad, as the engine's wad_from_decimal."""
    whole, _, frac = text.partition(".")
    return int(whole + frac.ljust(18, "0"))


def contract_vrgda_price(p, target_sale_time, s):
    decay_constant = wad_ln(WAD - wad_of(p["decay"]))
    t = s * WAD // 86400  # toDaysWadUnsafe
    exponent = sdiv(decay_constant * (t - target_sale_time), WAD)  # unsafeWadMul
    return sdiv(int(p["target_price"]) * wad_exp(exponent), WAD)  # wadMul


def contract_vrgda_linear(p, s, n):
    target = sdiv((n + 1) * WAD * WAD, wad_of(p["per_time_unit"]))  # unsafeWadDiv
    return contract_vrgda_price(p, target, s)


def contract_vrgda_logistic(p, s, n):
    limit = int(p["max_sellable"]) * WAD + WAD
    limit_doubled = limit * 2 * WAD
    inner = sdiv(limit_doubled, (n + 1) * WAD + limit) - WAD
    target = -sdiv(wad_ln(inner) * WAD, wad_of(p["time_scale"]))
    return contract_vrgda_price(p, target, s)


CONTRACTS = {"vrgda-linear": contract_vrgda_linear, "vrgda-logistic": contract_vrgda_logistic}


def check_transcription():
    """solmate's own vectors (src/test/FixedPointMathLib.t.sol, testExpWad / testLnWad*)."""
    assert wad_exp(-3 * WAD) == 49787068367863942
    assert wad_exp(WAD) == 2718281828459045235
    assert wad_exp(10 * WAD) == 22026465794806716516980
    assert wad_exp(135305999368893231588) == \
        57896044618658097650144101621524338577433870140581303254786265309376407432913
    assert wad_ln(2718281828459045235) == 999999999999999999
    assert wad_ln(1) == -41446531673892822313
    assert wad_ln(10**9) == -20723265836946411157
    assert wad_ln(2**255 - 1) == 135305999368893231589


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
    check_transcription()
    cases = []
    for kind, params, queries in MODELS:
        for elapsed_s, sold, quantity in queries:
            price = FORMULAS[kind](params, elapsed_s, sold, quantity)
            case = {
                "kind": kind,
                "params": params,
                "elapsed_s": elapsed_s,
                "sold": sold,
                "quantity": quantity,
                "expected_wei": f"{price:.6f}",
            }
            if kind in CONTRACTS:
                case["contract_wei"] = str(CONTRACTS[kind](params, elapsed_s, sold))
            cases.append(case)
    print(json.dumps({"generator": "tests/data/market/expected_prices.py", "cases": cases},
                     indent=1))


if __name__ == "__main__":
    main()
