import AgentCore
import OrchestratorTestSupport
import XCTest
@testable import Orchestrator

/// The plan-then-execute planner's named policies: each can be switched off on its own, and the ones that
/// change the flow (answering in the follow-up, thinking first) do what they say.
final class PlannerPolicyTests: XCTestCase {
    private func agent(_ policies: [PlannerPolicy]?) -> AgentDefinition {
        var agent = Fixtures.agent()
        agent.policies = policies?.map(\.rawValue)
        return agent
    }

    func testTheFollowUpThatFindsNothingLeftWritesTheAnswerFromTheNamedStep() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let model = ScriptedModel([
            Fixtures.plan([("s1", "evaluate", ["expression": "2125 * 4"], [])]),
            // A real model stops at the answer key (the request's stop string); the value is then prefilled.
            #"{"remaining": "nothing", "source": "s1", "#,
            #" crates"}"#,
        ])
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent(nil))
            .run(question: "How many crates are there in four stacks of 2125?")
        XCTAssertEqual(outcome.answer, "8500 crates")
        XCTAssertEqual(outcome.modelCalls, 3, "plan, follow-up that answers, the answer's continuation")
        let requests = await model.requests
        let offered = try XCTUnwrap(Fixtures.answerBranch(requests[1]), "the follow-up may answer")
        XCTAssertEqual(offered["propertyOrder"], ["remaining", "source", "answer"])
        XCTAssertEqual(offered["properties"]?["remaining"], ["const": "nothing"])
        XCTAssertEqual(offered["properties"]?["source"]?["enum"], ["s1", "none"])
        XCTAssertEqual(requests[1].stop, [AnswerWriting.answerKey])
        XCTAssertTrue(try XCTUnwrap(requests[1].messages.last?.content).contains(#"When nothing remains, reply {"remaining": "nothing", "source""#))
        // The continuation: the same conversation without the follow-up's output, which is prefilled
        // up to the step's value instead.
        XCTAssertEqual(requests[2].messages, requests[1].messages)
        XCTAssertEqual(requests[2].prefill, #"{"remaining": "nothing", "source": "s1", "answer": "8500"#)
        XCTAssertEqual(requests[2].stop, [])
        XCTAssertEqual(requests[2].constraint, requests[1].constraint)
    }

    func testAFollowUpThatStillPlansStepsIsRunAsAPlan() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let model = ScriptedModel([
            Fixtures.plan([("s1", "evaluate", ["expression": "2125 * 4"], [])]),
            #"{"remaining": "the crates left after 310 are sold", "steps": [{"id": "s2", "tool": "evaluate", "arguments": {"expression": "8500 - 310"}}]}"#,
            #"{"remaining": "nothing", "source": "s2", "#,
            #""}"#,
        ])
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent(nil))
            .run(question: "Four stacks of 2125 crates, and 310 are sold: how many are left?")
        XCTAssertEqual(outcome.answer, "8190")
        XCTAssertEqual(outcome.toolCalls, 2)
        let requests = await model.requests
        XCTAssertEqual(requests[3].prefill, #"{"remaining": "nothing", "source": "s2", "answer": "8190"#)
    }

    func testWithoutAnswerWhenDoneTheFollowUpOnlyPlansAndAnAnswerCallFollows() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let model = ScriptedModel([
            Fixtures.plan([("s1", "evaluate", ["expression": "2125 * 4"], [])]),
            PlanExecuteTests.nothingRemains,
            #"{"source": "s1", "#,
            #""}"#,
        ])
        let policies = PlannerPolicy.defaults.filter { $0 != .answerWhenDone }
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent(policies)).run(question: "q")
        XCTAssertEqual(outcome.answer, "8500")
        let requests = await model.requests
        XCTAssertEqual(requests.map(PlanExecuteTests.asks), ["plan", "continue", "answer", "answer"])
        XCTAssertNil(Fixtures.answerBranch(requests[1]))
        XCTAssertEqual(requests[1].stop, [])
    }

    func testWithNoPoliciesThePlanHasNoPartsAndTheAnswerNamesNoSource() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let model = ScriptedModel([
            Fixtures.plan([("s1", "evaluate", ["expression": "2125 * 4"], [])]),
            PlanExecuteTests.nothingRemains,
            #"{"answer": "8500 = 2125 * 4"}"#,
        ])
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent([])).run(question: "q")
        XCTAssertEqual(outcome.answer, "8500 = 2125 * 4", "nothing cut without answer-from-source")
        let requests = await model.requests
        XCTAssertEqual(requests.count, 3)
        let first = try XCTUnwrap(Fixtures.planSchema(requests[0]))
        XCTAssertNil(first["properties"]?["parts"])
        guard case .jsonSchema(let answer) = requests[2].constraint else { return XCTFail("not constrained") }
        XCTAssertNil(answer["properties"]?["source"])
    }

    func testThinkFirstOpensTheFirstPlanWithAThought() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let model = ScriptedModel([
            #"{"thought": "Four stacks: multiply.", "parts": ["the crates"], "steps": [{"id": "s1", "tool": "evaluate", "arguments": {"expression": "2125 * 4"}}]}"#,
            #"{"remaining": "nothing", "source": "s1", "#,
            #""}"#,
        ])
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent(PlannerPolicy.defaults + [.thinkFirst]))
            .run(question: "q")
        XCTAssertEqual(outcome.answer, "8500")
        let requests = await model.requests
        let first = try XCTUnwrap(Fixtures.planSchema(requests[0]))
        XCTAssertEqual(first["propertyOrder"], ["thought", "parts", "steps"])
        XCTAssertTrue(try XCTUnwrap(requests[0].messages.first?.content).contains(#"{"thought": "...", "parts": [...], "steps": [...]}"#))
        XCTAssertNil(Fixtures.planSchema(requests[1])?["properties"]?["thought"], "only the first plan thinks")
    }

    func testDraftFirstReasonsInWordsBeforeTheConstrainedPlan() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let draft = "Four stacks of 2125 crates are 4 times 2125 crates."
        let model = ScriptedModel([
            draft,
            Fixtures.plan([("s1", "evaluate", ["expression": "2125 * 4"], [])]),
            #"{"remaining": "nothing", "source": "s1", "#,
            #""}"#,
        ])
        let log = ProgressLog()
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent(PlannerPolicy.defaults + [.draftFirst]),
                                                      progress: log)
            .run(question: "How many crates are in four stacks of 2125?")
        XCTAssertEqual(outcome.answer, "8500")
        XCTAssertEqual(outcome.modelCalls, 4, "draft, plan, follow-up that answers, its continuation")
        let requests = await model.requests
        XCTAssertNil(requests[0].constraint, "the reasoning is free text")
        let asked = try XCTUnwrap(requests[0].messages.last?.content)
        XCTAssertTrue(asked.hasPrefix("How many crates are in four stacks of 2125?\n\n"), asked)
        XCTAssertTrue(asked.contains("work the problem out in words"), asked)
        XCTAssertNotNil(Fixtures.planSchema(requests[1]), "the plan is constrained")
        XCTAssertEqual(requests[1].messages.dropLast().last, .assistant(draft), "the plan is written after the reasoning")
        XCTAssertTrue(try XCTUnwrap(requests[1].messages.last?.content).contains("compute the calculations of your reasoning"))
        XCTAssertTrue(log.observations.contains { $0.hasPrefix("draft: Four stacks") }, "\(log.observations)")
        // Without the policy the first call is the plan.
        let plain = ScriptedModel([Fixtures.plan([("s1", "evaluate", ["expression": "2125 * 4"], [])]),
                                   #"{"remaining": "nothing", "source": "s1", "#, #""}"#])
        _ = try await Fixtures.orchestrator(model: plain, tools: tools, agent: agent(nil)).run(question: "q")
        let first = await plain.requests[0]
        XCTAssertNotNil(Fixtures.planSchema(first))
    }

    func testAStopStringInsideAStepIsNotTakenForTheAnswer() async throws {
        // A step's argument is the word answer, quoted like the answer key: the stop string cuts the plan,
        // which is then written again without it.
        let code = #"{"remaining": "the check", "steps": [{"id": "s2", "tool": "evaluate", "arguments": {"expression": "answer"}}]}"#
        let model = ScriptedModel { request, index in
            switch index {
            case 0: return Fixtures.plan([("s1", "evaluate", ["expression": "2125 * 4"], [])])
            case 1: return code
            case 2: return request.stop.isEmpty ? PlanExecuteTests.nothingRemains : "unexpected"
            case 3: return #"{"source": "s1", "answer": "ignored"}"#
            default: return #""}"#
            }
        }
        await model.applyStopStrings()
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent(nil)).run(question: "q")
        XCTAssertEqual(outcome.answer, "8500")
        XCTAssertEqual(outcome.modelCalls, 5)
        let requests = await model.requests
        XCTAssertEqual(requests[2].messages, requests[1].messages, "the same follow-up again")
        XCTAssertEqual(requests[2].stop, [])
    }

    func testPoliciesAreNamedAndUnknownNamesAreAnError() async throws {
        XCTAssertEqual(try PlannerPolicy.resolve(nil), Set(PlannerPolicy.defaults))
        XCTAssertEqual(try PlannerPolicy.resolve(["think-first"]), [.thinkFirst])
        XCTAssertThrowsError(try PlannerPolicy.resolve(["think-twice"])) { error in
            XCTAssertTrue("\(error)".contains("unknown planner policy 'think-twice'"), "\(error)")
            XCTAssertTrue("\(error)".contains("answer-when-done"), "lists the known ones: \(error)")
        }
        var agent = Fixtures.agent()
        agent.policies = ["think-twice"]
        let run = Fixtures.orchestrator(model: ScriptedModel([]), tools: ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc),
                                        agent: agent)
        do {
            _ = try await run.run(question: "q")
            XCTFail("an unknown policy must stop the run")
        } catch {
            XCTAssertTrue("\(error)".contains("think-twice"), "\(error)")
        }
    }

    func testAnAgentWithoutPromptsIsAClearError() async throws {
        var agent = Fixtures.agent()
        agent.prompts = nil
        let run = Fixtures.orchestrator(model: ScriptedModel([]), tools: ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc),
                                        agent: agent)
        do {
            _ = try await run.run(question: "q")
            XCTFail("a run without prompts must stop")
        } catch {
            XCTAssertTrue("\(error)".contains("Agents/prompts/plan-execute.prompts"), "\(error)")
        }
    }
}
