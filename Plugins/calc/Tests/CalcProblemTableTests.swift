import Foundation
import MCP
import TestSupport
import XCTest

/// The problem table through the real calc executable over MCP, checked by SymPy.
final class CalcProblemTableTests: XCTestCase {
    func testProblemTableAgreesWithSympy() async throws {
        try SympyChecker.requireSympy()
        let problems = ProblemTable.all
        XCTAssertGreaterThanOrEqual(problems.count, 150)
        let plugin = try await PluginProcess(executable: "calc")
        var cases: [SympyChecker.Case] = []
        var latencies: [Double] = []
        for (id, problem) in problems.enumerated() {
            let start = ContinuousClock.now
            let (text, isError) = try await plugin.call(problem.tool, problem.arguments)
            let elapsed = ContinuousClock.now - start
            latencies.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
            XCTAssertFalse(isError, "\(problem.tool) \(problem.arguments) returned an error: \(text)")
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let decimal = lines.first(where: { $0.hasPrefix("≈ ") }).map { String($0.dropFirst(2)) }
            var got = lines.first ?? ""
            if problem.kind == "ifactored" {
                // `360 = 2^3*3^2*5`: the integer's value, then its factors (which SymPy checks).
                let parts = got.components(separatedBy: " = ")
                XCTAssertEqual(parts.count, 2, "factor \(problem.arguments): \(text)")
                XCTAssertEqual(parts.first, problem.expected, "factor \(problem.arguments): \(text)")
                got = parts.last ?? ""
            }
            cases.append(.init(id: id, kind: problem.kind, got: got, expected: problem.expected,
                               decimal: decimal, extra: problem.extra))
        }
        await plugin.stop()

        let verdicts = try SympyChecker.check(cases)
        var passed = 0
        for (id, problem) in problems.enumerated() {
            guard let verdict = verdicts[id] else {
                XCTFail("no verdict for \(problem.tool) \(problem.arguments)")
                continue
            }
            if verdict.ok { passed += 1 }
            XCTAssertTrue(verdict.ok, "\(problem.tool) \(problem.arguments): \(verdict.detail)")
        }
        latencies.sort()
        let median = latencies[latencies.count / 2]
        print("calc problem table: \(passed)/\(problems.count) agree with SymPy; per-call latency p50 \(String(format: "%.1f", median)) ms, max \(String(format: "%.1f", latencies.last ?? 0)) ms")
    }
}
