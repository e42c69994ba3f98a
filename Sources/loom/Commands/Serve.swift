import AgentRuntime
import ArgumentParser
import Foundation
import Serving

/// `loom serve`: Serve models over the OpenAI-compatible chat API.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve models over the OpenAI-compatible chat API.")

    @Option(name: .customLong("model"), help: "A model to serve: name (see 'loom models list') or .gguf path (repeatable; default: the default model).")
    var models: [String] = []
    @Option(help: "Address to bind; any other than loopback needs an API key.") var host = "127.0.0.1"
    @Option(help: "TCP port (0: any free port, printed at start).") var port = 8080
    @Option(help: "The key clients must send as 'Authorization: Bearer KEY'.") var apiKey: String?
    @Option(help: "A file whose first line is the API key.") var apiKeyFile: String?
    @Option(help: "Most tokens one answer may generate (and the default).") var maxTokens = 2048
    @Option(help: "Largest request body in bytes.") var maxBodyBytes = 4 << 20
    @Option(help: "Requests that may wait for a busy model (more are answered 429).") var queueSize = 4
    @Option(help: "Threads of the forward pass.") var threads = 2
    @Option(help: "Context length of a local model in tokens (default: its trained length, at most 16384).") var ctx: Int?

    func validate() throws {
        guard apiKey == nil || apiKeyFile == nil else { throw ValidationError("give --api-key or --api-key-file, not both") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard ctx.map({ $0 >= 256 }) ?? true else { throw ValidationError("--ctx must be at least 256") }
    }

    func run() async throws {
        var key = apiKey
        var settings = ServeConfiguration(host: host, port: port, maxBodyBytes: maxBodyBytes, maxTokens: maxTokens,
                                          queueSize: queueSize, threads: threads, contextLength: ctx)
        do {
            if let apiKeyFile { key = try ServeConfiguration.apiKey(fromFile: apiKeyFile) }
            settings.apiKey = key
            try settings.validate()
        } catch {
            throw ValidationError("\(error)")
        }
        let served: [ServedModel]
        do {
            served = try await ServedModel.load(models.isEmpty ? [KnownModels.defaultName] : models, threads: threads,
                                                queueSize: queueSize, contextLength: ctx)
        } catch {
            FileHandleOutput.standardError("loom serve: \(error)\n")
            throw ExitCode(1)
        }
        let server = ChatServer(configuration: settings, models: served) { line in
            FileHandleOutput.standardError("loom serve: \(line)\n")
        }
        let host = self.host, ids = served.map(\.id).joined(separator: ", ")
        try await server.run { port in
            FileHandleOutput.standardOutput("loom serve: listening on http://\(host):\(port)/v1 (models: \(ids))\n")
        }
    }
}
