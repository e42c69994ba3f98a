import Foundation
import Kernels
import LLM

/// Measures a model's speed the way `llama-bench` does, so the numbers compare directly.
///
/// `pp` (prompt processing): `promptTokens` random token ids run as one batch from an empty cache.
/// `tg` (text generation): `generatedTokens` single-token steps from an empty cache, one per call.
/// With `depth` D > 0 (llama-bench `-d`), both start from a cache already holding D tokens, computed
/// before the timing; the tests are then named `pp512 @ d2048`, `tg128 @ d2048`.
/// Each test runs once to warm up, then `repetitions` times; the result is tokens/s, mean and
/// sample standard deviation over the repetitions. Token ids come from a seeded generator.
public struct ModelBenchmark: Sendable {
    /// One measured test.
    public struct Measurement: Codable, Sendable, Equatable {
        /// `pp512`, `tg128`, ...
        public var test: String
        /// Worker threads.
        public var threads: Int
        /// Mean tokens per second.
        public var tokensPerSecond: Double
        /// Sample standard deviation of the tokens per second.
        public var standardDeviation: Double
        /// Tokens per second of each repetition.
        public var samples: [Double]
    }

    /// Everything `loom bench` reports.
    public struct Report: Codable, Sendable, Equatable {
        /// The model file.
        public var model: String
        /// Bytes of the model file.
        public var fileBytes: Int
        /// Seconds to open the file and bind the weights.
        public var loadSeconds: Double
        /// Seconds from opening the file to the logits of a one-token prompt (load, session, one step).
        public var firstTokenSeconds: Double
        /// Where the repacked weight panels came from: `none`, `repacked` (at this load) or `cache`
        /// (mapped from the panel cache).
        public var panels: String
        /// Bytes of the KV cache of the benchmark's context, when full.
        public var kvCacheBytes: Int
        /// Context length of the sessions.
        public var contextLength: Int
        /// The measurements, in order.
        public var results: [Measurement]
        /// Peak resident set size of the process (VmHWM), in bytes.
        public var peakRSSBytes: Int
    }

    /// Tokens of the prompt-processing test.
    public var promptTokens = 512
    /// Tokens of the generation test.
    public var generatedTokens = 128
    /// Timed repetitions of each test.
    public var repetitions = 3
    /// Thread counts to measure.
    public var threadCounts = [1, 2]
    /// Tokens already in the KV cache when each test starts.
    public var depth = 0
    /// Whether prefill uses the int8 kernels where they exist (false: dequantized tiles and sgemm, the
    /// older path, for before/after comparisons). Set process-wide for the duration of `run`.
    public var int8Prefill = true
    /// Where repacked weight panels are mapped from and saved to (nil: repacked at every load).
    public var panelCache: PanelCache? = nil

    /// Creates a benchmark with llama-bench's default sizes.
    public init(promptTokens: Int = 512, generatedTokens: Int = 128, repetitions: Int = 3, threadCounts: [Int] = [1, 2],
                depth: Int = 0) {
        self.depth = depth
        self.promptTokens = promptTokens
        self.generatedTokens = generatedTokens
        self.repetitions = repetitions
        self.threadCounts = threadCounts
    }

    /// Runs every test on the model at `path`; `progress` receives each measurement as it completes.
    /// - Throws: the model's load errors; `LLMError.invalidArgument` for bad sizes.
    public func run(path: String, progress: (Measurement) -> Void = { _ in }) throws -> Report {
        guard promptTokens >= 1, generatedTokens >= 1, repetitions >= 1, !threadCounts.isEmpty, depth >= 0 else {
            throw LLMError.invalidArgument("benchmark sizes and repetitions must be at least 1")
        }
        let context = depth + promptTokens + generatedTokens
        let int8Before = Kernels.int8MatMulEnabled
        Kernels.setInt8MatMul(int8Prefill)
        defer { Kernels.setInt8MatMul(int8Before) }
        let clock = ContinuousClock()
        let loadStart = clock.now
        let model = try Transformer(path: path, panelCache: panelCache) { FileHandleOutput.standardError("loom: " + $0 + "\n") }
        let loaded = clock.now
        let first = try InferenceSession(model: model, contextLength: context, threads: threadCounts[0])
        _ = try first.logits(after: [0])
        let firstToken = clock.now

        var generator = Xoshiro256StarStar(seed: 42)
        let vocabulary = model.configuration.vocabularySize
        let prefix = (0 ..< depth).map { _ in Int(generator.next() % UInt64(vocabulary)) }
        // Two prompts that differ in their first token, alternated, so that at depth D every run
        // reuses exactly the D cached tokens and computes all of its own.
        var prompts = (0 ..< 2).map { _ in (0 ..< promptTokens).map { _ in Int(generator.next() % UInt64(vocabulary)) } }
        if prompts[1][0] == prompts[0][0] { prompts[1][0] = (prompts[0][0] + 1) % vocabulary }
        var generated = (0 ..< generatedTokens).map { _ in Int(generator.next() % UInt64(vocabulary)) }
        if prompts.contains(where: { $0[0] == generated[0] }) { generated[0] = (max(prompts[0][0], prompts[1][0]) + 1) % vocabulary }
        let suffix = depth > 0 ? " @ d\(depth)" : ""
        var results: [Measurement] = []
        for threads in threadCounts {
            let session = try InferenceSession(model: model, contextLength: context, threads: threads)
            /// Brings the cache to exactly the depth prefix (untimed).
            func startAtDepth() throws {
                session.reset()
                if !prefix.isEmpty { _ = try session.logits(after: prefix) }
            }
            try startAtDepth()
            var run = 0
            let pp = try measure(test: "pp\(promptTokens)\(suffix)", threads: threads, tokens: promptTokens) {
                if depth == 0 { session.reset() }
                run += 1
                _ = try session.logits(after: prefix + prompts[run % 2])
            }
            progress(pp)
            results.append(pp)
            try startAtDepth()
            let tg = try measure(test: "tg\(generatedTokens)\(suffix)", threads: threads, tokens: generatedTokens) {
                if depth == 0 { session.reset() }
                for n in 1 ... generatedTokens { _ = try session.logits(after: prefix + Array(generated[..<n])) }
            }
            progress(tg)
            results.append(tg)
        }
        let fileBytes = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
        return Report(model: path, fileBytes: fileBytes,
                      loadSeconds: Self.seconds(loaded - loadStart),
                      firstTokenSeconds: Self.seconds(firstToken - loadStart), panels: Self.describe(model.panelSource),
                      kvCacheBytes: first.cacheByteCount, contextLength: context, results: results,
                      peakRSSBytes: ProcessMemory.peakResidentBytes())
    }

    private static func describe(_ source: Transformer.PanelSource) -> String {
        switch source {
        case .none: "none"
        case .repacked: "repacked"
        case .cache: "cache"
        }
    }

    private func measure(test: String, threads: Int, tokens: Int, _ body: () throws -> Void) throws -> Measurement {
        let clock = ContinuousClock()
        try body()  // warm-up
        var samples: [Double] = []
        for _ in 0 ..< repetitions {
            let start = clock.now
            try body()
            samples.append(Double(tokens) / Self.seconds(clock.now - start))
        }
        let mean = samples.reduce(0, +) / Double(samples.count)
        let variance = samples.count > 1
            ? samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(samples.count - 1) : 0
        return Measurement(test: test, threads: threads, tokensPerSecond: mean,
                           standardDeviation: variance.squareRoot(), samples: samples)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (s, attoseconds) = duration.components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}

/// The process's memory as the kernel reports it.
public enum ProcessMemory {
    /// Peak resident set size (`VmHWM` in /proc/self/status), in bytes; 0 where unavailable.
    public static func peakResidentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kib = Int(fields[1]) { return kib * 1024 }
        }
        return 0
    }
}
