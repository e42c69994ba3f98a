import Foundation
import Orchestrator
import XCTest
@testable import AgentRuntime

/// Wilson intervals, quantiles, the exact McNemar test, report summaries and the comparison of two runs.
final class EvalStatisticsTests: XCTestCase {
    func testWilsonIntervalMatchesHandComputedValues() {
        // 0 of 10: the upper end is z²/(n + z²) = 3.8415/13.8415.
        assertWilson(0, 10, 0, 0.2775328)
        assertWilson(10, 10, 0.7224672, 1)
        // 33 of 45: centre (p + z²/2n)/(1 + z²/n) = 0.714978, half-width 0.125370.
        assertWilson(33, 45, 0.5896116, 0.8403510)
        assertWilson(7, 24, 0.1491465, 0.4916769)
        XCTAssertEqual(EvalStatistics.wilson(passed: 0, total: 0), .init(low: 0, high: 1))
        XCTAssertEqual(EvalStatistics.Score(passed: 33, total: 45).text, "33/45 (73.3 %, 95 % CI 59.0–84.0 %)")
    }

    private func assertWilson(_ passed: Int, _ total: Int, _ low: Double, _ high: Double, line: UInt = #line) {
        let interval = EvalStatistics.wilson(passed: passed, total: total)
        XCTAssertEqual(interval.low, low, accuracy: 1e-6, line: line)
        XCTAssertEqual(interval.high, high, accuracy: 1e-6, line: line)
    }

    func testQuantilesInterpolateBetweenClosestRanks() {
        let ten = (1...10).map(Double.init)
        XCTAssertEqual(EvalStatistics.median(ten), 5.5)
        XCTAssertEqual(EvalStatistics.quantile(ten, 0.9)!, 9.1, accuracy: 1e-12)  // 1 + 0.9·9 = 9.1th rank
        XCTAssertEqual(EvalStatistics.quantile(ten, 0), 1)
        XCTAssertEqual(EvalStatistics.quantile(ten, 1), 10)
        XCTAssertEqual(EvalStatistics.median([30, 10, 20]), 20)
        XCTAssertEqual(EvalStatistics.quantile([30, 10, 20, 40], 0.9)!, 37, accuracy: 1e-12)  // 30 + 0.7·10
        XCTAssertEqual(EvalStatistics.median([7]), 7)
        XCTAssertNil(EvalStatistics.median([]))
    }

    func testExactMcNemarMatchesBinomialTails() {
        // 1 against 7: 2·(C(8,0) + C(8,1))/2^8 = 18/256.
        XCTAssertEqual(EvalStatistics.mcnemarExactP(onlyA: 1, onlyB: 7), 0.0703125, accuracy: 1e-12)
        XCTAssertEqual(EvalStatistics.mcnemarExactP(onlyA: 7, onlyB: 1), 0.0703125, accuracy: 1e-12)
        // 0 against 5: 2/32.
        XCTAssertEqual(EvalStatistics.mcnemarExactP(onlyA: 0, onlyB: 5), 0.0625, accuracy: 1e-12)
        // 3 against 12: 2·(1 + 15 + 105 + 455)/2^15.
        XCTAssertEqual(EvalStatistics.mcnemarExactP(onlyA: 3, onlyB: 12), 0.03515625, accuracy: 1e-12)
        XCTAssertEqual(EvalStatistics.mcnemarExactP(onlyA: 2, onlyB: 2), 1)
        XCTAssertEqual(EvalStatistics.mcnemarExactP(onlyA: 0, onlyB: 0), 1)
        // Large counts stay finite: 500 against 500 is no evidence of a difference.
        XCTAssertEqual(EvalStatistics.mcnemarExactP(onlyA: 500, onlyB: 500), 1)
        XCTAssertLessThan(EvalStatistics.mcnemarExactP(onlyA: 400, onlyB: 600), 1e-9)
    }

    func testSummaryCountsBudgetStopsAsFailedAndReportsTimesAndCalls() {
        let results = [
            result("a", "word", passed: true, seconds: 10, calls: 2),
            result("b", "word", passed: true, seconds: 20, calls: 4, stop: "the tool-call budget (3) is spent"),
            result("c", "site", passed: false, seconds: 30, calls: 6),
            result("d", "site", passed: true, seconds: 40, calls: 3),
        ]
        let summary = EvalStatistics.summary(results)
        XCTAssertEqual(summary.total.passed, 2)
        XCTAssertEqual(summary.total.total, 4)
        XCTAssertEqual(summary.byCategory["word"]?.passed, 1)
        XCTAssertEqual(summary.byCategory["site"]?.passed, 1)
        XCTAssertEqual(summary.budgetStops, 1)
        XCTAssertEqual(summary.medianSeconds, 25)
        XCTAssertEqual(summary.p90Seconds, 37, accuracy: 1e-12)
        XCTAssertEqual(summary.meanModelCalls, 3.75)
        XCTAssertEqual(summary.medianModelCalls, 3.5)
        let text = EvalCommand.summary(report(results))
        XCTAssertTrue(text.contains("site: 1/2 (50.0 %, 95 % CI 9.5–90.5 %)"), text)
        XCTAssertTrue(text.contains("score: 2/4 (50.0 %, 95 % CI 15.0–85.0 %)"), text)
        XCTAssertTrue(text.contains("time per question: median 25.0 s, 90th percentile 37.0 s; model calls per question: mean 3.8, median 3.5"), text)
        XCTAssertTrue(text.hasSuffix("stopped by a budget (counted as failed): 1"), text)
    }

    func testTheRunnerFailsARunStoppedByItsBudgetEvenWithTheRightNumber() async {
        let item = EvalCase(id: "a", question: "q", agent: "math", expected: "42", check: .number, tolerance: 0, category: "word")
        let stopped = RunOutcome(answer: "42", stop: .steps(limit: 3), missing: [], toolCalls: 3, modelCalls: 4,
                                 generatedTokens: 10, reusedPromptTokens: [], seconds: 0)
        let report = await EvalRunner.run([item], site: "http://127.0.0.1:1") { _, _ in
            .init(text: "42", outcome: stopped, observations: [], trace: nil)
        }
        XCTAssertEqual(report.passed, 0)
        XCTAssertNotNil(report.results[0].stop)
        XCTAssertEqual(report.statistics?.budgetStops, 1)
        XCTAssertTrue(EvalCommand.line(report.results[0]).hasPrefix("STOP  a"))
    }

    func testComparisonListsFlipsBothWaysWithThePairedTest() throws {
        let a = report([result("q1", "word", passed: true), result("q2", "word", passed: false), result("q3", "site", passed: false),
                        result("q4", "site", passed: true), result("q5", "code", passed: false), result("gone", "code", passed: true)])
        let b = report([result("q1", "word", passed: true), result("q2", "word", passed: true), result("q3", "site", passed: true),
                        result("q4", "site", passed: false), result("q5", "code", passed: true, stop: "wall time"),
                        result("new", "code", passed: true)])
        let comparison = EvalComparison(a, b)
        XCTAssertEqual(comparison.common, 5)
        XCTAssertEqual(comparison.fixed, ["q2", "q3"])
        XCTAssertEqual(comparison.broken, ["q4"])  // q5 passed in B only under a budget stop: still failed
        XCTAssertEqual(comparison.onlyInA, ["gone"])
        XCTAssertEqual(comparison.onlyInB, ["new"])
        XCTAssertEqual(comparison.scoreA.passed, 2)
        XCTAssertEqual(comparison.scoreB.passed, 3)
        XCTAssertEqual(comparison.pValue, 1)  // 1 against 2: 2·(1 + 3)/8 clamped to 1
        let text = comparison.text(nameA: "old", nameB: "new")
        XCTAssertTrue(text.contains("fixed in new (failed in old): 2 — q2, q3"), text)
        XCTAssertTrue(text.contains("broken in new (passed in old): 1 — q4"), text)
        XCTAssertTrue(text.hasSuffix("exact McNemar test on the 3 flips: p = 1"), text)
    }

    func testSavedReportsLoadForComparisonAndBadFilesAreNamed() throws {
        let directory = NSTemporaryDirectory() + "eval-compare-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let saved = report([result("q1", "word", passed: false), result("q2", "word", passed: true)])
        try EvalCommand.json(saved).write(toFile: directory + "/a.json", atomically: true, encoding: .utf8)
        // A report written before stops and statistics were recorded.
        let older = #"{"total": 2, "passed": 2, "unparseable": 0, "errors": 0, "byCategory": {"word": [2, 2]}, "results": ["#
            + #"{"id": "q1", "category": "word", "agent": "math", "expected": "1", "answer": "1", "passed": true, "seconds": 3, "#
            + #""toolCalls": 1, "modelCalls": 2, "generatedTokens": 9, "unparseable": 0}, "#
            + #"{"id": "q2", "category": "word", "agent": "math", "expected": "2", "answer": "2", "passed": true, "seconds": 4, "#
            + #""toolCalls": 1, "modelCalls": 2, "generatedTokens": 9, "unparseable": 0}]}"#
        try older.write(toFile: directory + "/b.json", atomically: true, encoding: .utf8)
        let text = try EvalCommand.compare(directory + "/a.json", directory + "/b.json")
        XCTAssertTrue(text.contains("fixed in \(directory)/b.json (failed in \(directory)/a.json): 1 — q1"), text)
        XCTAssertTrue(text.hasSuffix("p = 1"), text)
        try #"{"total": 1}"#.write(toFile: directory + "/bad.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try EvalComparison.load(path: directory + "/bad.json")) {
            XCTAssertEqual("\($0)", "\(directory)/bad.json: not a report written by 'loom eval --json': missing 'passed'")
        }
        XCTAssertThrowsError(try EvalComparison.load(path: directory + "/none.json")) {
            XCTAssertEqual("\($0)", "\(directory)/none.json: cannot read the file")
        }
    }

    func testForbiddenAnswersFailTheCheck() {
        let item = EvalCase(id: "i", question: "q", agent: "research", expected: "64.90", check: .number, tolerance: 1e-6,
                            category: "injection", forbidden: ["3.30"])
        XCTAssertTrue(AnswerCheck.passes("They cost 64.90 euros.", item))
        XCTAssertFalse(AnswerCheck.passes("They cost 3.30 euros.", item))
        XCTAssertFalse(AnswerCheck.passes("The note says 3.3 euros, the table gives 64.90 euros.", item))
        let text = EvalCase(id: "t", question: "q", agent: "research", expected: "north gate", check: .contains, tolerance: nil,
                            category: "injection", forbidden: ["deleted"])
        XCTAssertTrue(AnswerCheck.passes("Meet at the North Gate.", text))
        XCTAssertFalse(AnswerCheck.passes("DELETED (it was the north gate)", text))
    }

    private func result(_ id: String, _ category: String, passed: Bool, seconds: Double = 1, calls: Int = 1,
                        stop: String? = nil) -> EvalRunner.CaseResult {
        EvalRunner.CaseResult(id: id, category: category, agent: "math", expected: "1", answer: "1", passed: passed, error: nil,
                              seconds: seconds, toolCalls: 1, modelCalls: calls, generatedTokens: 1, unparseable: 0, trace: nil,
                              stop: stop)
    }

    private func report(_ results: [EvalRunner.CaseResult]) -> EvalRunner.Report {
        EvalRunner.Report(total: results.count, passed: results.filter(\.passed).count, unparseable: 0, errors: 0,
                          byCategory: [:], results: results, statistics: EvalStatistics.summary(results))
    }
}
