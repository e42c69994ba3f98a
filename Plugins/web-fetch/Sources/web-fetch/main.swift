import Foundation
import PluginKit

// web-fetch: an MCP server over stdio with one tool, `fetch`.
// `web-fetch --convert FILE [--base URL] [--repeat N]` renders a local HTML file instead (for checking the
// converter and measuring its speed; the timing goes to standard error).

guard Fetcher.globalInit() else {
    FileHandle.standardError.write(Data("web-fetch: curl_global_init failed\n".utf8))
    exit(1)
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "--convert" {
    exit(ConvertCommand.run(arguments: Array(arguments.dropFirst())))
}

let server = PluginServer(name: "web-fetch", version: "0.1.0", tools: [FetchTool.make(settings: Settings.load())])
try await server.run()
