import AgentRuntime
import ArgumentParser
import Foundation

/// `loom perplexity`: Measure a model's perplexity on a text file.
struct Perplexity: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "perplexity", abstract: "Measure a model's perplexity on a text file.")

    @Option(help: "Model name (see 'loom models list') or path to a .gguf file.") var model: String
    @Option(help: "The text file to score.") var file: String
    @Option(help: "Chunk length in tokens (llama-perplexity -c).") var ctx = 512
    @Option(help: "Worker threads.") var threads = 2
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        guard ctx >= 4 else { throw ValidationError("--ctx must be at least 4") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        let path = try ModelStore().resolve(model).path
        let run = PerplexityRun(contextLength: ctx, threads: threads)
        let report = try run.run(modelPath: path, textPath: file) { chunk, ppl in
            if !json { FileHandleOutput.standardError(String(format: "[%d]%.4f ", chunk + 1, ppl)) }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        FileHandleOutput.standardError("\n")
        let r = report.result
        print(String(format: "%d tokens, %d chunks of %d, %d scored: PPL = %.4f +/- %.5f (%.1f s)",
                     report.textTokens, r.chunks, report.contextLength, r.scoredTokens, r.perplexity,
                     r.standardError, report.seconds))
    }
}
