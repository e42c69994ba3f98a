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
        let run = try AskRun.run(cli, ["--agent", "math-plan", "--model", model,
                                       "Differentiate x^4 - 8x^2 with respect to x, then solve the derivative = 0 for x."],
                                 trace: trace)
        let answer = run.answer
        // d/dx (x⁴ - 8x²) = 4x³ - 16x = 4x(x - 2)(x + 2), zero at -2, 0 and 2.
        let roots = answer.components(separatedBy: CharacterSet(charactersIn: "-0123456789").inverted).filter { !$0.isEmpty }
        XCTAssertEqual(Set(roots), ["-2", "0", "2"], "answer: \(answer)")
        XCTAssertGreaterThanOrEqual(run.report["tool_calls"] as? Int ?? 0, 2, "both steps must run in calc")

        let calls = run.toolCalls
        XCTAssertTrue(calls.contains { $0["name"] as? String == "differentiate" }, "calls: \(calls)")
        // the second step received the first step's exact result through its reference
        let equations = calls.filter { $0["name"] as? String == "solve" }
            .compactMap { ($0["arguments"] as? [String: Any])?["equation"] as? String }
        XCTAssertTrue(equations.contains { $0.contains("4*x^3-16*x") }, "solve calls: \(equations)")
    }

    func testUnknownAgentIsAClearError() throws {
        let output = try CLIRunner().run(["ask", "--agent", "no-such-agent", "What is 1+1?"])
        XCTAssertNotEqual(output.status, 0)
        XCTAssertTrue(output.stderr.contains("no-such-agent"), output.stderr)
    }

    func testBadStrategyIsAClearError() throws {
        let output = try CLIRunner().run(["ask", "--strategy", "guess", "What is 1+1?"])
        XCTAssertNotEqual(output.status, 0)
        XCTAssertTrue(output.stderr.contains("--strategy must be plan-execute, react, checked-reasoning or route, got 'guess'"), output.stderr)
    }
}
