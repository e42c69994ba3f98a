import Foundation
import TestSupport
import XCTest

/// The checked-reasoning strategy end to end: the real 0.5B model reasons about a word problem, the real
/// calc plugin computes each calculation it writes (and the code runner any program), the answer is
/// checked, and the trace replays offline with the same decisions.
final class CheckedReasoningCommandTests: XCTestCase {
    func testAWordProblemIsReasonedCheckedByCalcAndReplays() throws {
        let model = try TestModels.path(TestModels.qwen05)
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("loom-reason-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let agents = home.appendingPathComponent("agents")
        try FileManager.default.createDirectory(at: agents, withIntermediateDirectories: true)
        try """
            name: reckoner
            description: Reasons in words; calc checks the arithmetic.
            system_prompt: |
              You are a careful mathematician.
            strategy: checked-reasoning
            plugins: [calc, code-runner]
            tools: [evaluate, run_python]
            limits:
              max_steps: 24
              max_tokens: 2048
            """.write(to: agents.appendingPathComponent("reckoner.yaml"), atomically: true, encoding: .utf8)
        let trace = home.appendingPathComponent("run.jsonl")
        let cli = CLIRunner(environment: ["LOOM_HOME": home.path])
        let run = try AskRun.run(cli, ["--agent", "reckoner", "--model", model,
                                       "A bakery bakes 37 trays of 24 rolls and sells 295 rolls. How many rolls are left?"],
                                 trace: trace)
        let answer = run.answer
        // 37 × 24 = 888 rolls, 888 − 295 = 593 left.
        let numbers = answer.components(separatedBy: CharacterSet(charactersIn: "0123456789").inverted).filter { !$0.isEmpty }
        XCTAssertEqual(numbers.last, "593", "answer: \(answer)")
        XCTAssertFalse(run.toolCalls.isEmpty, "the reasoning's arithmetic must be computed by a tool")
        let purposes = run.records.filter { $0["type"] as? String == "model_call" }
            .compactMap { ($0["model_call"] as? [String: Any])?["purpose"] as? String }
        XCTAssertEqual(Set(purposes), ["reason"])

        let replay = try cli.run(["replay", trace.path, "--json"])
        XCTAssertEqual(replay.status, 0, replay.stdout + replay.stderr)
        let replayed = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(replay.stdout.utf8)) as? [String: Any])?["report"]
                                     as? [String: Any], replay.stdout)
        XCTAssertEqual(replayed["matched"] as? Bool, true, replay.stdout)
        XCTAssertEqual(replayed["answer"] as? String, answer)
    }
}
