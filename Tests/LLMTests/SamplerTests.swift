import AgentCore
@testable import LLM
import XCTest

/// The sampler against hand-computed distributions on four logits [1, 2, 3, 4] (token i has logit i+1).
final class SamplerTests: XCTestCase {
    private let logits: [Float] = [1, 2, 3, 4]

    private func distribution(_ settings: SamplingSettings, history: [Int] = [], allows: ((Int) -> Bool)? = nil)
        -> [(Int, Double)] {
        Sampler(settings: settings).distribution(logits: logits, history: history, allows: allows).map { ($0.token, $0.probability) }
    }

    private func assertDistribution(_ got: [(Int, Double)], _ expected: [(Int, Double)],
                                    file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.map(\.0), expected.map(\.0), "token order", file: file, line: line)
        for (g, e) in zip(got, expected) {
            XCTAssertEqual(g.1, e.1, accuracy: 1e-6, "token \(g.0)", file: file, line: line)
        }
    }

    func testXoshiroMatchesTheReferenceAlgorithm() {
        // Reference values from a direct transcription of xoshiro256** seeded by SplitMix64(0).
        var rng = Xoshiro256StarStar(seed: 0)
        XCTAssertEqual([rng.next(), rng.next(), rng.next()],
                       [11_091_344_671_253_066_420, 13_793_997_310_169_335_082, 1_900_383_378_846_508_768])
        var unit = Xoshiro256StarStar(seed: 7)
        for _ in 0..<1000 { XCTAssertTrue((0..<1).contains(unit.nextUnit())) }
    }

    func testGreedyIsArgmaxWithLowestIdOnTies() {
        var sampler = Sampler(settings: .greedy)
        XCTAssertEqual(sampler.sample(logits: logits), 3)
        XCTAssertEqual(sampler.sample(logits: [5, 1, 5, 5]), 0)
        XCTAssertEqual(sampler.sample(logits: [.nan, 1, 2]), 2)
        XCTAssertEqual(sampler.sample(logits: logits, allows: { $0 < 2 }), 1)
        XCTAssertNil(sampler.sample(logits: logits, allows: { _ in false }))
    }

    func testTemperature() {
        assertDistribution(distribution(SamplingSettings(temperature: 1)),
                           [(3, 0.6439142599), (2, 0.2368828181), (1, 0.0871443187), (0, 0.0320586033)])
        assertDistribution(distribution(SamplingSettings(temperature: 2)),
                           [(3, 0.4550542339), (2, 0.2760043447), (1, 0.1674050973), (0, 0.1015363241)])
    }

    func testTopK() {
        assertDistribution(distribution(SamplingSettings(temperature: 1, topK: 2)), [(3, 0.7310585786), (2, 0.2689414214)])
    }

    func testTopP() {
        // 0.644 < 0.8 ≤ 0.644 + 0.237: the nucleus is {3, 2}.
        assertDistribution(distribution(SamplingSettings(temperature: 1, topP: 0.8)), [(3, 0.7310585786), (2, 0.2689414214)])
        assertDistribution(distribution(SamplingSettings(temperature: 1, topP: 0.5)), [(3, 1)])
    }

    func testMinP() {
        // 0.1 × 0.644 = 0.064 drops token 0 (0.032).
        assertDistribution(distribution(SamplingSettings(temperature: 1, minP: 0.1)),
                           [(3, 0.6652409558), (2, 0.2447284711), (1, 0.0900305732)])
    }

    func testRepetitionPenalty() {
        // Token 3's logit 4 becomes 2: logits [1, 2, 3, 2]; tokens 1 and 3 tie (lower id first).
        assertDistribution(distribution(SamplingSettings(temperature: 1, repetitionPenalty: 2), history: [3, 3]),
                           [(2, 0.5344466454), (1, 0.1966119332), (3, 0.1966119332), (0, 0.0723294881)])
        // Outside the window the token is not penalised.
        assertDistribution(distribution(SamplingSettings(temperature: 1, repetitionPenalty: 2, repetitionWindow: 1), history: [3, 0]),
                           distribution(SamplingSettings(temperature: 1, repetitionPenalty: 2), history: [0]))
        // A negative logit is multiplied.
        var sampler = Sampler(settings: SamplingSettings(repetitionPenalty: 3))
        XCTAssertEqual(sampler.sample(logits: [-1, -2], history: [0]), 1)
    }

    func testFilterRenormalisesOverAllowedTokens() {
        assertDistribution(distribution(SamplingSettings(temperature: 1), allows: { $0 % 2 == 1 }),
                           [(3, 0.8807970780), (1, 0.1192029220)])
        XCTAssertTrue(distribution(SamplingSettings(temperature: 1), allows: { _ in false }).isEmpty)
    }

    func testFrequenciesFollowTheDistribution() {
        var sampler = Sampler(settings: SamplingSettings(temperature: 1, seed: 42))
        let n = 20_000
        var counts = [0, 0, 0, 0]
        for _ in 0..<n { counts[sampler.sample(logits: logits) ?? 0] += 1 }
        let expected = [0.0320586033, 0.0871443187, 0.2368828181, 0.6439142599].map { $0 * Double(n) }
        let chiSquare = zip(counts, expected).reduce(0.0) { $0 + pow(Double($1.0) - $1.1, 2) / $1.1 }
        // 3 degrees of freedom: 16.27 is the 0.999 quantile.
        XCTAssertLessThan(chiSquare, 16.27, "counts \(counts)")
    }

    func testSameSeedSameTokens() {
        let settings = SamplingSettings(temperature: 0.8, topK: 3, topP: 0.95, seed: 1234)
        var a = Sampler(settings: settings), b = Sampler(settings: settings)
        let runA = (0..<200).map { _ in a.sample(logits: logits) }
        let runB = (0..<200).map { _ in b.sample(logits: logits) }
        XCTAssertEqual(runA, runB)
        var c = Sampler(settings: SamplingSettings(temperature: 0.8, topK: 3, topP: 0.95, seed: 1235))
        XCTAssertNotEqual(runA, (0..<200).map { _ in c.sample(logits: logits) })
    }

    func testFilterIsEvaluatedLazily() {
        // A large vocabulary where the allowed token is the third best: greedy asks three times.
        var big = [Float](repeating: 0, count: 150_000)
        big[70_000] = 9; big[5] = 8; big[123_456] = 7
        var calls = 0
        var greedy = Sampler(settings: .greedy)
        XCTAssertEqual(greedy.sample(logits: big, allows: { calls += 1; return $0 == 123_456 }), 123_456)
        XCTAssertEqual(calls, 3)

        // Sampling stops once the unvisited mass is negligible: a sharp distribution needs few checks.
        big[70_000] = 40; big[5] = 39; big[123_456] = 38
        calls = 0
        var sampler = Sampler(settings: SamplingSettings(temperature: 1, seed: 1))
        let token = sampler.sample(logits: big, allows: { calls += 1; return $0 != 70_000 })
        XCTAssertTrue(token == 5 || token == 123_456)
        XCTAssertLessThan(calls, 100)
    }
}
