import AgentCore
import Foundation
import Orchestrator
import Traces

/// Replays a recorded run through the orchestrator: offline, against the live model or tools, or as
/// a fork that continues live from a line and writes a new trace naming its parent.
public enum TraceReplay {
    /// What to replay and how.
    public struct Request: Sendable {
        /// The trace file.
        public var path: String
        /// The replay mode.
        public var mode: ReplayMode
        /// For forks: an agent to continue with instead of the recorded one.
        public var agent: AgentDefinition?
        /// For forks: a model to continue with instead of the recorded one.
        public var modelName: String?
        /// For forks: where to write the new trace.
        public var forkPath: String?

        /// The mode `loom replay`'s flags ask for: a fork with `until`, else live model, live tools or offline.
        public static func mode(until: Int?, liveModel: Bool, liveTools: Bool) -> ReplayMode {
            until.map { .fork(untilLine: $0) } ?? (liveModel ? .liveModel : liveTools ? .liveTools : .offline)
        }

        /// Creates a request.
        public init(path: String, mode: ReplayMode, agent: AgentDefinition? = nil, modelName: String? = nil, forkPath: String? = nil) {
            self.path = path
            self.mode = mode
            self.agent = agent
            self.modelName = modelName
            self.forkPath = forkPath
        }
    }

    /// The replay's report and, for a fork, the new trace's path.
    public struct Result: Sendable {
        /// The comparison report.
        public var report: ReplayReport
        /// The forked trace, if one was written.
        public var forkPath: String?
    }

    /// Reads the trace and replays it; live parts come from `components` only when the mode needs them.
    public static func run(_ request: Request, components: LiveComponents) async throws -> Result {
        let trace = try TraceReader.read(path: request.path)
        let header = trace.header
        var liveModel: (any LanguageModel)?
        var liveTools: (any ToolExecutor)?
        var forkSink: FileTraceSink?
        var agent = header.agent
        // A trace written before prompts were recorded in its header ran with the texts now in the files.
        if agent.prompts == nil { agent.prompts = try AgentLoader.prompts() }
        switch request.mode {
        case .offline: break
        case .liveModel: liveModel = try await components.model(header.model.name, header.agent.modelAPIKeyEnv)
        case .liveTools: liveTools = try await components.tools(header.agent.plugins)
        case .fork:
            agent = request.agent ?? agent
            liveModel = try await components.model(request.modelName ?? header.model.name, agent.modelAPIKeyEnv)
            liveTools = try await components.tools(agent.plugins)
            let path = request.forkPath ?? QuestionRunner.defaultTracePath(agent: agent.name)
            let sink = try FileTraceSink(path: path)
            var forked = header
            forked.agent = agent
            forked.parent = request.path
            forked.startedAt = ISO8601DateFormatter().string(from: Date())
            if let liveModel { forked.model = liveModel.info }
            if let liveTools { forked.tools = try await liveTools.tools() }
            forked.plugins = await components.pluginVersions()
            await sink.record(.header(forked))
            forkSink = sink
        }
        let report = await Replayer.replay(trace, mode: request.mode, liveModel: liveModel, liveTools: liveTools,
                                           forkSink: forkSink, run: rerun(header, agent: agent))
        await forkSink?.close()
        return Result(report: report, forkPath: forkSink?.path)
    }

    /// Re-runs the recorded question with the recorded run seed (and the given agent).
    public static func rerun(_ header: Trace.Header, agent: AgentDefinition) -> Replayer.Run {
        { model, tools, sink in
            let configuration = RunConfiguration(agent: agent, runSeed: header.runSeed ?? 0)
            _ = try await Orchestrator(model: model, tools: tools, configuration: configuration, sink: sink)
                .run(question: header.question)
        }
    }
}
