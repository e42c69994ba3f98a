import AgentCore
import OrchestratorTestSupport
import XCTest
@testable import Orchestrator

final class PlanExecuteTests: XCTestCase {
    /// The continuation that ends planning after a round that succeeded: nothing remains, no more steps.
    static let nothingRemains = #"{"remaining": "nothing", "steps": []}"#

    /// What a request's constraint asks for: "plan" (steps), "continue" (remaining and steps), "answer", or "none".
    static func asks(_ request: CompletionRequest) -> String {
        guard let schema = Fixtures.planSchema(request) else { return "none" }
        let properties = schema["properties"]
        if properties?["remaining"] != nil, properties?["steps"] != nil { return "continue" }
        if properties?["steps"] != nil { return "plan" }
        if properties?["answer"] != nil { return "answer" }
        return "other"
    }

    func testIndependentStepsRunConcurrentlyAndReferencesResolve() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate]) { call in
            try? await Task.sleep(nanoseconds: 300_000_000)
            return await Fixtures.calc(call)
        }
        let plan = Fixtures.plan([
            ("s1", "evaluate", ["expression": "6 * 7"], []),
            ("s2", "evaluate", ["expression": "5 + 3"], []),
            ("s3", "evaluate", ["expression": "{{s1}} + {{s2}}"], ["s1", "s2"]),
            ("s4", "evaluate", ["expression": ["$ref": "s3"]], []),
        ])
        let model = ScriptedModel([plan, Self.nothingRemains, "The total is 50."])
        let sink = MemoryTraceSink()
        let started = Date()
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: Fixtures.agent(), sink: sink)
            .run(question: "What is 6*7 plus 5+3?")
        let elapsed = Date().timeIntervalSince(started)

        let maxInFlight = await tools.maxInFlight
        XCTAssertEqual(maxInFlight, 2, "s1 and s2 must overlap")
        XCTAssertLessThan(elapsed, 1.15, "three waves of 0.3 s; serial would take 1.2 s")
        let calls = await tools.calls
        XCTAssertEqual(calls.first { $0.id == "s3" }?.arguments, ["expression": "42 + 8"])
        XCTAssertEqual(calls.first { $0.id == "s4" }?.arguments, ["expression": "50"])
        XCTAssertEqual(outcome.answer, "The total is 50.")
        XCTAssertNil(outcome.stop)
        XCTAssertEqual(outcome.toolCalls, 4)

        let events = await sink.events
        let kinds = events.map { event -> String in
            switch event {
            case .modelCall(let call): return "model:\(call.purpose)"
            case .plan: return "plan"
            case .toolCall(let call, _): return "tool:\(call.id)"
            case .answer: return "answer"
            case .summary: return "summary"
            default: return "other"
            }
        }
        XCTAssertEqual(kinds, ["model:plan", "plan", "tool:s1", "tool:s2", "tool:s3", "tool:s4", "model:replan", "plan",
                              "model:answer", "answer", "summary"])
    }

    func testPlanIsGeneratedUnderTheToolSchemaConstraint() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate, Fixtures.fetch], handler: Fixtures.calc)
        let model = ScriptedModel([Fixtures.plan([]), "Nothing to compute."])
        _ = try await Fixtures.orchestrator(model: model, tools: tools, agent: Fixtures.agent()).run(question: "Hi?")
        let requests = await model.requests
        let first = try XCTUnwrap(requests.first)
        guard case .jsonSchema(let schema) = first.constraint else { return XCTFail("plan call is not constrained") }
        let branches = try XCTUnwrap(schema["properties"]?["steps"]?["items"]?["anyOf"]?.arrayValue)
        XCTAssertEqual(branches.compactMap { $0["properties"]?["tool"]?["enum"]?.arrayValue?.first?.stringValue }, ["evaluate", "fetch"])
        // A non-string argument also accepts a reference string.
        let maxChars = branches[1]["properties"]?["arguments"]?["properties"]?["max_chars"]
        XCTAssertEqual(maxChars?["anyOf"]?.arrayValue?.count, 2)
    }

    func testFailedStepIsReplannedAloneAndCompletedStepsAreKept() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let first = Fixtures.plan([
            ("s1", "evaluate", ["expression": "2 * 21"], []),
            ("s2", "evaluate", ["expression": "sqrt(-1) junk"], []),
            ("s3", "evaluate", ["expression": "{{s2}} + 1"], ["s2"]),
        ])
        let second = Fixtures.plan([("s4", "evaluate", ["expression": "{{s1}} + 1"], ["s1"])])
        let model = ScriptedModel([first, second, Self.nothingRemains, "43"])
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: Fixtures.agent())
            .run(question: "q")
        let calls = await tools.calls.map(\.id)
        XCTAssertEqual(calls, ["s1", "s2", "s4"], "s3 is skipped, s1 is not re-run")
        let requests = await model.requests
        XCTAssertEqual(requests.map(Self.asks), ["plan", "plan", "continue", "answer"], "plan, re-plan, continuation, answer")
        let replanPrompt = try XCTUnwrap(requests[1].messages.last?.content)
        XCTAssertTrue(replanPrompt.contains("did not succeed: s2, s3"), replanPrompt)
        XCTAssertTrue(replanPrompt.contains("Step s3 (evaluate) was not run: it depends on s2"), replanPrompt)
        XCTAssertTrue(replanPrompt.contains("Completed steps (s1)"), replanPrompt)
        XCTAssertEqual(outcome.answer, "43")
        XCTAssertTrue(outcome.missing.isEmpty, "the re-plan covered the failure: \(outcome.missing)")
    }

    func testReplansAreBoundedAndTheAnswerSaysWhatIsMissing() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let bad = { (id: String) in Fixtures.plan([(id, "evaluate", ["expression": .string("bad \(id)")], [])]) }
        let model = ScriptedModel([bad("s1"), bad("s2"), "I could not compute it."])
        let agent = Fixtures.agent(limits: .init(maxReplans: 1))
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent).run(question: "q")
        let requests = await model.requests
        XCTAssertEqual(requests.map(Self.asks), ["plan", "plan", "answer"], "plan, one re-plan, answer")
        XCTAssertEqual(outcome.missing.count, 1)
        XCTAssertTrue(outcome.answer.contains("Missing: s2: evaluate failed"), outcome.answer)
        XCTAssertTrue(try XCTUnwrap(requests[2].messages.last?.content).contains("Say what is missing"))
    }

    func testRepeatedFailingCallInARePlanIsNotRunAgain() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let model = ScriptedModel([
            Fixtures.plan([("s1", "evaluate", ["expression": "oops"], [])]),
            Fixtures.plan([("s2", "evaluate", ["expression": "oops"], [])]),
            "Cannot be computed.",
        ])
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: Fixtures.agent())
            .run(question: "q")
        let calls = await tools.calls
        XCTAssertEqual(calls.count, 1, "the identical call is not dispatched twice")
        XCTAssertEqual(outcome.stop, .repeatedCalls(tool: "evaluate"))
        XCTAssertTrue(outcome.answer.contains("Stopped early: repeated identical calls of evaluate"), outcome.answer)
    }

    func testStepBudgetRunsWhatFitsAndReportsTheRest() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let plan = Fixtures.plan([
            ("s1", "evaluate", ["expression": "1 + 1"], []), ("s2", "evaluate", ["expression": "2 + 2"], []),
            ("s3", "evaluate", ["expression": "3 + 3"], []),
        ])
        let model = ScriptedModel([plan, "2 and 4; the third is missing."])
        let agent = Fixtures.agent(limits: .init(maxSteps: 2))
        let sink = MemoryTraceSink()
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent, sink: sink).run(question: "q")
        XCTAssertEqual(outcome.toolCalls, 2)
        XCTAssertEqual(outcome.stop, .steps(limit: 2))
        XCTAssertEqual(outcome.missing, ["s3: not run: step budget reached (2 tool calls)"])
        XCTAssertTrue(outcome.answer.hasPrefix("2 and 4; the third is missing."))
        XCTAssertTrue(outcome.answer.contains("Stopped early: step budget reached"), outcome.answer)
        let stops = await sink.events.filter { if case .budgetStop = $0 { return true } else { return false } }
        XCTAssertEqual(stops, [.budgetStop(reason: "step budget reached (2 tool calls)")])
    }

    func testTokenBudgetAnswersWithoutAnotherModelCall() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let plan = Fixtures.plan([("s1", "evaluate", ["expression": "20 + 22"], [])])
        let model = ScriptedModel([plan, "never asked"])
        let agent = Fixtures.agent(limits: .init(maxTokens: plan.unicodeScalars.count))
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent).run(question: "q")
        let requests = await model.requests
        XCTAssertEqual(requests.count, 1)
        XCTAssertEqual(outcome.stop, .tokens(limit: plan.unicodeScalars.count))
        XCTAssertTrue(outcome.answer.contains("s1 (evaluate): 42"), outcome.answer)
        XCTAssertTrue(outcome.answer.hasPrefix("I could not finish: token budget reached"), outcome.answer)
    }

    func testWallTimeBudgetOnTheInjectedClock() async throws {
        let clock = ManualClock()
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate]) { call in
            clock.advance(40)
            return await Fixtures.calc(call)
        }
        let model = ScriptedModel([
            Fixtures.plan([("s1", "evaluate", ["expression": "bad"], [])]),
            "never asked", "never asked",
        ])
        let agent = Fixtures.agent(limits: .init(wallSeconds: 30))
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent, clock: clock).run(question: "q")
        XCTAssertEqual(outcome.stop, .wallTime(seconds: 30))
        let requests = await model.requests
        XCTAssertEqual(requests.count, 1, "no re-plan and no answer call after the time is up")
        XCTAssertTrue(outcome.answer.contains("Missing: s1: evaluate failed"), outcome.answer)
    }

    func testInvalidPlansAreFedBackAsObservations() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let log = ProgressLog()
        let model = ScriptedModel([
            "this is not json",
            Fixtures.plan([("s1", "teleport", ["to": "mars"], [])]),
            Fixtures.plan([("s1", "evaluate", ["expression": "1 + 1"], [])]),
            "2",
        ])
        let agent = Fixtures.agent(limits: .init(maxReplans: 2))
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent, progress: log).run(question: "q")
        XCTAssertEqual(outcome.answer, "2")
        XCTAssertEqual(log.observations.count, 2)
        let requests = await model.requests
        XCTAssertTrue(try XCTUnwrap(requests[1].messages.last?.content).contains("not valid JSON"))
        XCTAssertTrue(try XCTUnwrap(requests[2].messages.last?.content).contains("unknown tool 'teleport'"))
    }

    func testPromptsKeepAStablePrefixForTheKVCache() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let model = ScriptedModel([
            Fixtures.plan([("s1", "evaluate", ["expression": "x"], [])]),
            Fixtures.plan([("s2", "evaluate", ["expression": "1 + 1"], [])]), Self.nothingRemains, "2",
        ])
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: Fixtures.agent()).run(question: "q")
        let requests = await model.requests
        XCTAssertEqual(requests.map(Self.asks), ["plan", "plan", "continue", "answer"])
        for (earlier, later) in zip(requests, requests.dropFirst()) {
            XCTAssertEqual(Array(later.messages.prefix(earlier.messages.count)), earlier.messages)
        }
        XCTAssertEqual(outcome.reusedPromptTokens.count, 4)
        XCTAssertEqual(outcome.reusedPromptTokens[0], 0)
        for (index, request) in requests.enumerated().dropFirst() {
            let previous = ScriptedModel.render(requests[index - 1])
            XCTAssertGreaterThanOrEqual(outcome.reusedPromptTokens[index], previous.unicodeScalars.count - "<|assistant|>".count)
            XCTAssertLessThan(outcome.reusedPromptTokens[index], ScriptedModel.render(request).unicodeScalars.count)
        }
    }

    func testLongResultsAreTruncatedWithAMarker() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.fetch]) { _ in (String(repeating: "abcdefghij", count: 500), false) }
        let model = ScriptedModel([Fixtures.plan([("s1", "fetch", ["url": "http://127.0.0.1/x"], [])]), Self.nothingRemains, "done"])
        _ = try await Fixtures.orchestrator(model: model, tools: tools, agent: Fixtures.agent(), resultLimit: 400)
            .run(question: "q")
        let requests = await model.requests
        XCTAssertEqual(requests.map(Self.asks), ["plan", "continue", "answer"])
        // The result enters the conversation once, in the prompt of the call after its round.
        let prompt = try XCTUnwrap(requests[1].messages.last?.content)
        XCTAssertTrue(prompt.contains("[… truncated: 4664 of 5000 characters left out …]"), prompt)
        // The results part: the 400 characters kept, the step's heading and the fence around them.
        let resultsPart = try XCTUnwrap(prompt.components(separatedBy: "\n\nThe question was:").first)
        XCTAssertLessThan(resultsPart.count, 600)
        // Later prompts carry it only in that truncated form (too long to be repeated among the short results).
        let answerPrompt = try XCTUnwrap(requests[2].messages.last?.content)
        XCTAssertFalse(answerPrompt.contains("abcdefghij"), answerPrompt)
        XCTAssertEqual(ScriptedModel.render(requests[2]).components(separatedBy: "abcdefghij").count,
                       ScriptedModel.render(requests[1]).components(separatedBy: "abcdefghij").count)
    }

    func testAfterASuccessfulRoundTheContinuationAddsAStepWithANumberFromTheResults() async throws {
        let page = "Daily report: the shop sold 1234 apples on Monday."
        let handler: ScriptedToolExecutor.Handler = { call in
            call.name == "fetch" ? (page, false) : await Fixtures.calc(call)
        }
        let continuation = #"{"remaining": "the apples of two such days", "steps": ["#
            + #"{"id": "s2", "tool": "evaluate", "arguments": {"expression": "1234 * 2"}}]}"#
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate, Fixtures.fetch], handler: handler)
        let model = ScriptedModel([
            Fixtures.plan([("s1", "fetch", ["url": "http://127.0.0.1/report"], [])]),
            continuation, Self.nothingRemains, #"{"answer": "2468 apples."}"#,
        ])
        let sink = MemoryTraceSink()
        let question = "How many apples does the shop sell in two days like Monday?"
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: Fixtures.agent(), sink: sink)
            .run(question: question)

        XCTAssertEqual(outcome.answer, "2468 apples.")
        XCTAssertNil(outcome.stop)
        XCTAssertTrue(outcome.missing.isEmpty, "\(outcome.missing)")
        let calls = await tools.calls
        XCTAssertEqual(calls.map(\.id), ["s1", "s2"])
        XCTAssertEqual(calls[1].arguments, ["expression": "1234 * 2"], "the number was copied from the fetched page")

        let requests = await model.requests
        XCTAssertEqual(requests.map(Self.asks), ["plan", "continue", "continue", "answer"])
        guard let continueSchema = Fixtures.planSchema(requests[1]) else { return XCTFail("not constrained") }
        XCTAssertEqual(continueSchema["properties"]?["remaining"], ["type": "string"])
        XCTAssertEqual(continueSchema["required"], ["remaining", "steps"])
        XCTAssertEqual(continueSchema["propertyOrder"], ["remaining", "steps"], "what remains is said first")
        guard case .jsonSchema(let planSchema) = requests[0].constraint else { return XCTFail("not constrained") }
        XCTAssertNil(planSchema["properties"]?["remaining"], "the first plan has nothing to say remains")
        // The continuation sees the fenced page and the question again.
        let continuePrompt = try XCTUnwrap(requests[1].messages.last?.content)
        XCTAssertTrue(continuePrompt.contains(#"Step s1 (fetch {"url":"http://127.0.0.1/report"}):"#), continuePrompt)
        XCTAssertTrue(continuePrompt.contains(page), continuePrompt)
        XCTAssertTrue(continuePrompt.contains("The question was: \(question)"), continuePrompt)
        XCTAssertTrue(try XCTUnwrap(requests[2].messages.last?.content).contains(#"Step s2 (evaluate {"expression":"1234 * 2"}):"#))
        // The answer sees both short results next to the question.
        let answerPrompt = try XCTUnwrap(requests[3].messages.last?.content)
        XCTAssertTrue(answerPrompt.hasPrefix("The results: s1 = \(page); s2 = 2468.\n"), answerPrompt)

        let events = await sink.events
        let kinds = events.map { event -> String in
            switch event {
            case .modelCall(let call): return "model:\(call.purpose)"
            case .plan(_, let replan): return replan ? "replan" : "plan"
            case .toolCall(let call, _): return "tool:\(call.id)"
            case .answer: return "answer"
            case .summary: return "summary"
            default: return "other"
            }
        }
        XCTAssertEqual(kinds, ["model:plan", "plan", "tool:s1", "model:replan", "replan", "tool:s2",
                               "model:replan", "replan", "model:answer", "answer", "summary"])
    }

    func testContinuationsAreBoundedByMaxReplans() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        for maxReplans in [0, 1, 3] {
            // A model that never says nothing remains: each continuation adds one more step.
            let model = ScriptedModel { request, index in
                guard let schema = Fixtures.planSchema(request), schema["properties"]?["steps"] != nil else {
                    return #"{"answer": "enough"}"#
                }
                let step = #"{"id": "s\#(index + 1)", "tool": "evaluate", "arguments": {"expression": "\#(index + 1) + 1"}}"#
                return index == 0 ? #"{"steps": [\#(step)]}"# : #"{"remaining": "more", "steps": [\#(step)]}"#
            }
            let agent = Fixtures.agent(limits: .init(maxReplans: maxReplans))
            let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent).run(question: "q")
            let requests = await model.requests
            XCTAssertEqual(requests.map(Self.asks), ["plan"] + Array(repeating: "continue", count: maxReplans) + ["answer"],
                           "max_replans \(maxReplans)")
            XCTAssertEqual(outcome.toolCalls, maxReplans + 1, "max_replans \(maxReplans)")
            XCTAssertEqual(outcome.answer, "enough")
        }
    }

    func testAContinuationThatOnlyRepeatsEarlierCallsEndsPlanning() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        // The model keeps writing the first round's step again under a new id.
        let model = ScriptedModel { request, index in
            guard let schema = Fixtures.planSchema(request), schema["properties"]?["steps"] != nil else {
                return #"{"answer": "done"}"#
            }
            let step = #"{"id": "s\#(index + 1)", "tool": "evaluate", "arguments": {"expression": "2 + 2"}}"#
            return index == 0 ? #"{"steps": [\#(step)]}"# : #"{"remaining": "the sum", "steps": [\#(step)]}"#
        }
        let agent = Fixtures.agent(limits: .init(maxReplans: 3))
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent).run(question: "q")
        let requests = await model.requests
        // one continuation repeats the call, then the answer: the other two re-plans are not spent
        XCTAssertEqual(requests.map(Self.asks), ["plan", "continue", "answer"])
        XCTAssertEqual(outcome.toolCalls, 1, "the repeated call is not run again")
        XCTAssertEqual(outcome.answer, "done")
    }
}
