import AgentCore

/// Settings of one run beyond the agent definition.
public struct RunConfiguration: Sendable, Hashable {
    /// The agent: prompt, strategy, tools, sampling, budgets.
    public var agent: AgentDefinition
    /// Seed of the run's own random generator (the untrusted-data boundary). Recorded in the trace.
    public var runSeed: UInt64
    /// Characters of one tool result that may enter the prompt; nil derives it from the context window.
    public var resultCharacterLimit: Int?
    /// Token cap of a plan (or re-plan) call.
    public var planMaxTokens: Int
    /// Token cap of one ReAct turn.
    public var turnMaxTokens: Int
    /// Token cap of the answer call.
    public var answerMaxTokens: Int
    /// How the tools shown to the model are chosen when many are registered.
    public var toolRetrieval: ToolRetrieval

    /// Creates a configuration.
    public init(agent: AgentDefinition, runSeed: UInt64 = 0, resultCharacterLimit: Int? = nil,
                planMaxTokens: Int = 768, turnMaxTokens: Int = 384, answerMaxTokens: Int = 384,
                toolRetrieval: ToolRetrieval = ToolRetrieval()) {
        self.toolRetrieval = toolRetrieval
        self.agent = agent
        self.runSeed = runSeed
        self.resultCharacterLimit = resultCharacterLimit
        self.planMaxTokens = planMaxTokens
        self.turnMaxTokens = turnMaxTokens
        self.answerMaxTokens = answerMaxTokens
    }
}

/// The outcome of a run.
public struct RunOutcome: Sendable, Hashable {
    /// The answer (with a note on anything missing).
    public var answer: String
    /// The budget that stopped the run early, if any.
    public var stop: BudgetStop?
    /// What the answer could not cover.
    public var missing: [String]
    /// Tool calls made.
    public var toolCalls: Int
    /// Model calls made.
    public var modelCalls: Int
    /// Tokens generated.
    public var generatedTokens: Int
    /// Prompt tokens reused from the KV cache, per model call.
    public var reusedPromptTokens: [Int]
    /// Wall time of the run in seconds.
    public var seconds: Double

    /// Creates an outcome.
    public init(answer: String, stop: BudgetStop?, missing: [String], toolCalls: Int, modelCalls: Int,
                generatedTokens: Int, reusedPromptTokens: [Int], seconds: Double) {
        self.answer = answer
        self.stop = stop
        self.missing = missing
        self.toolCalls = toolCalls
        self.modelCalls = modelCalls
        self.generatedTokens = generatedTokens
        self.reusedPromptTokens = reusedPromptTokens
        self.seconds = seconds
    }
}

/// Runs a question through a planner: the agent loop of Loom.
///
/// Every source of nondeterminism is injected: the model, the tools, the clock and the run seed.
public struct Orchestrator: Sendable {
    let model: any LanguageModel
    let tools: any ToolExecutor
    let configuration: RunConfiguration
    let clock: any RunClock
    let sink: (any TraceSink)?
    let progress: (@Sendable (ProgressEvent) -> Void)?

    /// Creates an orchestrator.
    public init(model: any LanguageModel, tools: any ToolExecutor, configuration: RunConfiguration,
                clock: any RunClock = SystemClock(), sink: (any TraceSink)? = nil,
                progress: (@Sendable (ProgressEvent) -> Void)? = nil) {
        self.model = model
        self.tools = tools
        self.configuration = configuration
        self.clock = clock
        self.sink = sink
        self.progress = progress
    }

    /// The planner for a strategy; nil for `route`, which hands the question to another agent's planner.
    public static func planner(for strategy: AgentDefinition.Strategy) -> (any Planner)? {
        switch strategy {
        case .planExecute: return PlanExecutePlanner()
        case .react: return ReActPlanner()
        case .checkedReasoning: return CheckedReasoningPlanner()
        case .route: return nil
        }
    }

    /// The prompt sections a strategy's prompt file (`Agents/prompts/<strategy>.prompts`) must have.
    public static func promptSections(for strategy: AgentDefinition.Strategy) -> [String] {
        switch strategy {
        case .planExecute: return PlanPrompts.sections
        case .react, .checkedReasoning, .route: return ["system"]
        }
    }

    /// Answers `question`. Model mistakes become observations; errors of the model backend, the tool
    /// listing or Loom itself end the run, are recorded in the trace, and are rethrown.
    public func run(question: String) async throws -> RunOutcome {
        let session: RunSession
        do {
            let available: [ToolSpec]
            do { available = try await tools.tools() } catch {
                throw OrchestratorError.toolListFailed(underlying: String(describing: error))
            }
            var agent = configuration.agent
            var routing: RunSession?
            if agent.strategy == .route {
                let router = RunSession(question: question, agent: agent, catalog: ToolCatalog(available: [], agent: agent),
                                        configuration: configuration, model: model, executor: tools, clock: clock,
                                        sink: sink, progress: progress)
                agent = try await AgentRouter().choose(router)
                guard agent.strategy != .route else {
                    throw OrchestratorError.invalidConfiguration(reason: "the routed agent '\(agent.name)' routes again")
                }
                routing = router
            }
            var catalog = ToolCatalog(available: available, agent: agent)
            if agent.strategy == .react, catalog.tool(named: ReActPlanner.finalAnswerName) != nil {
                throw OrchestratorError.reservedToolName(name: ReActPlanner.finalAnswerName)
            }
            let selection = configuration.toolRetrieval.select(question: question, catalog: catalog, agent: agent)
            if let selection { catalog = catalog.restricted(to: selection.selected) }
            session = RunSession(question: question, agent: agent, catalog: catalog, configuration: configuration,
                                 model: model, executor: tools, clock: clock, sink: sink, progress: progress)
            if let routing { session.continueCounting(from: routing) }
            if let selection {
                await session.record(.toolSelection(selected: selection.selected, offered: selection.offered,
                                                    terms: selection.terms))
            }
        } catch {
            await sink?.record(.error(message: String(describing: error)))
            throw error
        }
        let result: PlannerResult
        do {
            guard let planner = Self.planner(for: session.agent.strategy) else {
                throw OrchestratorError.invalidConfiguration(reason: "no planner for the strategy \(session.agent.strategy.rawValue)")
            }
            result = try await planner.run(session)
        } catch {
            await session.record(.error(message: String(describing: error)))
            throw error
        }
        if let stop = result.stop {
            await session.record(.budgetStop(reason: stop.description))
            session.report(.budgetStop(stop))
        }
        await session.record(.answer(text: result.answer))
        session.report(.answer(result.answer))
        let seconds = session.budget.elapsed
        await session.record(.summary(steps: session.toolCalls, modelCalls: session.modelCalls,
                                      generatedTokens: session.budget.tokensUsed, seconds: seconds))
        return RunOutcome(answer: result.answer, stop: result.stop, missing: result.missing,
                          toolCalls: session.toolCalls, modelCalls: session.modelCalls,
                          generatedTokens: session.budget.tokensUsed,
                          reusedPromptTokens: session.reusedPromptTokens, seconds: seconds)
    }
}
