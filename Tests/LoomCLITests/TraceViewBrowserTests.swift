import Foundation
import TestSupport
import XCTest

/// `loom trace html` pages open in a real browser (headless Chromium): no script errors, the plan's
/// steps and the timeline's rows are there, and for a replay that diverges the divergence is marked.
final class TraceViewBrowserTests: XCTestCase {
    private let chromium = "/usr/bin/chromium"

    /// Runs headless Chromium on `page` and returns the DOM after its scripts ran and what it logged.
    private func open(_ page: URL, screenshot: URL) throws -> (dom: String, log: String) {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("loom-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        // The DOM and the screenshot come from two runs: --dump-dom prints and exits before a screenshot.
        func run(_ arguments: [String]) throws -> (String, String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: chromium)
            process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile.path)",
                                 "--enable-logging=stderr", "--v=0", "--window-size=1200,1400"] + arguments + [page.absoluteString]
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let errData = Collected()
            let group = DispatchGroup()
            DispatchQueue.global().async(group: group) { errData.data = err.fileHandleForReading.readDataToEndOfFile() }
            let outData = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            group.wait()
            return (String(decoding: outData, as: UTF8.self), String(decoding: errData.data, as: UTF8.self))
        }
        let (dom, log) = try run(["--dump-dom"])
        let (_, shotLog) = try run(["--screenshot=\(screenshot.path)", "--hide-scrollbars"])
        return (dom, log + shotLog)
    }

    /// The timeline rows a trace has: one per model call and per tool call.
    private func rowCount(_ trace: String) throws -> Int {
        try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
            .filter { $0.contains(#""type":"model_call""#) || $0.contains(#""type":"tool_call""#) }.count
    }

    private func requireChromium() throws {
        if !FileManager.default.isExecutableFile(atPath: chromium) {
            try TestModels.requirement("Chromium is required (apt-get install chromium; scripts/install-system-packages.sh)")
        }
    }

    func testPlanExecuteTraceRendersInChromium() throws {
        try requireChromium()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loom-trace-view-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let trace = Repository.root.appendingPathComponent("examples/traces/math-plan-execute-qwen0.5b.jsonl").path
        let page = folder.appendingPathComponent("run.html")
        let output = try CLIRunner().run(["trace", "html", trace, "--replay", "-o", page.path])
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertTrue(output.stdout.contains("replay matched the record"), output.stdout)

        let (dom, log) = try open(page, screenshot: folder.appendingPathComponent("shot.png"))
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
        try requireChromium()
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

        let (dom, log) = try open(page, screenshot: folder.appendingPathComponent("shot.png"))
        XCTAssertFalse(log.contains("Uncaught"), log)
        XCTAssertTrue(dom.contains("data-ready=\"steps:1 rows:\(try rowCount(original.path))\""), String(dom.prefix(400)))
        XCTAssertTrue(dom.contains("<b>Replay diverged</b> at line 5"), "the divergence is named")
        XCTAssertEqual(dom.components(separatedBy: "class=\"row diverged\"").count - 1, 1, "and its row marked")
    }
}

/// Bytes read on another thread; the dispatch group orders the write before the read.
private final class Collected: @unchecked Sendable {
    var data = Data()
}
