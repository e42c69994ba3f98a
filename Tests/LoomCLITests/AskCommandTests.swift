import Foundation
import TestSupport
import XCTest

/// `loom ask` end to end: the real 0.5B model plans, the real calc plugin runs under the sandbox, the
/// answer is checked, and the trace is written. (Two-step questions are not yet answered reliably by
/// the 0.5B model; the evaluation set measures that.)
final class AskCommandTests: XCTestCase {
    func testBigIntegerQuestionIsAnsweredExactlyThroughCalc() throws {
        let model = try TestModels.path(TestModels.qwen05)
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("loom-ask-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let trace = home.appendingPathComponent("run.jsonl")
        let cli = CLIRunner(environment: ["LOOM_HOME": home.path])
        let output = try cli.run(["ask", "--agent", "math", "--model", model, "--json", "--trace", trace.path,
                                  "What is 3^40 exactly?"])
        XCTAssertEqual(output.status, 0, output.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any],
                                   output.stdout)
        let answer = try XCTUnwrap(report["answer"] as? String)
        // 3^40 has 20 digits: past what a small model can multiply in its head, exact only from calc.
        XCTAssertTrue(answer.contains("12157665459056928801"), "answer: \(answer)")
        XCTAssertGreaterThanOrEqual(report["tool_calls"] as? Int ?? 0, 1, "the answer must come from calc")
        let lines = try String(contentsOf: trace, encoding: .utf8).split(separator: "\n")
        XCTAssertGreaterThan(lines.count, 3, "header, model calls, tool calls and answer are recorded")
        XCTAssertTrue(lines.contains { $0.contains("\"calc\"") }, "the trace names the calc plugin")
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
