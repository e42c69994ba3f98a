/// An agent: its prompt, strategy, tools, model, sampling and budgets (`Agents/<name>.yaml`).
public struct AgentDefinition: Codable, Hashable, Sendable {
    /// How the agent plans.
    public enum Strategy: String, Codable, Sendable, CaseIterable {
        /// Write a whole plan (steps with dependencies), run it, re-plan failed parts, synthesize.
        case planExecute = "plan-execute"
        /// One tool call at a time (ReAct), reading each result before the next.
        case react
        /// The model reasons in its own words; calc computes each calculation it writes and the code
        /// runner runs each program, and the reasoning goes on from the real values.
        case checkedReasoning = "checked-reasoning"
        /// Choose one of `routes` for the question (one short constrained model call), and let it answer.
        case route

        /// The strategies' names for a message: "plan-execute, react, checked-reasoning or route".
        public static var names: String {
            let all = allCases.map(\.rawValue)
            return all.dropLast().joined(separator: ", ") + " or " + all.last!
        }
    }

    /// Budgets that bound a run.
    public struct Limits: Codable, Hashable, Sendable {
        /// Maximum tool calls in a run.
        public var maxSteps: Int
        /// Maximum tokens generated across all model calls.
        public var maxTokens: Int
        /// Wall-clock limit for the run in seconds.
        public var wallSeconds: Double
        /// Maximum re-plans after failed steps.
        public var maxReplans: Int

        /// Creates limits.
        public init(maxSteps: Int = 8, maxTokens: Int = 4096, wallSeconds: Double = 300, maxReplans: Int = 2) {
            self.maxSteps = maxSteps
            self.maxTokens = maxTokens
            self.wallSeconds = wallSeconds
            self.maxReplans = maxReplans
        }

        enum CodingKeys: String, CodingKey {
            case maxSteps = "max_steps", maxTokens = "max_tokens", wallSeconds = "wall_seconds"
            case maxReplans = "max_replans"
        }
    }

    /// The agent's name.
    public var name: String
    /// One line about what it is for.
    public var description: String
    /// The system prompt.
    public var systemPrompt: String
    /// Worked examples in the plan format (questions with their plans and follow-up steps), shown to the
    /// plan-then-execute strategy after the tool list; nil for none. Small models copy shapes far better
    /// than they follow descriptions.
    public var examples: String?
    /// Planner strategy.
    public var strategy: Strategy
    /// Plugins the agent may use.
    public var plugins: [String]
    /// If set, only these tools (by name) may be used.
    public var tools: [String]?
    /// Tools an answer is computed with (e.g. `evaluate`), for plan-then-execute; nil for no rule.
    /// When set, a successful round that called none of them (a fetched page, say) must be followed by
    /// steps that call one of them: a small model otherwise reads the figures off the page, decides
    /// nothing is left to do and adds them up in its head.
    public var computeTools: [String]?
    /// Model name or path; nil means the default model.
    public var model: String?
    /// For a remote model (`openai:URL#MODEL`): the environment variable holding its API key (the
    /// name only; the key is never in the file or the trace). Nil: `OPENAI_API_KEY`.
    public var modelAPIKeyEnv: String?
    /// The planner policies the agent runs with, by name (see `PlannerPolicy` in Orchestrator); nil
    /// for the strategy's defaults.
    public var policies: [String]?
    /// The prompt texts of each strategy by its name (`Agents/prompts/<strategy>.prompts`), recorded with
    /// the agent in every trace header so that a replay sends exactly what the run sent.
    public var prompts: [String: PromptTemplates]?
    /// Sampling settings.
    public var sampling: SamplingSettings
    /// Self-consistency, for checked reasoning: up to this many reasoning paths (the first with
    /// `sampling`, the others sampled at temperature 0.7), stopping as soon as two end on the same
    /// final number, which is the answer; nil or 1 for one path.
    public var selfConsistency: Int?
    /// For the `route` strategy: the agents it chooses among, whole (the loader resolves the names the
    /// file lists), so that a trace header holds everything a replay needs; nil for other strategies.
    public var routes: [AgentDefinition]?
    /// Budgets.
    public var limits: Limits

    /// Creates an agent definition.
    public init(name: String, description: String, systemPrompt: String, strategy: Strategy = .planExecute,
                plugins: [String], tools: [String]? = nil, model: String? = nil,
                sampling: SamplingSettings = .greedy, limits: Limits = Limits(), examples: String? = nil,
                computeTools: [String]? = nil, modelAPIKeyEnv: String? = nil, policies: [String]? = nil,
                prompts: [String: PromptTemplates]? = nil, selfConsistency: Int? = nil, routes: [AgentDefinition]? = nil) {
        self.routes = routes
        self.policies = policies
        self.selfConsistency = selfConsistency
        self.prompts = prompts
        self.name = name
        self.description = description
        self.systemPrompt = systemPrompt
        self.examples = examples
        self.strategy = strategy
        self.plugins = plugins
        self.tools = tools
        self.computeTools = computeTools
        self.model = model
        self.modelAPIKeyEnv = modelAPIKeyEnv
        self.sampling = sampling
        self.limits = limits
    }

    enum CodingKeys: String, CodingKey {
        case name, description, systemPrompt = "system_prompt", examples, strategy, plugins, tools
        case computeTools = "compute_tools", model, modelAPIKeyEnv = "model_api_key_env", sampling, limits
        case policies, prompts, selfConsistency = "self_consistency", routes
    }
}
