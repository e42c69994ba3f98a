#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PluginKit

// code-runner: an MCP server over stdio with run_python and run_shell, each run in a bubblewrap sandbox.
// A write to a sandbox whose reader is gone must fail with EPIPE, not kill the server.
signal(SIGPIPE, SIG_IGN)
let runner = CodeRunner(environment: ProcessInfo.processInfo.environment)
let server = PluginServer(name: "code-runner", version: "0.1.0", tools: Tools.all(runner: runner))
do {
    try await server.run()
} catch {
    FileHandle.standardError.write(Data("code-runner: \(error)\n".utf8))
    exit(1)
}
