// The calc plugin: an MCP server over stdio offering exact and symbolic mathematics through Giac.
//
// Usage: calc [--time-limit SECONDS]
//   --time-limit  wall-clock budget of one computation (default 10 s); past it the computation is
//                 killed and the call returns an error. Tests use a short budget.
import Foundation
import PluginKit

/// Default wall-clock budget for one computation, in seconds.
let defaultTimeLimit = 10.0
/// Most bytes one computation may send back before it is dropped (the rendered text is capped far lower).
let maxResultBytes = 16 << 20

var timeLimit = defaultTimeLimit
var arguments = CommandLine.arguments.dropFirst()
while let option = arguments.popFirst() {
    switch option {
    case "--time-limit":
        guard let text = arguments.popFirst(), let seconds = Double(text), seconds > 0, seconds <= 3600 else {
            FileHandle.standardError.write(Data("calc: --time-limit needs a number of seconds (0 < s <= 3600)\n".utf8))
            exit(2)
        }
        timeLimit = seconds
    default:
        FileHandle.standardError.write(Data("calc: unknown option '\(option)'; usage: calc [--time-limit SECONDS]\n".utf8))
        exit(2)
    }
}

GiacEngine.prepare()
let calculator = Calculator(engine: GiacEngine(timeLimit: timeLimit, maxResultBytes: maxResultBytes))
let server = PluginServer(name: "calc", version: "0.1.0", tools: calculator.tools)
do {
    try await server.run(transport: BlockingStdioTransport())
} catch {
    FileHandle.standardError.write(Data("calc: \(error)\n".utf8))
    exit(1)
}
