import Foundation
import TestSupport
import XCTest

/// `loom ask` end to end: the real 0.5B model plans a two-step question, the real calc plugin runs both
/// steps under the sandbox (the second on the first one's result), the answer is checked, and the
/// trace is written.
final class AskCommandTests: XCTestCase {
    func testTwoStepQuestionIsAnsweredThroughCalc() throws {
        let model = try TestModels.path(TestModels.qwen05)
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("loom-ask-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let trace = home.appendingPathComponent("run.jsonl")
        let cli = CLIRunner(environment: ["LOOM_HOME": home.path])
        let output = try cli.run(["ask", "--agent", "math", "--model", model, "--json", "--trace", trace.path,
                                  "Compute the integral of x^4 between 1 and 2, and multiply it by 10."])
        XCTAssertEqual(output.status, 0, output.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any],
                                   output.stdout)
        let answer = try XCTUnwrap(report["answer"] as? String)
        // ∫₁² x⁴ dx = 31/5, and 31/5 · 10 = 62.
        XCTAssertTrue(answer.contains("62"), "answer: \(answer)")
        XCTAssertGreaterThanOrEqual(report["tool_calls"] as? Int ?? 0, 2, "both steps must run in calc")

        let records = try String(contentsOf: trace, encoding: .utf8).split(separator: "\n").map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        let calls = records.filter { $0["type"] as? String == "tool_call" }.compactMap { $0["call"] as? [String: Any] }
        XCTAssertTrue(calls.contains { $0["name"] as? String == "integrate" }, "calls: \(calls)")
        // the second step received the first step's exact result through its reference
        let evaluations = calls.filter { $0["name"] as? String == "evaluate" }
            .compactMap { ($0["arguments"] as? [String: Any])?["expression"] as? String }
        XCTAssertTrue(evaluations.contains { $0.contains("31/5") }, "evaluate calls: \(evaluations)")
    }

    func testUnknownAgentIsAClearError() throws {
        let output = try CLIRunner().run(["ask", "--agent", "no-such-agent", "What is 1+1?"])
        XCTAssertNotEqual(output.status, 0)
        XCTAssertTrue(output.stderr.contains("no-such-agent"), output.stderr)
    }

    func testBadStrategyIsAClearError() throws {
        let output = try CLIRunner().run(["ask", "--strategy", "guess", "What is 1+1?"])
        XCTAssertNotEqual(output.status, 0)
        XCTAssertTrue(output.stderr.contains("--strategy must be plan-execute or react, got 'guess'"), output.stderr)
    }
}
