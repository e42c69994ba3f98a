import Foundation
import TestSupport
import XCTest

/// The prompt cache from the command line with the real 0.5B model: `loom agents warm` saves an
/// agent's system turn, `loom ask` loads it (and records that in the trace), a live-model replay of
/// that run is token-exact with the cache warm and with it cleared, and `loom cache` lists and clears it.
final class PromptCacheCommandTests: XCTestCase {
    func testWarmAskReplayListAndClear() throws {
        let model = try TestModels.path(TestModels.qwen05)
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("loom-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        // The models are shared (the replay opens the recorded model by name); the cache is the test's own.
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: home.appendingPathComponent("models"),
                                                   withDestinationURL: TestModels.loomHome.appendingPathComponent("models"))
        let cli = CLIRunner(environment: ["LOOM_HOME": home.path])

        let warm = try cli.run(["agents", "warm", "math-plan", "--model", model])
        XCTAssertEqual(warm.status, 0, warm.stderr)
        XCTAssertTrue(warm.stdout.contains("math-plan: ") && warm.stdout.contains("tokens computed and saved"), warm.stdout)
        let again = try cli.run(["agents", "warm", "math-plan", "--model", model])
        XCTAssertTrue(again.stdout.contains("already cached (loaded and checked)"), again.stdout)

        let list = try cli.run(["cache", "list"])
        XCTAssertEqual(list.status, 0, list.stderr)
        XCTAssertTrue(list.stdout.contains("1 entries"), list.stdout)

        let trace = home.appendingPathComponent("run.jsonl")
        let ask = try cli.run(["ask", "--agent", "math-plan", "--model", model, "--json", "--trace", trace.path,
                               "Compute 3^13 and subtract 777 from it."])
        XCTAssertEqual(ask.status, 0, ask.stderr)
        let calls = try String(contentsOf: trace, encoding: .utf8).split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["model_call"] as? [String: Any]
        }
        let first = try XCTUnwrap(calls.first?["completion"] as? [String: Any])
        let fromDisk = try XCTUnwrap(first["diskCachedPromptTokens"] as? Int)
        XCTAssertGreaterThan(fromDisk, 1000, "the first call loads the warmed system turn")
        XCTAssertEqual(first["reusedPromptTokens"] as? Int, fromDisk)

        for state in ["warm", "cleared"] {
            if state == "cleared" {
                let clear = try cli.run(["cache", "clear"])
                XCTAssertTrue(clear.stdout.contains("removed 1 entries"), clear.stdout)
            }
            let replay = try cli.run(["replay", trace.path, "--live-model", "--json"])
            XCTAssertEqual(replay.status, 0, "\(state): " + replay.stdout + replay.stderr)
            let report = (try JSONSerialization.jsonObject(with: Data(replay.stdout.utf8)) as? [String: Any])?["report"] as? [String: Any]
            XCTAssertEqual(report?["matched"] as? Bool, true, "\(state): " + replay.stdout)
        }
    }
}
