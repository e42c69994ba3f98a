import Foundation
import TestSupport
import XCTest

/// `loom trace html` pages open in a real browser (headless Chromium): no script errors, the plan's
/// steps and the timeline's rows are there, and for a replay that diverges the divergence is marked.
final class TraceViewBrowserTests: XCTestCase {
    /// The timeline rows a trace has: one per model call and per tool call.
    private func rowCount(_ trace: String) throws -> Int {
        try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
            .filter { $0.contains(#""type":"model_call""#) || $0.contains(#""type":"tool_call""#) }.count
    }

    func testPlanExecuteTraceRendersInChromium() throws {
        try HeadlessChromium.require()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loom-trace-view-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let trace = Repository.root.appendingPathComponent("examples/traces/math-plan-execute-qwen0.5b.jsonl").path
        let page = folder.appendingPathComponent("run.html")
        let output = try CLIRunner().run(["trace", "html", trace, "--replay", "-o", page.path])
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertTrue(output.stdout.contains("replay matched the record"), output.stdout)

        let (dom, log) = try HeadlessChromium.open(page, screenshot: folder.appendingPathComponent("shot.png"))
        let rows = try rowCount(trace)
        XCTAssertTrue(dom.contains("data-ready=\"steps:1 rows:\(rows)\""), "the page's script ran to its end: \(dom.prefix(400))")
        XCTAssertFalse(log.contains("Uncaught"), log)
        XCTAssertTrue(dom.contains("data-step=\"s1\""), "the plan's step is drawn")
        XCTAssertTrue(dom.contains("calc.evaluate"), "the tool call is listed")
        XCTAssertFalse(dom.contains("Replay diverged"))
        let png = try Data(contentsOf: folder.appendingPathComponent("shot.png"))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "a PNG screenshot")
    }

    func testDivergingReplayIsHighlighted() throws {
        try HeadlessChromium.require()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loom-trace-view-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = Repository.root.appendingPathComponent("examples/traces/math-plan-execute-qwen0.5b.jsonl")
        let text = try String(contentsOf: original, encoding: .utf8)
        XCTAssertTrue(text.contains(#""content":"414""#))
        // A tool result edited after the run: the next model call's prompt no longer matches the record.
        let tampered = folder.appendingPathComponent("tampered.jsonl")
        try text.replacingOccurrences(of: #""content":"414""#, with: #""content":"42""#)
            .write(to: tampered, atomically: true, encoding: .utf8)
        let page = folder.appendingPathComponent("diverged.html")
        let output = try CLIRunner().run(["trace", "html", tampered.path, "--replay", "-o", page.path])
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertTrue(output.stdout.contains("replay diverged at line 5 (model call 2"), output.stdout)

        let (dom, log) = try HeadlessChromium.open(page, screenshot: folder.appendingPathComponent("shot.png"))
        XCTAssertFalse(log.contains("Uncaught"), log)
        XCTAssertTrue(dom.contains("data-ready=\"steps:1 rows:\(try rowCount(original.path))\""), String(dom.prefix(400)))
        XCTAssertTrue(dom.contains("<b>Replay diverged</b> at line 5"), "the divergence is named")
        XCTAssertEqual(dom.components(separatedBy: "class=\"row diverged\"").count - 1, 1, "and its row marked")
    }
}
