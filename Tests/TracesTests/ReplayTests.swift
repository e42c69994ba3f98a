import AgentCore
import Foundation
import Orchestrator
import OrchestratorTestSupport
import Traces
import XCTest

final class ReplayTests: XCTestCase {
    func testOfflineReplayOfAPlanRunMatches() async throws {
        let trace = try TraceReader.read(path: try await Recording.record(replies: Recording.planReplies))
        let report = await Replayer.replay(trace, mode: .offline, run: Recording.rerun(trace))
        XCTAssertNil(report.divergence, report.divergence?.description ?? "")
        XCTAssertTrue(report.matched)
        XCTAssertEqual(report.answer, "The answer is 100.")
        XCTAssertEqual(report.answer, report.recordedAnswer)
        XCTAssertEqual(report.eventsCompared, 13)
    }

    func testOfflineReplayOfAReActRunMatches() async throws {
        let replies = [
            #"{"name":"evaluate","arguments":{"expression":"6 * 7"}}"#,
            #"{"name":"evaluate","arguments":{"expression":"42 + 8"}}"#,
            #"{"name":"final_answer","arguments":{"answer":"50"}}"#,
        ]
        let trace = try TraceReader.read(path: try await Recording.record(replies: replies, strategy: .react))
        let report = await Replayer.replay(trace, mode: .offline, run: Recording.rerun(trace))
        XCTAssertTrue(report.matched, report.divergence?.description ?? "")
        XCTAssertEqual(report.answer, "50")
    }

    func testAChangedSystemPromptDivergesAtTheFirstModelCall() async throws {
        let trace = try TraceReader.read(path: try await Recording.record(replies: Recording.planReplies))
        let changed = Recording.agent(prompt: "You are a terse assistant.")
        let report = await Replayer.replay(trace, mode: .offline, run: Recording.rerun(trace, agent: changed))
        let divergence = try XCTUnwrap(report.divergence)
        XCTAssertEqual(divergence.line, 2)
        XCTAssertEqual(divergence.event, "model call 1 (plan)")
        XCTAssertEqual(divergence.field, "request.messages[0].content (character 10)")
        XCTAssertTrue(divergence.recorded.hasPrefix("\"You are a careful assistant.\\n\\nYou answer by first writing"), divergence.recorded)
        XCTAssertTrue(divergence.now.hasPrefix("\"You are a terse assistant.\\n\\nYou answer by first writing"), divergence.now)
        XCTAssertFalse(report.matched)
        XCTAssertEqual(report.eventsCompared, 0)
    }

    func testAnEditedToolResultIsCaughtAtTheNextPrompt() async throws {
        let path = try await Recording.record(replies: Recording.planReplies)
        let edited = try Recording.edit(path, line: 4) { $0.set(["result", "content"], to: "41") }
        let trace = try TraceReader.read(path: edited)
        let report = await Replayer.replay(trace, mode: .offline, run: Recording.rerun(trace))
        let divergence = try XCTUnwrap(report.divergence)
        XCTAssertEqual(divergence.line, 6, "s3 = {{s1}} + 8 is now called with 41 + 8")
        XCTAssertEqual(divergence.event, "tool call s3")
        XCTAssertEqual(divergence.field, "call.arguments.expression (character 1)")
        XCTAssertEqual(divergence.recorded, "\"42 + 8\"")
        XCTAssertEqual(divergence.now, "\"41 + 8\"")
    }

    func testAnEditedPromptIsCaughtAtItsModelCall() async throws {
        let path = try await Recording.record(replies: Recording.planReplies)
        let edited = try Recording.edit(path, line: 7) {
            $0.set(["model_call", "request", "messages", 1, "content"], to: "What is 2+2?")
        }
        let trace = try TraceReader.read(path: edited)
        let report = await Replayer.replay(trace, mode: .offline, run: Recording.rerun(trace))
        let divergence = try XCTUnwrap(report.divergence)
        XCTAssertEqual(divergence.line, 7)
        XCTAssertEqual(divergence.event, "model call 2 (replan)")
        XCTAssertEqual(divergence.field, "request.messages[1].content (character 8)")
        XCTAssertEqual(divergence.recorded, "\"What is 2+2?\"")
        XCTAssertEqual(divergence.now, "\"What is (6*7+8)*2?\"")
        XCTAssertEqual(report.eventsCompared, 5)
    }

    func testAnEditedModelOutputIsCaughtAtThePlan() async throws {
        let path = try await Recording.record(replies: Recording.planReplies)
        let edited = try Recording.edit(path, line: 2) {
            $0.set(["model_call", "completion", "text"], to: .string(Recording.planReplies[0].replacingOccurrences(of: "6 * 7", with: "6 * 8")))
        }
        let trace = try TraceReader.read(path: edited)
        let report = await Replayer.replay(trace, mode: .offline, run: Recording.rerun(trace))
        let divergence = try XCTUnwrap(report.divergence)
        XCTAssertEqual(divergence.line, 3)
        XCTAssertEqual(divergence.event, "plan")
        XCTAssertEqual(divergence.field, "steps.steps[0].arguments.expression (character 4)")
    }

    func testATruncatedTraceReportsWhereTheRecordEnds() async throws {
        let path = try await Recording.record(replies: Recording.planReplies)
        let lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        let cut = try Recording.write(lines.prefix(6).joined(separator: "\n") + "\n" + lines[6].prefix(30))
        let trace = try TraceReader.read(path: cut)
        XCTAssertEqual(trace.torn?.line, 7)
        let report = await Replayer.replay(trace, mode: .offline, run: Recording.rerun(trace))
        let divergence = try XCTUnwrap(report.divergence)
        XCTAssertEqual(divergence.line, 7)
        XCTAssertEqual(divergence.event, "model call 2")
        XCTAssertEqual(divergence.recorded, "the record ends after line 6")
        XCTAssertEqual(report.tornLine, 7)
    }

    func testLiveToolsAreDiffedAgainstTheRecord() async throws {
        let trace = try TraceReader.read(path: try await Recording.record(replies: Recording.planReplies))
        let live = ScriptedToolExecutor(tools: [Recording.evaluate]) { call in
            call.arguments["expression"]?.stringValue == "42 + 8" ? ("fifty", false) : await Recording.calc(call)
        }
        let report = await Replayer.replay(trace, mode: .liveTools, liveTools: live, run: Recording.rerun(trace))
        XCTAssertNil(report.divergence)
        XCTAssertEqual(report.toolDifferences.count, 1)
        XCTAssertEqual(report.toolDifferences.first?.line, 6)
        XCTAssertEqual(report.toolDifferences.first?.field, "result.content (character 0)")
        XCTAssertEqual(report.toolDifferences.first?.recorded, "\"50\"")
        XCTAssertEqual(report.toolDifferences.first?.now, "\"fifty\"")
        XCTAssertFalse(report.matched)
        let calls = await live.calls
        XCTAssertEqual(calls.map(\.id), ["s1", "s2", "s3", "s4"])
    }

    func testLiveModelIsComparedTokenForToken() async throws {
        let trace = try TraceReader.read(path: try await Recording.record(replies: Recording.planReplies))
        let same = await Replayer.replay(trace, mode: .liveModel, liveModel: ScriptedModel(Recording.planReplies),
                                         run: Recording.rerun(trace))
        XCTAssertTrue(same.matched, same.divergence?.description ?? "")
        var replies = Recording.planReplies
        replies[3] = "The answer is 10."
        let different = await Replayer.replay(trace, mode: .liveModel, liveModel: ScriptedModel(replies), run: Recording.rerun(trace))
        let divergence = try XCTUnwrap(different.divergence)
        XCTAssertEqual(divergence.line, 12)
        XCTAssertEqual(divergence.event, "model call 4 (answer)")
        XCTAssertEqual(divergence.field, "completion.generatedTokens[16]")
        XCTAssertEqual(divergence.recorded, "token 48 in \"The answer is 100.\"")
        XCTAssertEqual(divergence.now, "token 46 in \"The answer is 10.\"")
    }

    func testForkContinuesLiveAndWritesATraceNamingItsParent() async throws {
        let path = try await Recording.record(replies: Recording.planReplies)
        let trace = try TraceReader.read(path: path)
        let forkPath = Recording.temporaryPath("fork.jsonl")
        let sink = try FileTraceSink(path: forkPath)
        await sink.record(.header(Recording.header(question: trace.header.question, agent: trace.header.agent,
                                                   tools: trace.header.tools, parent: path)))
        // Recorded outputs up to line 12 (the answer call), then a live model that answers differently.
        let live = ScriptedModel { _, _ in "Forked: 100." }
        let tools = ScriptedToolExecutor(tools: [Recording.evaluate], handler: Recording.calc)
        let report = await Replayer.replay(trace, mode: .fork(untilLine: 12), liveModel: live, liveTools: tools,
                                           forkSink: sink, run: Recording.rerun(trace))
        await sink.close()
        XCTAssertEqual(report.answer, "Forked: 100.")
        let liveRequests = await live.requests
        XCTAssertEqual(liveRequests.count, 1)
        let liveCalls = await tools.calls
        XCTAssertEqual(liveCalls.count, 0, "every tool call before line 12 came from the record")
        let fork = try TraceReader.read(path: forkPath)
        XCTAssertEqual(fork.header.parent, path)
        XCTAssertEqual(fork.answer, "Forked: 100.")
        XCTAssertTrue(fork.isComplete)
    }

    func testOfflineReplayOfATenStepTraceTakesMilliseconds() async throws {
        var replies: [String] = []
        for index in 1...10 { replies.append(#"{"name":"evaluate","arguments":{"expression":"\#(index) * 1000"}}"#) }
        replies.append(#"{"name":"final_answer","arguments":{"answer":"done"}}"#)
        let path = try await Recording.recordReAct(replies: replies, maxSteps: 10)
        let trace = try TraceReader.read(path: path)
        let started = Date()
        let report = await Replayer.replay(trace, mode: .offline, run: Recording.rerun(trace))
        let seconds = Date().timeIntervalSince(started)
        XCTAssertTrue(report.matched, report.divergence?.description ?? "")
        XCTAssertEqual(report.eventsCompared, trace.records.count)
        print("offline replay of a 10-step trace (\(trace.records.count) events): \(String(format: "%.1f", seconds * 1000)) ms")
        XCTAssertLessThan(seconds, 2)
    }
}
