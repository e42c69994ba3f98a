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
        .target(name: "PluginHost", dependencies: ["AgentCore", "Yams", "CCurl"]),
        .target(name: "PluginKit", dependencies: [.product(name: "MCP", package: "swift-sdk")]),
        .target(name: "Traces", dependencies: ["AgentCore"]),

        // Level 2 and 3.
        .target(name: "Orchestrator", dependencies: ["AgentCore"]),
        .target(name: "AgentRuntime",
                dependencies: ["AgentCore", "GGUF", "Kernels", "Tokenizers", "LLM", "PluginHost", "Traces",
                               "Orchestrator", "Yams"]),
        .executableTarget(name: "loom", dependencies: [
            "AgentRuntime", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Plugins: one MCP server executable each.
        .target(name: "CGiacShim", path: "Plugins/calc/Sources/CGiacShim",
                cxxSettings: [.unsafeFlags(["-std=c++17"])],
                linkerSettings: [.linkedLibrary("giac"), .linkedLibrary("gmp")]),
        .executableTarget(name: "calc", dependencies: ["PluginKit", "CGiacShim"], path: "Plugins/calc/Sources/calc"),
        .executableTarget(name: "web-fetch", dependencies: ["PluginKit", "CCurl", "CGumbo", "Yams",
                                                          .product(name: "MCP", package: "swift-sdk")],
                          path: "Plugins/web-fetch/Sources/web-fetch"),
        .executableTarget(name: "code-runner", dependencies: ["PluginKit"],
                          path: "Plugins/code-runner/Sources/code-runner"),

        // Benchmarks.
        .executableTarget(name: "loom-kernels-bench", dependencies: ["GGUF", "Kernels", "COpenBLAS"], path: "Benchmarks/KernelsBench",
                          swiftSettings: optimized),

        // Tests.
        .target(name: "TestSupport", dependencies: ["PluginKit", .product(name: "MCP", package: "swift-sdk")], path: "Tests/TestSupport"),
        .testTarget(name: "SystemLibraryTests", dependencies: ["TestSupport", "COpenBLAS", "CCurl", "CGumbo", "CGiacShim"]),
        .testTarget(name: "GGUFTests", dependencies: ["TestSupport", "GGUF", "AgentCore"]),
        .testTarget(name: "KernelsTests", dependencies: ["TestSupport", "Kernels", "AgentCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TokenizersTests", dependencies: ["TestSupport", "Tokenizers", "GGUF", "AgentCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LLMTests", dependencies: ["TestSupport", "LLM", "GGUF", "Tokenizers", "Kernels", "AgentCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PluginHostTests", dependencies: ["TestSupport", "PluginHost", "AgentCore"]),
        .testTarget(name: "OrchestratorTests", dependencies: ["TestSupport", "Orchestrator", "AgentCore",
                                                             .product(name: "MCP", package: "swift-sdk")]),
        .testTarget(name: "TracesTests", dependencies: ["TestSupport", "Traces", "AgentCore", "Orchestrator"]),
        .testTarget(name: "AgentRuntimeTests", dependencies: ["TestSupport", "AgentRuntime"]),
        .testTarget(name: "CalcTests", dependencies: ["TestSupport", "CGiacShim", .product(name: "MCP", package: "swift-sdk")],
                    path: "Plugins/calc/Tests",
                    exclude: ["sympy_check.py"]),
        .testTarget(name: "WebFetchTests", dependencies: ["TestSupport", "web-fetch", .product(name: "MCP", package: "swift-sdk")],
                    path: "Plugins/web-fetch/Tests", exclude: ["Fixtures"]),
        .testTarget(name: "CodeRunnerTests", dependencies: ["TestSupport", .product(name: "MCP", package: "swift-sdk")], path: "Plugins/code-runner/Tests"),
        .testTarget(name: "LoomCLITests", dependencies: ["TestSupport", "AgentRuntime"]),
    ],
    cxxLanguageStandard: .cxx17
)
