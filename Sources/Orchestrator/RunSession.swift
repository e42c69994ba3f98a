import AgentCore

/// The state of one run, shared by a planner's steps: the conversation's tools, budgets, trace and
/// repeat ledger. Model calls go one at a time through `complete`; tool calls through `execute`.
public final class RunSession {
    /// The question being answered.
    public let question: String
    /// The agent running it.
    public let agent: AgentDefinition
    /// The tools this run may use, fixed at the start.
    public let catalog: ToolCatalog
    /// The per-run boundary that fences tool output.
    public let fence: UntrustedFence
    /// The run's configuration.
    public let configuration: RunConfiguration

    let model: any LanguageModel
    let executor: any ToolExecutor
    let sink: (any TraceSink)?
    let progress: (@Sendable (ProgressEvent) -> Void)?
    var budget: BudgetTracker
    private(set) var modelCalls = 0
    private(set) var toolCalls = 0
    /// Prompt tokens served from the KV cache, one entry per model call.
    private(set) var reusedPromptTokens: [Int] = []
    private var ledger: [String: ToolResult] = [:]

    init(question: String, agent: AgentDefinition, catalog: ToolCatalog, configuration: RunConfiguration,
         model: any LanguageModel, executor: any ToolExecutor, clock: any RunClock,
         sink: (any TraceSink)?, progress: (@Sendable (ProgressEvent) -> Void)?) {
        self.question = question
        self.agent = agent
        self.catalog = catalog
        self.configuration = configuration
        self.model = model
        self.executor = executor
        self.sink = sink
        self.progress = progress
        var generator = SeededGenerator(seed: configuration.runSeed)
        fence = UntrustedFence(using: &generator)
        budget = BudgetTracker(limits: agent.limits, clock: clock)
    }

    /// Takes over the counts of `earlier` (a routing session that chose this session's agent): its model
    /// calls, reused prompt tokens, generated tokens and time count as this run's.
    func continueCounting(from earlier: RunSession) {
        budget.start = earlier.budget.start
        modelCalls += earlier.modelCalls
        toolCalls += earlier.toolCalls
        reusedPromptTokens = earlier.reusedPromptTokens + reusedPromptTokens
        budget.tokensUsed += earlier.budget.tokensUsed
    }

    /// Characters of one tool result that may enter the prompt: 3/8 of the context's tokens, at most
    /// 4,000 (about 1,000 tokens, half a minute of prefill on 2 cores) however large the context is.
    public var resultLimit: Int {
        configuration.resultCharacterLimit ?? min(max(model.info.contextLength * 3 / 8, 600), 4000)
    }

    /// Sends one request to the model, within the token budget, and records it.
    public func complete(purpose: String, _ request: CompletionRequest, streamAnswer: Bool = false) async throws -> Completion {
        var request = request
        request.maxTokens = max(min(request.maxTokens, budget.remainingTokens), 1)
        var onText: (@Sendable (String) -> Void)?
        if streamAnswer, let progress {
            onText = { @Sendable text in progress(.answerText(text)) }
            // The output starts with what was prefilled (`{"answer": "<step value>`): stream it first.
            if !request.prefill.isEmpty { progress(.answerText(request.prefill)) }
        }
        let completion = try await model.complete(request, onText: onText)
        modelCalls += 1
        budget.tokensUsed += completion.generatedTokens.isEmpty
            ? max(completion.text.utf8.count / 4, completion.text.isEmpty ? 0 : 1) : completion.generatedTokens.count
        reusedPromptTokens.append(completion.reusedPromptTokens)
        await record(.modelCall(Trace.ModelCall(purpose: purpose, request: request, completion: completion)))
        progress?(.modelCall(purpose: purpose, completion: completion))
        return completion
    }

    /// The earlier result of an identical call (same tool, same arguments), if one ran.
    public func previousResult(of call: ToolCall) -> ToolResult? { ledger[Self.key(call)] }

    /// Runs calls concurrently, counts them against the step budget and records them in the given order.
    ///
    /// Provenance (call id, plugin, tool) is set here from the catalog, never taken from the result.
    public func execute(_ calls: [ToolCall]) async -> [ToolResult] {
        budget.stepsUsed += calls.count
        toolCalls += calls.count
        let executor = self.executor, progress = self.progress, clock = budget.clock
        let plugins = Dictionary(calls.map { ($0.id, catalog.tool(named: $0.name)?.plugin ?? "") },
                                 uniquingKeysWith: { first, _ in first })
        var results = [ToolResult?](repeating: nil, count: calls.count)
        await withTaskGroup(of: (Int, ToolResult).self) { group in
            for (index, call) in calls.enumerated() {
                group.addTask {
                    progress?(.stepStarted(call))
                    let started = clock.now()
                    var result = await executor.call(call)
                    if result.durationSeconds == 0 { result.durationSeconds = clock.now() - started }
                    return (index, result)
                }
            }
            for await (index, result) in group {
                var fixed = result
                fixed.callID = calls[index].id
                fixed.tool = calls[index].name
                fixed.plugin = plugins[calls[index].id] ?? result.plugin
                results[index] = fixed
                progress?(.stepFinished(calls[index], fixed))
            }
        }
        var ordered: [ToolResult] = []
        for (call, result) in zip(calls, results) {
            let final = result ?? ToolResult(callID: call.id, plugin: "", tool: call.name,
                                              content: "the call produced no result", isError: true)
            ledger[Self.key(call)] = final
            ordered.append(final)
            await record(.toolCall(call: call, result: final))
        }
        return ordered
    }

    /// Records a trace event, if the run has a sink.
    public func record(_ event: Trace.Event) async { await sink?.record(event) }

    /// Reports progress, if anyone listens.
    public func report(_ event: ProgressEvent) { progress?(event) }

    private static func key(_ call: ToolCall) -> String { call.name + " " + call.arguments.compactText }
}
