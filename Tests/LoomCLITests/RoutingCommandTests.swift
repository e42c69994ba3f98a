import Foundation
import TestSupport
import XCTest

/// The default agent end to end: the real 0.5B model chooses, in one constrained call, which shipped
/// agent answers; that agent's strategy runs with its own plugins; the trace replays offline with the
/// same choice; `loom agents route` shows the choice without answering.
final class RoutingCommandTests: XCTestCase {
    /// The model-call purposes each shipped route's strategy writes.
    static let purposes: [String: Set<String>] = [
        "math": ["reason"], "research": ["plan", "replan", "answer"], "general": ["plan", "replan", "answer"],
        "coder": ["react", "answer"],
    ]

    func testTheDefaultAgentRoutesAQuestionToAnAgentThatAnswersAndTheRunReplays() throws {
        let model = try TestModels.path(TestModels.qwen05)
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("loom-route-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let trace = home.appendingPathComponent("run.jsonl")
        let cli = CLIRunner(environment: ["LOOM_HOME": home.path])
        let run = try AskRun.run(cli, ["--model", model, "A bakery bakes 37 trays of 24 rolls and sells 295 rolls. How many rolls are left?"],
                                 trace: trace)
        let calls = run.records.filter { $0["type"] as? String == "model_call" }.compactMap { $0["model_call"] as? [String: Any] }
        XCTAssertEqual(calls.first?["purpose"] as? String, "route")
        let output = try XCTUnwrap((calls.first?["completion"] as? [String: Any])?["text"] as? String)
        let chosen = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])?["agent"] as? String, output)
        let expected = try XCTUnwrap(Self.purposes[chosen], "the routing call names a shipped route: \(output)")
        let rest = Set(calls.dropFirst().compactMap { $0["purpose"] as? String })
        XCTAssertFalse(rest.isEmpty, "the chosen agent runs")
        XCTAssertTrue(rest.isSubset(of: expected), "\(chosen) ran as its own strategy: \(rest)")
        XCTAssertFalse(run.answer.isEmpty)

        let replay = try cli.run(["replay", trace.path, "--json"])
        XCTAssertEqual(replay.status, 0, replay.stdout + replay.stderr)
        let replayed = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(replay.stdout.utf8)) as? [String: Any])?["report"]
                                     as? [String: Any], replay.stdout)
        XCTAssertEqual(replayed["matched"] as? Bool, true, replay.stdout)
        XCTAssertEqual(replayed["answer"] as? String, run.answer)
    }

    func testAgentsRouteShowsTheChoiceWithoutAnswering() throws {
        let model = try TestModels.path(TestModels.qwen05)
        let cli = CLIRunner()
        let output = try cli.run(["agents", "route", "--model", model, "--json",
                                  "What is 17 * 23?", "Run Python to print the first 10 primes."])
        XCTAssertEqual(output.status, 0, output.stderr)
        let lines = output.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, output.stdout)
        for (line, question) in zip(lines, ["What is 17 * 23?", "Run Python to print the first 10 primes."]) {
            let choice = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
            XCTAssertEqual(choice["question"] as? String, question)
            XCTAssertNotNil(Self.purposes[choice["agent"] as? String ?? ""], "a shipped route: \(line)")
        }
        let refused = try cli.run(["agents", "route", "--agent", "math", "--model", model, "What is 1 + 1?"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("does not route"), refused.stderr)
    }
}
