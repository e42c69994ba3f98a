import Dispatch
import MCP
import PluginKit

/// The `fetch` tool: arguments, the blocking fetch on a worker thread, and the text the model reads.
enum FetchTool {
    /// Characters returned per call unless `max_chars` says otherwise.
    static let defaultMaxChars = 5000
    /// The largest `max_chars` accepted.
    static let maxMaxChars = 100_000
    /// Characters of an error page's text shown with an HTTP error status.
    static let errorExcerptChars = 500

    /// The tool as the plugin server lists it.
    static func make(settings: Settings) -> PluginTool {
        let fetcher = Fetcher(settings: settings)
        return PluginTool(
            name: "fetch",
            description: """
                Fetch a web page (http or https) and return it as readable markdown text, with its final URL, \
                HTTP status, content type and title. Long pages come in parts: call again with start_index to \
                continue. Example: {"url": "https://en.wikipedia.org/wiki/Loom", "max_chars": 5000}
                """,
            inputSchema: .object([
                "type": "object",
                "properties": .object([
                    "url": .object(["type": "string", "description": "The http or https URL to fetch."]),
                    "max_chars": .object([
                        "type": "integer", "minimum": 1, "maximum": .int(maxMaxChars),
                        "description": .string("Most characters of text to return (default \(defaultMaxChars))."),
                    ]),
                    "start_index": .object([
                        "type": "integer", "minimum": 0,
                        "description": "Character offset to start from, to continue a truncated page (default 0).",
                    ]),
                ]),
                "required": .array(["url"]),
            ]),
            handler: { arguments in
                do {
                    return try await run(arguments, fetcher: fetcher)
                } catch let error as WebFetchError {
                    throw PluginToolError(error.description)
                }
            })
    }

    /// Checks the arguments, fetches on a worker thread, converts and pages the text.
    static func run(_ arguments: [String: Value], fetcher: Fetcher) async throws -> PluginToolOutput {
        let url = try arguments.requiredString("url")
        let maxChars = try arguments.optionalInt("max_chars") ?? defaultMaxChars
        let start = try arguments.optionalInt("start_index") ?? 0
        guard (1...maxMaxChars).contains(maxChars) else {
            throw WebFetchError.badArgument(name: "max_chars", reason: "must be between 1 and \(maxMaxChars), got \(maxChars)")
        }
        guard start >= 0 else { throw WebFetchError.badArgument(name: "start_index", reason: "must be 0 or more, got \(start)") }

        let response = try await onWorkerThread { try fetcher.fetch(url) }
        if response.status >= 400 {
            let excerpt = (try? PageConverter.convert(body: response.body, contentType: response.contentType,
                                                      url: response.finalURL))
                .map { String($0.text.prefix(errorExcerptChars)) } ?? ""
            throw WebFetchError.httpStatus(url: response.finalURL, status: response.status,
                                           contentType: response.contentType, excerpt: excerpt)
        }
        let converted = try PageConverter.convert(body: response.body, contentType: response.contentType,
                                                  url: response.finalURL)
        let window = try TextWindow(converted.text, start: start, maxChars: maxChars)
        return PluginToolOutput(text: format(response, converted, window, maxBytes: fetcher.settings.maxBytes),
                                structured: structured(response, converted, window))
    }

    /// The text the model reads: a header of facts, a blank line, the text, and the continuation marker.
    static func format(_ response: FetchResponse, _ converted: PageConverter.Converted, _ window: TextWindow,
                       maxBytes: Int) -> String {
        var lines = [
            "URL: \(response.finalURL)",
            "Status: \(response.status)",
            "Content-Type: \(response.contentType.isEmpty ? "(not sent)" : response.contentType)",
        ]
        if !converted.title.isEmpty { lines.append("Title: \(converted.title)") }
        if response.truncated {
            lines.append("Note: the body is larger than \(maxBytes) bytes; only the first \(maxBytes) bytes were read.")
        }
        if window.start > 0 || window.hasMore {
            lines.append("Characters: \(window.start)–\(window.end) of \(window.total)")
        }
        var body = window.text
        while body.last == "\n" || body.last == " " { body.removeLast() }
        var text = lines.joined(separator: "\n") + "\n\n" + (window.total == 0 ? "(no readable text)" : body)
        if let continuation = window.continuation { text += "\n\n" + continuation }
        return text
    }

    private static func structured(_ response: FetchResponse, _ converted: PageConverter.Converted,
                                   _ window: TextWindow) -> Value {
        var object: [String: Value] = [
            "url": .string(response.finalURL),
            "status": .int(response.status),
            "content_type": .string(response.contentType),
            "title": .string(converted.title),
            "charset": .string(converted.charset),
            "redirects": .int(response.redirects),
            "body_bytes": .int(response.body.count),
            "body_truncated": .bool(response.truncated),
            "start_index": .int(window.start),
            "end_index": .int(window.end),
            "total_chars": .int(window.total),
            "text": .string(window.text),
        ]
        if window.hasMore { object["next_start_index"] = .int(window.end) }
        return .object(object)
    }

    /// Runs blocking work (libcurl) off the cooperative thread pool.
    private static func onWorkerThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try work() })
            }
        }
    }
}
