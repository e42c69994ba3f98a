import AgentCore
import Foundation
@testable import Traces
import XCTest

final class TraceFileTests: XCTestCase {
    func testWriteReadRoundTripKeepsEveryEvent() async throws {
        let path = try await Recording.record(replies: Recording.planReplies)
        let trace = try TraceReader.read(path: path)
        XCTAssertEqual(trace.header.question, "What is (6*7+8)*2?")
        XCTAssertEqual(trace.header.runSeed, 11)
        XCTAssertEqual(trace.header.plugins, [Trace.PluginInfo(name: "calc", version: "0.1.0")])
        XCTAssertEqual(trace.records.map { TraceRecord.typeName($0.event) },
                       ["model_call", "plan", "tool_call", "tool_call", "tool_call", "model_call", "plan", "tool_call",
                        "model_call", "plan", "model_call", "answer", "summary"])
        XCTAssertEqual(trace.records.map(\.seq), Array(1...13))
        XCTAssertTrue(trace.isComplete)
        XCTAssertNil(trace.torn)
        XCTAssertEqual(trace.answer, "The answer is 100.")
        // Every line is one JSON object with sorted keys and a type.
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 14)
        for line in lines { XCTAssertTrue(line.hasPrefix("{\"") && line.contains("\"type\":\"")) }
        // Re-encoding a read record gives the same line.
        for (record, line) in zip(trace.records, lines.dropFirst()) { XCTAssertEqual(try record.line(), String(line)) }
    }

    func testATornLastLineIsReportedNotFatal() async throws {
        let path = try await Recording.record(replies: Recording.planReplies)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let lines = bytes.split(separator: UInt8(ascii: "\n"))
        // As if SIGKILL landed while line 8 was being written: 7 whole lines and 40 bytes of the 8th.
        bytes = Data(lines.prefix(7).joined(separator: [UInt8(ascii: "\n")])) + Data([UInt8(ascii: "\n")]) + Data(lines[7].prefix(40))
        let trace = try TraceReader.parse(bytes, path: "killed.jsonl")
        XCTAssertEqual(trace.torn, TraceFile.TornLine(line: 8, bytes: 40))
        XCTAssertEqual(trace.records.count, 6)
        XCTAssertFalse(trace.isComplete)
        XCTAssertTrue(TraceText.render(trace).contains("line 8 is torn: 40 bytes"))
    }

    func testWrongSchemaVersionIsNamed() async throws {
        let path = try await Recording.record(replies: Recording.planReplies)
        let edited = try Recording.edit(path, line: 1) { $0.set(["header", "schemaVersion"], to: 2) }
        XCTAssertThrowsError(try TraceReader.read(path: edited)) { error in
            XCTAssertEqual(String(describing: error), "line 1: schema version 2 is not supported (this Loom reads version 1)")
        }
    }

    func testGarbageLinesAreNamedPrecisely() async throws {
        let path = try await Recording.record(replies: Recording.planReplies)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        lines[3] = "this is not json at all"
        let garbage = try Recording.write(lines.joined(separator: "\n"))
        XCTAssertThrowsError(try TraceReader.read(path: garbage)) { error in
            XCTAssertEqual(String(describing: error), "line 4: not JSON: this is not json at all")
        }
        lines = text.components(separatedBy: "\n")
        lines.insert("", at: 2)
        XCTAssertThrowsError(try TraceReader.read(path: try Recording.write(lines.joined(separator: "\n")))) { error in
            XCTAssertEqual(String(describing: error), "line 3: empty line: ")
        }
    }

    func testStructuralTamperingIsNamedPrecisely() async throws {
        let path = try await Recording.record(replies: Recording.planReplies)
        func message(line: Int, _ edit: (inout JSONValue) -> Void) throws -> String {
            let edited = try Recording.edit(path, line: line, edit)
            do { _ = try TraceReader.read(path: edited); return "read fine" } catch { return String(describing: error) }
        }
        XCTAssertTrue(try message(line: 2) { $0.set(["model_call"], to: ["purpose": "plan"]) }
            .hasPrefix("line 2: missing field 'model_call.request': {\"model_call\":{\"purpose\":\"plan\"},\"seq\":1,"))
        XCTAssertTrue(try message(line: 4) { $0.set(["type"], to: "teleport") }.hasPrefix("line 4: field 'type': unknown event type 'teleport'"))
        XCTAssertTrue(try message(line: 5) { $0.set(["result", "isError"], to: "no") }.hasPrefix("line 5: field 'result.isError' is not Bool"))
        XCTAssertEqual(try message(line: 6) { $0.set(["seq"], to: 9) }, "line 6: sequence number 9, expected 5")
        XCTAssertTrue(try message(line: 1) { $0.set(["type"], to: "answer") }.hasPrefix("line 1: expected a header event, found a 'answer' event"))
        let header = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")[0]
        XCTAssertEqual(try message(line: 3) { $0 = try! JSONValue.parse(header.replacingOccurrences(of: "\"seq\":0", with: "\"seq\":2")) },
                       "line 3: a second header inside the trace")
        XCTAssertThrowsError(try TraceReader.parse(Data())) { XCTAssertEqual(String(describing: $0), "trace: the trace is empty") }
    }

    func testFuzzedTracesNeverCrashTheReader() async throws {
        let path = try await Recording.record(replies: [#"{"steps":[]}"#, "Nothing to do."], question: "Hi")
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var generator = SystemRandomNumberGenerator()
        var seed = UInt64.random(in: 0...UInt64.max, using: &generator)
        func next() -> Int { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Int(truncatingIfNeeded: seed >> 33) }
        var outcomes: [String: Int] = [:]
        for _ in 0..<600 {
            var bytes = [UInt8](original)
            for _ in 0..<(1 + next() % 4) {
                let at = next() % bytes.count
                switch next() % 4 {
                case 0: bytes[at] = UInt8(truncatingIfNeeded: next())
                case 1: bytes.remove(at: at)
                case 2: bytes.insert(Array("{}[]\",:\n0a\\".utf8)[next() % 11], at: at)
                default: bytes = Array(bytes.prefix(at))
                }
                if bytes.isEmpty { break }
            }
            do {
                _ = try TraceReader.parse(Data(bytes))
                outcomes["read", default: 0] += 1
            } catch let error as TraceError {
                XCTAssertFalse(String(describing: error).isEmpty)
                outcomes["error", default: 0] += 1
            }
        }
        XCTAssertEqual(outcomes.values.reduce(0, +), 600, "seed \(seed)")
    }

    func testHostWarningsOfAToolResultAreKeptAndShown() async throws {
        let path = Recording.temporaryPath("warned.jsonl")
        let sink = try FileTraceSink(path: path)
        await sink.record(.header(Recording.header(question: "q", agent: Recording.agent(), tools: [Recording.evaluate])))
        let call = ToolCall(id: "s1", name: "evaluate", arguments: ["expression": "6*7"])
        await sink.record(.toolCall(call: call, result: ToolResult(
            callID: "s1", plugin: "calc", tool: "evaluate", content: "42", isError: false,
            warnings: ["loom restarted plugin 'calc' for this call (restart 1 of at most 2 in this run) after it stopped"])))
        await sink.record(.toolCall(call: call, result: ToolResult(callID: "s2", plugin: "calc", tool: "evaluate",
                                                                   content: "42", isError: false)))
        await sink.close()
        let trace = try TraceReader.read(path: path)
        guard case .toolCall(_, let result) = trace.records[0].event else { return XCTFail("\(trace.records)") }
        XCTAssertEqual(result.warnings?.count, 1)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        XCTAssertFalse(lines[2].contains("warnings"), "a result without warnings is written as before: \(lines[2])")
        XCTAssertTrue(TraceText.render(trace).contains("\n             loom warning: loom restarted plugin 'calc' for this call"),
                      TraceText.render(trace))
    }

    func testTextAndHTMLViews() async throws {
        let path = try await Recording.record(replies: Recording.planReplies)
        let trace = try TraceReader.read(path: path)
        let text = TraceText.render(trace)
        XCTAssertTrue(text.contains("Question: What is (6*7+8)*2?"))
        XCTAssertTrue(text.contains("model call 1 (plan): "))
        XCTAssertTrue(text.contains("re-plan:\n             s4 evaluate {\"expression\":\"{{s3}} * 2\"} after s3"))
        XCTAssertTrue(text.contains("tool s2 calc.evaluate {\"expression\":\"x\"} FAILED in 0.0"))
        XCTAssertTrue(text.contains("summary: 4 tool calls, 4 model calls"))
        let html = TraceHTML.render(trace)
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertEqual(html.components(separatedBy: "class='bar prefill'").count - 1, 4)
        XCTAssertEqual(html.components(separatedBy: "class='bar generate'").count - 1, 4)
        XCTAssertEqual(html.components(separatedBy: "class='bar tool'").count - 1, 3)
        XCTAssertEqual(html.components(separatedBy: "class='bar failed'").count - 1, 1)
        XCTAssertFalse(html.contains("src="), "self-contained: no external resources")
        XCTAssertFalse(html.contains("http://") || html.contains("https://"), "self-contained: no external resources")
        // The plan graph: s4 (a re-plan step) uses s3's result.
        XCTAssertEqual(TracePlanGraph.steps(trace).first { $0.id == "s4" }?.uses, ["s3"])
        XCTAssertTrue(html.contains("<g class='node replan' data-step='s4'>"), html)
        XCTAssertTrue(html.contains("<g class='node failed' data-step='s2'>"), html)
        XCTAssertTrue(html.contains("<h2>Budgets</h2>"))
        XCTAssertTrue(TraceHTML.escape("<b a='1'>&\"").elementsEqual("&lt;b a=&#39;1&#39;&gt;&amp;&quot;"))
    }
}
