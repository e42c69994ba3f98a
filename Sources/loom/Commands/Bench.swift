import AgentRuntime
import ArgumentParser
import Foundation

/// `loom bench`: Benchmark prompt processing and generation speed, like llama-bench.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Benchmark prompt processing and generation speed, like llama-bench.")

    @Option(help: "Model name (see 'loom models list') or path to a .gguf file.") var model: String
    @Option(help: "Comma-separated thread counts.") var threads = "1,2"
    @Option(name: [.customShort("p"), .long], help: "Prompt tokens of the prompt-processing test.") var promptTokens = 512
    @Option(name: [.customShort("n"), .long], help: "Tokens of the generation test.") var generatedTokens = 128
    @Option(name: [.customShort("r"), .long], help: "Timed repetitions of each test.") var repetitions = 3
    @Option(name: [.customShort("d"), .long], help: "Tokens already in the KV cache when each test starts.") var depth = 0
    @Flag(help: ArgumentHelp("Prefill through dequantized tiles and sgemm instead of the int8 kernels (for before/after comparisons).",
                             visibility: .hidden)) var sgemmPrefill = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let counts = threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.count == threads.split(separator: ",").count, counts.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--threads must be a comma-separated list of positive integers, e.g. 1,2")
        }
        guard depth >= 0 else { throw ValidationError("--depth must not be negative") }
        let path = try ModelStore().resolve(model).path
        var bench = ModelBenchmark(promptTokens: promptTokens, generatedTokens: generatedTokens,
                                   repetitions: repetitions, threadCounts: counts, depth: depth)
        bench.int8Prefill = !sgemmPrefill
        bench.panelCache = ModelCacheSettings().panelCache(modelPath: path, sha256: KnownModels.all.first {
            $0.file == (path as NSString).lastPathComponent
        }?.sha256)
        let report = try bench.run(path: path) { m in
            if !json { FileHandleOutput.standardError(Self.row(m).joined(separator: "  ") + "\n") }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        print(TextTable.render(header: ["THREADS", "TEST", "T/S"], rows: report.results.map(Self.row)))
        print("model \(report.model) (\(ByteCount.format(Int64(report.fileBytes))))")
        print(String(format: "load %.2f s (panels: %@), first token %.2f s, KV cache %@ (context %d), peak RSS %@",
                     report.loadSeconds, report.panels, report.firstTokenSeconds, ByteCount.format(Int64(report.kvCacheBytes)),
                     report.contextLength, ByteCount.format(Int64(report.peakRSSBytes))))
    }

    private static func row(_ m: ModelBenchmark.Measurement) -> [String] {
        [String(m.threads), m.test, String(format: "%.2f ± %.2f", m.tokensPerSecond, m.standardDeviation)]
    }
}
