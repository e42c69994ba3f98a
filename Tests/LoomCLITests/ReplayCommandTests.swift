import Foundation
import TestSupport
import XCTest

/// `loom replay` on the real recorded traces in examples/traces.
final class ReplayCommandTests: XCTestCase {
    private let trace = Repository.root.appendingPathComponent("examples/traces/math-plan-execute-qwen0.5b.jsonl").path

    func testOfflineReplayOfARealRunMatches() throws {
        let output = try CLIRunner().run(["replay", trace, "--json"])
        XCTAssertEqual(output.status, 0, output.stdout + output.stderr)
        let report = try XCTUnwrap(Self.report(output.stdout), output.stdout)
        XCTAssertEqual(report["matched"] as? Bool, true, output.stdout)
        XCTAssertEqual(report["answer"] as? String, report["recorded_answer"] as? String)
    }

    func testLiveModelReplayOfARealRunHasNoTokenDivergence() throws {
        _ = try TestModels.path(TestModels.qwen05)
        let output = try CLIRunner().run(["replay", trace, "--live-model", "--json"])
        XCTAssertEqual(output.status, 0, output.stdout + output.stderr)
        let report = try XCTUnwrap(Self.report(output.stdout), output.stdout)
        XCTAssertEqual(report["matched"] as? Bool, true, output.stdout)
        XCTAssertEqual(report["answer"] as? String, report["recorded_answer"] as? String)
    }

    private static func report(_ json: String) -> [String: Any]? {
        let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return object?["report"] as? [String: Any]
    }

    func testTamperedTraceIsReportedPrecisely() throws {
        let text = try String(contentsOfFile: trace, encoding: .utf8)
        let tampered = FileManager.default.temporaryDirectory.appendingPathComponent("tampered-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: tampered) }
        try (text + "this is not json\n").write(to: tampered, atomically: true, encoding: .utf8)
        let output = try CLIRunner().run(["replay", tampered.path])
        XCTAssertNotEqual(output.status, 0)
        let lineCount = text.split(separator: "\n").count
        XCTAssertTrue((output.stderr + output.stdout).contains("\(lineCount + 1)"), output.stderr + output.stdout)
    }
}
