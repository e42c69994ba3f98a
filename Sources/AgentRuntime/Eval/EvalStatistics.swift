import Foundation

/// The statistics of an evaluation report: score intervals, percentiles of time, model calls per question,
/// and the exact paired test used to compare two runs.
public enum EvalStatistics {
    /// A two-sided interval of a proportion, both ends in [0, 1].
    public struct Interval: Codable, Sendable, Hashable {
        /// The lower end.
        public var low: Double
        /// The upper end.
        public var high: Double

        /// Creates an interval.
        public init(low: Double, high: Double) {
            self.low = low
            self.high = high
        }
    }

    /// A score with its 95 % Wilson interval.
    public struct Score: Codable, Sendable, Hashable {
        /// Questions answered correctly.
        public var passed: Int
        /// Questions asked.
        public var total: Int
        /// The 95 % Wilson interval of the proportion passed.
        public var interval: Interval

        /// The score of `passed` out of `total`, with its interval.
        public init(passed: Int, total: Int) {
            self.passed = passed
            self.total = total
            interval = EvalStatistics.wilson(passed: passed, total: total)
        }

        /// Passed over total, in percent.
        public var percent: Double { total == 0 ? 0 : Double(passed) * 100 / Double(total) }

        /// `33/45 (73.3 %, 95 % CI 59.0–84.0 %)`.
        public var text: String {
            String(format: "%d/%d (%.1f %%, 95 %% CI %.1f–%.1f %%)", passed, total, percent, interval.low * 100, interval.high * 100)
        }
    }

    /// What a report's results add up to.
    public struct Summary: Codable, Sendable, Hashable {
        /// The whole set.
        public var total: Score
        /// Per category.
        public var byCategory: [String: Score]
        /// Median wall time per question, in seconds.
        public var medianSeconds: Double
        /// 90th percentile of the wall time per question, in seconds.
        public var p90Seconds: Double
        /// Mean model calls per question.
        public var meanModelCalls: Double
        /// Median model calls per question.
        public var medianModelCalls: Double
        /// Runs stopped by a budget (counted as failed).
        public var budgetStops: Int
    }

    /// The normal quantile for a two-sided 95 % interval.
    public static let z95 = 1.959963984540054

    /// The Wilson score interval of `passed` successes in `total` trials (Wilson 1927): unlike the normal
    /// approximation it stays inside [0, 1] and is sound for small sets and for scores near 0 or 100 %.
    /// An empty set gives [0, 1].
    public static func wilson(passed: Int, total: Int, z: Double = z95) -> Interval {
        guard total > 0 else { return Interval(low: 0, high: 1) }
        let n = Double(total)
        let p = Double(passed) / n
        let z2 = z * z
        let denominator = 1 + z2 / n
        let center = (p + z2 / (2 * n)) / denominator
        let half = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return Interval(low: max(0, center - half), high: min(1, center + half))
    }

    /// The `q`-th quantile (0...1) of `values`, interpolating linearly between the closest ranks (the
    /// default of NumPy's `percentile` and R's type 7); nil for no values.
    public static func quantile(_ values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let position = min(max(q, 0), 1) * Double(sorted.count - 1)
        let below = Int(position.rounded(.down))
        let above = min(below + 1, sorted.count - 1)
        return sorted[below] + (sorted[above] - sorted[below]) * (position - Double(below))
    }

    /// The median of `values`; nil for no values.
    public static func median(_ values: [Double]) -> Double? { quantile(values, 0.5) }

    /// The two-sided p-value of the exact McNemar test (a sign test on the discordant pairs): `onlyA`
    /// questions passed by run A alone, `onlyB` by run B alone; under the null hypothesis each discordant
    /// question is equally likely to go either way. Computed in log space, so large counts do not overflow.
    public static func mcnemarExactP(onlyA: Int, onlyB: Int) -> Double {
        let n = onlyA + onlyB
        guard n > 0 else { return 1 }
        let k = min(onlyA, onlyB)
        let logHalfPower = Double(n) * log(0.5)
        var tail = 0.0
        for i in 0...k {
            tail += exp(logChoose(n, i) + logHalfPower)
        }
        return min(1, 2 * tail)
    }

    /// ln C(n, k).
    static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n) + 1) - lgamma(Double(k) + 1) - lgamma(Double(n - k) + 1)
    }

    /// The summary of `results`: scores with intervals (a budget stop counts as failed), times and model calls.
    public static func summary(_ results: [EvalRunner.CaseResult]) -> Summary {
        var categories: [String: (passed: Int, total: Int)] = [:]
        for result in results {
            var counts = categories[result.category] ?? (0, 0)
            counts.passed += result.counted ? 1 : 0
            counts.total += 1
            categories[result.category] = counts
        }
        let seconds = results.map(\.seconds)
        let calls = results.map { Double($0.modelCalls) }
        return Summary(total: Score(passed: results.filter(\.counted).count, total: results.count),
                       byCategory: categories.mapValues { Score(passed: $0.passed, total: $0.total) },
                       medianSeconds: median(seconds) ?? 0, p90Seconds: quantile(seconds, 0.9) ?? 0,
                       meanModelCalls: calls.isEmpty ? 0 : calls.reduce(0, +) / Double(calls.count),
                       medianModelCalls: median(calls) ?? 0,
                       budgetStops: results.filter { $0.stop != nil }.count)
    }
}

extension EvalRunner.CaseResult {
    /// Whether the case counts as passed: its answer passed and no budget stopped the run.
    public var counted: Bool { passed && stop == nil && error == nil }
}
