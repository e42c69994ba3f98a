// swift-tools-version:6.1
// Loom: a local tool-using agent. Target layering is described in docs/ARCHITECTURE.md.
import PackageDescription

/// Numeric targets are always compiled optimized, so debug builds stay usable for model work.
let optimized: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"])]
/// Targets that parse untrusted files: optimized, but with bounds and overflow checks kept.
let checked: [SwiftSetting] = [.unsafeFlags(["-O"])]

let package = Package(
    name: "loom",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "loom", targets: ["loom"]),
        .executable(name: "calc", targets: ["calc"]),
        .executable(name: "web-fetch", targets: ["web-fetch"]),
        .executable(name: "code-runner", targets: ["code-runner"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", exact: "0.12.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // Level 0: system libraries.
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CGumbo", path: "Sources/CGumbo", pkgConfig: "gumbo",
                       providers: [.apt(["libgumbo-dev"])]),

        // Level 0: file format, kernels, shared value types.
        .target(name: "GGUF", swiftSettings: checked),
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "Kernels", dependencies: ["GGUF", "COpenBLAS", "CKernels"], swiftSettings: optimized),
        .target(name: "AgentCore"),

        // Level 1.
        .target(name: "Tokenizers", dependencies: ["GGUF", "AgentCore"], swiftSettings: checked),
        .target(name: "LLM", dependencies: ["GGUF", "Kernels", "Tokenizers", "AgentCore", "CCurl"],
                swiftSettings: optimized),
        .target(name: "YAMLData", dependencies: ["AgentCore", "Yams"]),
        .target(name: "PluginHost", dependencies: ["AgentCore", "YAMLData", "CCurl"]),
        .target(name: "PluginKit", dependencies: [.product(name: "MCP", package: "swift-sdk")]),
        .target(name: "Traces", dependencies: ["AgentCore"]),

        // Level 2 and 3.
        .target(name: "Orchestrator", dependencies: ["AgentCore"]),
        .target(name: "AgentRuntime",
                dependencies: ["AgentCore", "GGUF", "Kernels", "Tokenizers", "LLM", "PluginHost", "Traces",
                               "Orchestrator", "YAMLData"]),
        .target(name: "Serving",
                dependencies: ["AgentCore", "LLM", "Orchestrator", "Traces", "AgentRuntime",
                               .product(name: "Hummingbird", package: "hummingbird")]),
        .executableTarget(name: "loom", dependencies: [
            "AgentRuntime", "Serving", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Plugins: one MCP server executable each.
        .target(name: "CGiacShim", path: "Plugins/calc/Sources/CGiacShim",
                cxxSettings: [.unsafeFlags(["-std=c++17"])],
                linkerSettings: [.linkedLibrary("giac"), .linkedLibrary("gmp")]),
        .executableTarget(name: "calc", dependencies: ["PluginKit", "CGiacShim"], path: "Plugins/calc/Sources/calc"),
        .executableTarget(name: "web-fetch", dependencies: ["PluginKit", "CCurl", "CGumbo", "YAMLData",
                                                          .product(name: "MCP", package: "swift-sdk")],
                          path: "Plugins/web-fetch/Sources/web-fetch"),
        .executableTarget(name: "code-runner", dependencies: ["PluginKit"],
                          path: "Plugins/code-runner/Sources/code-runner"),

        // Benchmarks.
        .executableTarget(name: "loom-kernels-bench", dependencies: ["GGUF", "Kernels", "COpenBLAS"], path: "Benchmarks/KernelsBench",
                          swiftSettings: optimized),

        // Tests.
        .target(name: "TestSupport", dependencies: ["PluginKit", .product(name: "MCP", package: "swift-sdk")], path: "Tests/TestSupport"),
        // Scripted doubles of a model and of tools, for the orchestrator's and the traces' tests (not part of the product).
        .target(name: "OrchestratorTestSupport", dependencies: ["AgentCore"], path: "Tests/OrchestratorTestSupport"),
        .testTarget(name: "SystemLibraryTests", dependencies: ["TestSupport", "COpenBLAS", "CCurl", "CGumbo", "CGiacShim"]),
        .testTarget(name: "GGUFTests", dependencies: ["TestSupport", "GGUF", "AgentCore"]),
        .testTarget(name: "KernelsTests", dependencies: ["TestSupport", "Kernels", "AgentCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TokenizersTests", dependencies: ["TestSupport", "Tokenizers", "GGUF", "AgentCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LLMTests", dependencies: ["TestSupport", "LLM", "GGUF", "Tokenizers", "Kernels", "AgentCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PluginHostTests", dependencies: ["TestSupport", "PluginHost", "AgentCore"]),
        .testTarget(name: "OrchestratorTests", dependencies: ["TestSupport", "OrchestratorTestSupport", "Orchestrator", "AgentCore",
                                                             .product(name: "MCP", package: "swift-sdk")]),
        .testTarget(name: "TracesTests", dependencies: ["TestSupport", "OrchestratorTestSupport", "Traces", "AgentCore", "Orchestrator"]),
        .testTarget(name: "AgentRuntimeTests", dependencies: ["TestSupport", "AgentRuntime"]),
        .testTarget(name: "CalcTests", dependencies: ["TestSupport", "CGiacShim", .product(name: "MCP", package: "swift-sdk")],
                    path: "Plugins/calc/Tests",
                    exclude: ["sympy_check.py"]),
        .testTarget(name: "WebFetchTests", dependencies: ["TestSupport", "web-fetch", .product(name: "MCP", package: "swift-sdk")],
                    path: "Plugins/web-fetch/Tests", exclude: ["Fixtures"]),
        .testTarget(name: "CodeRunnerTests", dependencies: ["TestSupport", "code-runner", .product(name: "MCP", package: "swift-sdk")],
                    path: "Plugins/code-runner/Tests"),
        .testTarget(name: "LoomCLITests", dependencies: ["TestSupport", "AgentRuntime"], exclude: ["Python"]),
    ],
    cxxLanguageStandard: .cxx17
)

// Fuzz targets (Fuzz/README.md): libFuzzer executables, one per parser of outside input. They exist only
// when LOOM_FUZZ=1, so the normal build and `swift test` never see them; `scripts/fuzz.sh` builds them
// into .build-fuzz with `-sanitize=fuzzer,address` applied to every Swift module.
if Context.environment["LOOM_FUZZ"] == "1" {
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("fuzz-gguf", ["GGUF", "Tokenizers", "AgentCore"]),
        ("fuzz-tokenizer", ["Tokenizers"]),
        ("fuzz-manifest", ["PluginHost", "AgentCore"]),
        ("fuzz-rpc", ["PluginHost"]),
        ("fuzz-trace", ["Traces"]),
        ("fuzz-html", ["web-fetch"]),
        ("fuzz-schema", ["LLM", "AgentCore"]),
        ("fuzz-plan", ["Orchestrator", "AgentCore"]),
    ]
    // SwiftPM links an executable's module only into tests, so for fuzzing web-fetch is declared as a
    // library that fuzz-html links: its page conversion, without main.swift and the MCP tool (FetchTool),
    // so the fuzz build need not compile the MCP SDK.
    if let index = package.targets.firstIndex(where: { $0.name == "web-fetch" }) {
        let webFetch = package.targets[index]
        package.targets[index] = .target(name: webFetch.name, dependencies: ["CCurl", "CGumbo", "YAMLData"], path: webFetch.path,
                                         exclude: ["main.swift", "FetchTool.swift"])
        package.products.removeAll { $0.name == webFetch.name }
    }
    package.targets += [
        .systemLibrary(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
        .target(name: "FuzzDriver", dependencies: ["CLibFuzzer"], path: "Fuzz/FuzzDriver"),
    ]
    for target in fuzzTargets {
        package.targets.append(.executableTarget(name: target.name, dependencies: ["FuzzDriver"] + target.dependencies,
                                                 path: "Fuzz/Targets/\(target.name)"))
        package.products.append(.executable(name: target.name, targets: [target.name]))
    }
}
