import AgentCore
import AgentRuntime
import Foundation
import Hummingbird
import Logging
import NIOCore
import Traces

/// A model `loom serve` answers for, with its own line of requests.
public struct ServedModel: Sendable {
    /// The name clients give as `model`.
    public let id: String
    /// The model.
    public let model: any LanguageModel
    let queue: ModelQueue

    /// Wraps a model; `queueSize` requests may wait while it generates.
    public init(id: String, model: any LanguageModel, queueSize: Int) {
        self.id = id
        self.model = model
        queue = ModelQueue(capacity: queueSize)
    }

    /// Opens models by registry name or GGUF path, as `loom ask --model` does, local ones with a
    /// context of `contextLength` tokens (nil: the trained length, at most `LocalModel.defaultContextCap`).
    public static func load(_ names: [String], threads: Int, queueSize: Int, contextLength: Int? = nil) async throws -> [ServedModel] {
        let components = LiveComponents.standard(threads: threads, contextLength: contextLength)
        var served: [ServedModel] = []
        for name in names {
            let model = try await components.model(name, nil)
            served.append(ServedModel(id: model.info.name, model: model, queueSize: queueSize))
        }
        return served
    }
}

/// `loom serve`: the OpenAI-compatible chat API over Loom's models, on Hummingbird.
///
/// `GET /health`, `GET /v1/models`, `POST /v1/chat/completions` (whole or streamed as server-sent
/// events). Errors come in OpenAI's shape; a request that fails never stops the server; SIGTERM and
/// SIGINT shut it down gracefully.
public struct ChatServer: Sendable {
    /// Where and what it serves.
    public let configuration: ServeConfiguration
    /// The models, by id.
    public let models: [ServedModel]
    /// Where one line per request goes.
    public let log: @Sendable (String) -> Void

    /// Creates a server.
    public init(configuration: ServeConfiguration, models: [ServedModel], log: @escaping @Sendable (String) -> Void) {
        self.configuration = configuration
        self.models = models
        self.log = log
    }

    /// Serves until SIGTERM or SIGINT; `onListening` gets the port once the socket is bound.
    /// - Throws: `ServeConfigurationError` for bad settings, NIO's errors when the address cannot be bound.
    public func run(onListening: @escaping @Sendable (Int) -> Void) async throws {
        try configuration.validate()
        var logger = Logger(label: "loom.serve")
        logger.logLevel = .warning
        let port = configuration.port
        let app = Application(router: router(),
                              configuration: .init(address: .hostname(configuration.host, port: port), serverName: "loom"),
                              onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) },
                              logger: logger)
        try await app.runService()
    }

    /// The routes.
    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: OpenAIErrorMiddleware(log: log))
        router.add(middleware: APIKeyMiddleware(key: configuration.apiKey))
        router.get("/health") { _, _ -> Response in
            var states: [JSONValue] = []
            for served in models {
                let status = await served.queue.status
                states.append(["id": .string(served.id), "running": .bool(status.running), "waiting": .int(status.waiting)])
            }
            return JSONResponse.make(["status": "ok", "models": .array(states)])
        }
        router.get("/v1/models") { _, _ -> Response in
            let agents: [JSONValue] = AgentLoader.available(in: AgentLoader.directories()).map { name in
                ["id": .string(AgentAsModel.prefix + name), "object": "model", "created": 0, "owned_by": "loom"]
            }
            return JSONResponse.make(["object": "list", "data": .array(models.map { served in
                ["id": .string(served.id), "object": "model", "created": 0, "owned_by": "loom",
                 "max_model_len": .int(served.model.info.contextLength)]
            } + agents)])
        }
        router.get("/v1/models/:id") { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard let served = models.first(where: { $0.id == id }) else { throw Self.unknownModel(id, models: models) }
            return JSONResponse.make(["id": .string(served.id), "object": "model", "created": 0, "owned_by": "loom",
                                      "max_model_len": .int(served.model.info.contextLength)])
        }
        router.post("/v1/chat/completions") { request, _ -> Response in
            try await chatCompletion(request)
        }
        router.get("/") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: WebPage.html)))
        }
        router.get("/runs") { _, _ -> Response in
            JSONResponse.make(["runs": .array(Self.runs().map { ["name": .string($0)] })])
        }
        router.get("/runs/:name") { _, context -> Response in
            let name = context.parameters.get("name") ?? ""
            guard Self.runs().contains(name) else {
                throw OpenAIError(status: .notFound, type: "invalid_request_error", code: "run_not_found",
                                  message: "no run named '\(name)'")
            }
            let trace = try TraceReader.read(path: LoomHome().traces.appendingPathComponent(name).path)
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: TraceHTML.render(trace))))
        }
        return router
    }

    /// The trace files in `$LOOM_HOME/traces`, newest first (at most 100).
    static func runs() -> [String] {
        let directory = LoomHome().traces
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".jsonl") }
        func modified(_ name: String) -> Date {
            ((try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(name).path))?[.modificationDate]
                as? Date) ?? .distantPast
        }
        return Array(names.map { ($0, modified($0)) }.sorted { $0.1 > $1.1 }.map(\.0).prefix(100))
    }

    static func unknownModel(_ id: String, models: [ServedModel]) -> OpenAIError {
        OpenAIError(status: .notFound, type: "invalid_request_error", code: "model_not_found", param: "model",
                    message: "the model '\(id)' does not exist here; served: \(models.map(\.id).joined(separator: ", "))")
    }

    /// One chat completion: parse, check, wait for the model, generate (cancelled if the client goes away).
    func chatCompletion(_ incoming: Request) async throws -> Response {
        var request = incoming
        let body = try await request.collectBody(upTo: configuration.maxBodyBytes)
        let chat = try ChatRequest(body: Array(buffer: body), maxTokens: configuration.maxTokens)
        let job = try await job(for: chat)
        let responses = ChatResponses(id: "chatcmpl-" + Self.randomID(), created: Int(Date().timeIntervalSince1970),
                                      model: chat.model)
        if chat.stream { return stream(job, includeUsage: chat.includeUsage, responses: responses, request: request) }
        do {
            let outcome = try await request.body.consumeWithCancellationOnInboundClose { _ in try await job.run(nil) }
            report(responses, outcome: outcome)
            return JSONResponse.make(responses.completion(outcome))
        } catch is CancellationError {
            log("\(responses.id) \(chat.model): cancelled (the client went away)")
            throw CancellationError()
        }
    }

    /// A request's work, ready to run: a generation with its place in the model's line, or an agent run.
    struct Job: Sendable {
        let run: @Sendable ((@Sendable (ChatGeneration.Event) -> Void)?) async throws -> ChatGeneration.Outcome
    }

    /// The work for `chat`; a model's request takes its place in line here (or is turned away with 429).
    func job(for chat: ChatRequest) async throws -> Job {
        if chat.model.hasPrefix(AgentAsModel.prefix) {
            let agent = AgentAsModel(models: models, threads: configuration.threads,
                                     contextLength: configuration.contextLength)
            return Job { onEvent in
                let onStep: (@Sendable (String) -> Void)? = onEvent.map { report in { @Sendable text in report(.reasoning(text)) } }
                let onAnswer: (@Sendable (String) -> Void)? = onEvent.map { report in { @Sendable text in report(.content(text)) } }
                return try await agent.run(chat, onStep: onStep, onAnswer: onAnswer)
            }
        }
        guard let served = models.first(where: { $0.id == chat.model }) else { throw Self.unknownModel(chat.model, models: models) }
        try ChatGeneration.checkSchemas(chat)
        let ticket = try await served.queue.admit()
        let generation = ChatGeneration(model: served.model, request: chat, callID: { "call_" + Self.randomID() })
        return Job { onEvent in
            try await served.queue.withTurn(ticket) { try await generation.run(onEvent: onEvent) }
        }
    }

    /// What a streamed generation passes to the writer.
    private enum StreamItem: Sendable {
        case event(ChatGeneration.Event)
        case finished(ChatGeneration.Outcome)
        case failed(any Error)
    }

    /// A streamed answer: the generation runs in a task of its own and is cancelled when the client
    /// goes away (its connection closes, or a write fails).
    private func stream(_ job: Job, includeUsage: Bool, responses: ChatResponses, request: Request) -> Response {
        let (items, continuation) = AsyncStream<StreamItem>.makeStream()
        let task = Task {
            do {
                let outcome = try await job.run { continuation.yield(.event($0)) }
                continuation.yield(.finished(outcome))
            } catch {
                continuation.yield(.failed(error))
            }
            continuation.finish()
        }
        let log = self.log, model = responses.model
        let body = ResponseBody { writer in
            func send(_ text: String) async throws { try await writer.write(ByteBuffer(string: text)) }
            do {
                try await request.body.consumeWithInboundCloseHandler { _ in
                    try await send(ChatResponses.event(responses.chunk(delta: ["role": "assistant", "content": ""])))
                    for await item in items {
                        switch item {
                        case .event(let event):
                            try await send(ChatResponses.event(responses.chunk(delta: responses.delta(event))))
                        case .finished(let outcome):
                            try await send(ChatResponses.event(responses.chunk(delta: [:], finishReason: outcome.finishReason,
                                                                               trace: outcome.trace)))
                            if includeUsage { try await send(ChatResponses.event(responses.usageChunk(outcome))) }
                            try await send(ChatResponses.done)
                            self.report(responses, outcome: outcome)
                        case .failed(let error as OpenAIError):
                            try await send(ChatResponses.event(error.json))
                            try await send(ChatResponses.done)
                            log("\(responses.id) \(model): \(error)")
                        case .failed(is CancellationError):
                            log("\(responses.id) \(model): cancelled (the client went away)")
                        case .failed(let error):
                            let failure = OpenAIError(status: .internalServerError, type: "server_error", message: "\(error)")
                            try await send(ChatResponses.event(failure.json))
                            try await send(ChatResponses.done)
                            log("\(responses.id) \(model): \(error)")
                        }
                    }
                } onInboundClosed: {
                    task.cancel()
                }
            } catch {
                task.cancel()
                _ = await task.result
                log("\(responses.id) \(model): cancelled (the client went away)")
                throw error
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    private func report(_ responses: ChatResponses, outcome: ChatGeneration.Outcome) {
        log("\(responses.id) \(responses.model): \(outcome.promptTokens) prompt tokens (\(outcome.cachedTokens) cached), "
            + "\(outcome.completionTokens) generated, \(outcome.toolCalls.count) tool calls, \(outcome.finishReason)")
    }

    /// 24 random letters and digits.
    static func randomID() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0..<24).map { _ in alphabet.randomElement()! })
    }
}

/// Asks for `Authorization: Bearer KEY` on the API routes and past runs when the server has a key (`/health`
/// and the page itself stay open).
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let key: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let key, request.uri.path.hasPrefix("/v1") || request.uri.path.hasPrefix("/runs") else {
            return try await next(request, context)
        }
        let given = request.headers[.authorization] ?? ""
        guard Self.equal(Array(given.utf8), Array("Bearer \(key)".utf8)) else {
            throw OpenAIError(status: .unauthorized, type: "authentication_error", code: "invalid_api_key",
                              message: given.isEmpty ? "this server needs an API key: Authorization: Bearer KEY"
                                                     : "the API key is not valid")
        }
        return try await next(request, context)
    }

    /// Compares in time that does not depend on where the texts differ.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = a.count ^ b.count
        for index in 0..<max(a.count, b.count) {
            difference |= Int((index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0))
        }
        return difference == 0
    }
}
