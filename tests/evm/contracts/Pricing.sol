// SPDX-License-Identifier: MIT
// Reference price functions for tests/evm/differential.mjs, on solmate's SignedWadMath (v6.8.0).
// Parameters are call arguments rather than immutables so that one deployment prices every
// random point; the arithmetic is otherwise that of the published contracts and formulas.
pragma solidity 0.8.26;

import {
    toWadUnsafe,
    toDaysWadUnsafe,
    unsafeWadMul,
    unsafeWadDiv,
    unsafeDiv,
    wadMul,
    wadDiv,
    wadExp,
    wadLn,
    wadPow
} from "solmate/src/utils/SignedWadMath.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// transmissions11/VRGDAs: VRGDA.getVRGDAPrice with LinearVRGDA's and LogisticVRGDA's
/// getTargetSaleTime, the time since start given in seconds and converted with
/// toDaysWadUnsafe as the VRGDA examples do (block.timestamp - startTime).
contract VrgdaPricing {
    /// The VRGDA constructor's decayConstant.
    function decayConstantOf(int256 priceDecayPercent) internal pure returns (int256 decayConstant) {
        decayConstant = wadLn(1e18 - priceDecayPercent);
        require(decayConstant < 0, "NON_NEGATIVE_DECAY_CONSTANT");
    }

    /// VRGDA.getVRGDAPrice, with the target sale time of token sold + 1 already computed.
    function vrgdaPrice(int256 targetPrice, int256 decayConstant, int256 timeSinceStart, int256 targetSaleTime)
        internal
        pure
        returns (uint256)
    {
        unchecked {
            return uint256(wadMul(targetPrice, wadExp(unsafeWadMul(decayConstant, timeSinceStart - targetSaleTime))));
        }
    }

    /// LinearVRGDA: getTargetSaleTime(sold) = unsafeWadDiv(sold, perTimeUnit).
    function linearPrice(
        int256 targetPrice,
        int256 priceDecayPercent,
        int256 perTimeUnit,
        uint256 elapsedSeconds,
        uint256 sold
    ) external pure returns (uint256) {
        int256 decayConstant = decayConstantOf(priceDecayPercent);
        int256 targetSaleTime;
        unchecked {
            targetSaleTime = unsafeWadDiv(toWadUnsafe(sold + 1), perTimeUnit);
        }
        return vrgdaPrice(targetPrice, decayConstant, toDaysWadUnsafe(elapsedSeconds), targetSaleTime);
    }

    /// LogisticVRGDA: logisticLimit = maxSellable + 1e18, logisticLimitDoubled = logisticLimit * 2e18,
    /// getTargetSaleTime(sold) = -unsafeWadDiv(wadLn(unsafeDiv(logisticLimitDoubled, sold + logisticLimit) - 1e18), timeScale).
    /// maxSellable and timeScale are wads, as in the contract's constructor.
    function logisticPrice(
        int256 targetPrice,
        int256 priceDecayPercent,
        int256 maxSellable,
        int256 timeScale,
        uint256 elapsedSeconds,
        uint256 sold
    ) external pure returns (uint256) {
        int256 decayConstant = decayConstantOf(priceDecayPercent);
        int256 logisticLimit = maxSellable + 1e18;
        int256 logisticLimitDoubled = logisticLimit * 2e18;
        int256 targetSaleTime;
        unchecked {
            int256 s = toWadUnsafe(sold + 1);
            targetSaleTime = -unsafeWadDiv(wadLn(unsafeDiv(logisticLimitDoubled, s + logisticLimit) - 1e18), timeScale);
        }
        return vrgdaPrice(targetPrice, decayConstant, toDaysWadUnsafe(elapsedSeconds), targetSaleTime);
    }
}

/// Paradigm's gradual Dutch auctions (paradigm.xyz/2022/04/gda). Prices are wei, rates wads.
contract GdaPricing {
    /// Discrete GDA, in the paper's (and its reference implementation's) order:
    /// initialPrice * scaleFactor^numSold * (scaleFactor^q - 1) / (scaleFactor - 1) / e^(decayConstant * t),
    /// num1 * num2 / (den1 * den2), each power and exponential evaluated on its own.
    function discretePrice(
        int256 initialPrice,
        int256 scaleFactor,
        int256 decayConstant,
        uint256 elapsedSeconds,
        uint256 numSold,
        uint256 quantity
    ) external pure returns (uint256) {
        int256 num1 = wadMul(initialPrice, wadPow(scaleFactor, toWadUnsafe(numSold)));
        int256 num2 = wadPow(scaleFactor, toWadUnsafe(quantity)) - 1e18;
        int256 den1 = wadExp(wadMul(decayConstant, toWadUnsafe(elapsedSeconds)));
        int256 den2 = scaleFactor - 1e18;
        return uint256(wadDiv(wadMul(num1, num2), wadMul(den1, den2)));
    }

    /// The same price in the order src/market/pricing.h documents for atelier: scaleFactor^numSold
    /// and e^(-decayConstant * t) folded into one exponential, g = e^(numSold ln(scaleFactor) - decayConstant t);
    /// s = wadDiv(scaleFactor^q - 1, scaleFactor - 1); price = wadMul(wadMul(initialPrice, g), s).
    function discretePriceOneExp(
        int256 initialPrice,
        int256 scaleFactor,
        int256 decayConstant,
        uint256 elapsedSeconds,
        uint256 numSold,
        uint256 quantity
    ) external pure returns (uint256) {
        int256 lnScale = wadLn(scaleFactor);
        int256 g = wadExp(int256(numSold) * lnScale - decayConstant * int256(elapsedSeconds));
        int256 s = wadDiv(wadExp(int256(quantity) * lnScale) - 1e18, scaleFactor - 1e18);
        // One rounding, as atelier: floor(initialPrice * g * s / 1e36), 512-bit intermediate.
        return Math.mulDiv(uint256(initialPrice) * uint256(g), uint256(s), 1e36);
    }

    /// Continuous GDA, in the paper's (and its reference implementation's) order:
    /// initialPrice / decayConstant * (e^(decayConstant * q / emissionRate) - 1) / e^(decayConstant * t).
    function continuousPrice(
        int256 initialPrice,
        int256 emissionRate,
        int256 decayConstant,
        uint256 elapsedSeconds,
        uint256 quantity
    ) external pure returns (uint256) {
        int256 num1 = wadDiv(initialPrice, decayConstant);
        int256 num2 = wadExp(wadDiv(wadMul(decayConstant, toWadUnsafe(quantity)), emissionRate)) - 1e18;
        int256 den = wadExp(wadMul(decayConstant, toWadUnsafe(elapsedSeconds)));
        return uint256(wadDiv(wadMul(num1, num2), den));
    }

    /// The same price in the order src/market/pricing.h documents for atelier:
    /// x = wadDiv(decayConstant * q, emissionRate); e = wadExp(x) - 1e18; d = wadExp(-decayConstant * t);
    /// price = (initialPrice * e / decayConstant) * d / 1e18.
    function continuousPriceAtelierOrder(
        int256 initialPrice,
        int256 emissionRate,
        int256 decayConstant,
        uint256 elapsedSeconds,
        uint256 quantity
    ) external pure returns (uint256) {
        int256 x = wadDiv(decayConstant * int256(quantity), emissionRate);
        int256 e = wadExp(x) - 1e18;
        int256 d = wadExp(-(decayConstant * int256(elapsedSeconds)));
        int256 first = (initialPrice * e) / decayConstant;
        return uint256((first * d) / 1e18);
    }
}
