import AgentCore
import Foundation
@testable import PluginHost
import TestSupport
import XCTest

/// A real MCP server over Streamable HTTP on 127.0.0.1 (`Fixtures/http_server.py`, built with the `mcp`
/// SDK from PyPI in the test environment) registered by a manifest with `url`.
final class HTTPPluginTests: XCTestCase {
    func testEventStreamServerListsAnswersAndKeepsItsSession() async throws {
        let server = try HTTPFixtureServer(self, mode: "sse")
        let executor = try executor([plugin(server)])
        let tools = try await executor.tools()
        XCTAssertEqual(Set(tools.map(\.name)), ["echo", "chatty", "session", "sleep", "big", "ping_back"])
        XCTAssertEqual(tools.first { $0.name == "echo" }?.inputSchema["required"], ["text"])

        let echo = await executor.call(ToolCall(id: "1", name: "remote.echo", arguments: ["text": "über 🌍"]))
        XCTAssertFalse(echo.isError, echo.content)
        XCTAssertEqual(echo.content, "über 🌍")
        // The server sends log and progress notifications in its event stream before it answers.
        let chatty = await executor.call(ToolCall(id: "2", name: "remote.chatty", arguments: ["text": "done"]))
        XCTAssertFalse(chatty.isError, chatty.content)
        XCTAssertEqual(chatty.content, "done")
        let first = await executor.call(ToolCall(id: "3", name: "remote.session", arguments: [:]))
        let second = await executor.call(ToolCall(id: "4", name: "remote.session", arguments: [:]))
        XCTAssertFalse(first.isError, first.content)
        XCTAssertEqual(first.content.count, 32, "the server gave a session id and Loom sends it back: \(first.content)")
        XCTAssertEqual(first.content, second.content)
        XCTAssertNil(second.warnings)
    }

    /// A server sends what is not part of an answer — here a `ping` — on the standalone stream Loom opens
    /// with GET once the session is initialized; the call that waits for the answer to it then completes.
    func testTheServersOwnStreamIsOpenAndItsRequestsAnswered() async throws {
        for mode in ["sse", "json"] {
            let server = try HTTPFixtureServer(self, mode: mode)
            let executor = try executor([plugin(server)])
            let result = await executor.call(ToolCall(id: "1", name: "ping_back", arguments: [:]))
            XCTAssertFalse(result.isError, "\(mode): \(result.content)")
            XCTAssertEqual(result.content, "pong", mode)
        }
    }

    /// A server of the older HTTP+SSE transport (2024-11-05) refuses the POST; Loom then opens its GET
    /// stream, POSTs to the endpoint it names there and reads every answer from the stream.
    func testAServerOfTheOlderHTTPAndSSETransportIsSpokenToInIt() async throws {
        let server = try HTTPFixtureServer(self, mode: "legacy")
        let executor = try executor([plugin(server)])
        let tools = try await executor.tools()
        XCTAssertEqual(Set(tools.map(\.name)), ["echo", "chatty", "session", "sleep", "big", "ping_back"])
        let echo = await executor.call(ToolCall(id: "1", name: "echo", arguments: ["text": "über 🌍"]))
        XCTAssertFalse(echo.isError, echo.content)
        XCTAssertEqual(echo.content, "über 🌍")
        let chatty = await executor.call(ToolCall(id: "2", name: "chatty", arguments: ["text": "done"]))
        XCTAssertEqual(chatty.content, "done")
        let ping = await executor.call(ToolCall(id: "3", name: "ping_back", arguments: [:]))
        XCTAssertEqual(ping.content, "pong", "the server's own requests come in the same stream and are answered")
        let missing = await executor.call(ToolCall(id: "4", name: "echo", arguments: [:]))
        XCTAssertTrue(missing.isError)
    }

    func testTheOlderTransportKeepsTheTimeAndSizeLimits() async throws {
        let server = try HTTPFixtureServer(self, mode: "legacy")
        let executor = try executor([plugin(server, sandbox: ["wall_seconds": 2, "max_output_bytes": 65536])])
        let slow = await executor.call(ToolCall(id: "1", name: "sleep", arguments: ["seconds": 30]))
        XCTAssertEqual(slow.content, "plugin 'remote' (\(server.url)) did not answer within 2 s (wall-clock limit); "
            + "its session was ended")
        let after = await executor.call(ToolCall(id: "2", name: "echo", arguments: ["text": "again"]))
        XCTAssertEqual(after.content, "again", "the next call starts a new session")
        await assertSizeLimitEndsTheSession(executor, server)
    }

    func testAnAnsweredLegacyRequestLeavesNoDeadlineBehind() async throws {
        let channel = LegacySSEChannel()
        for id in 1...3 {
            let result = await channel.exchange(id: id, timeout: 600) {
                channel.deliver(["jsonrpc": "2.0", "id": .int(id), "result": .object(["ok": .bool(true)])])
                return nil
            }
            XCTAssertEqual(try result.get()["ok"], .bool(true))
        }
        XCTAssertEqual(channel.pendingDeadlines, 0, "each answer cancels its request's 600 s deadline")
        // A request that is never answered still times out, and leaves nothing behind either.
        let unanswered = await channel.exchange(id: 4, timeout: 0.05) { nil }
        guard case .failure(.timeout) = unanswered else { return XCTFail("\(unanswered)") }
        XCTAssertEqual(channel.pendingDeadlines, 0)
    }

    func testLegacyEndpointsOnlyOnTheServersOwnHost() {
        let stream = "http://127.0.0.1:8123/sse"
        XCTAssertEqual(LegacySSEChannel.resolve(endpoint: "/messages/?session_id=ab12", against: stream),
                       "http://127.0.0.1:8123/messages/?session_id=ab12")
        XCTAssertEqual(LegacySSEChannel.resolve(endpoint: "http://127.0.0.1:8123/m", against: stream), "http://127.0.0.1:8123/m")
        XCTAssertNil(LegacySSEChannel.resolve(endpoint: "http://evil.example/m", against: stream))
        XCTAssertNil(LegacySSEChannel.resolve(endpoint: "http://127.0.0.1:9999/m", against: stream))
        XCTAssertNil(LegacySSEChannel.resolve(endpoint: "https://127.0.0.1:8123/m", against: stream))
        XCTAssertTrue(HTTPTransport.refusesPOST(.http("answered HTTP 405: Method Not Allowed")))
        XCTAssertFalse(HTTPTransport.refusesPOST(.http("answered HTTP 500: oops")))
    }

    func testJSONResponses() async throws {
        let server = try HTTPFixtureServer(self, mode: "json")
        let executor = try executor([plugin(server)])
        let echo = await executor.call(ToolCall(id: "1", name: "echo", arguments: ["text": "plain json"]))
        XCTAssertFalse(echo.isError, echo.content)
        XCTAssertEqual(echo.content, "plain json")
        let session = await executor.call(ToolCall(id: "3", name: "session", arguments: [:]))
        XCTAssertEqual(session.content.count, 32, session.content)
        let missing = await executor.call(ToolCall(id: "2", name: "echo", arguments: [:]))
        XCTAssertTrue(missing.isError)
        XCTAssertTrue(missing.content.hasPrefix("missing required argument 'text' for echo"), missing.content)
    }

    func testBearerTokenComesFromLoomsEnvironment() async throws {
        let server = try HTTPFixtureServer(self, mode: "sse", token: "t0ken-for-tests")
        let headers: JSONValue = ["Authorization": "Bearer ${LOOM_TEST_HTTP_BEARER}"]
        let good = try executor([plugin(server, headers: headers)], environment: ["LOOM_TEST_HTTP_BEARER": "t0ken-for-tests"])
        let answer = await good.call(ToolCall(id: "1", name: "remote.echo", arguments: ["text": "authorized"]))
        XCTAssertEqual(answer.content, "authorized")

        let wrong = try executor([plugin(server, headers: headers)], environment: ["LOOM_TEST_HTTP_BEARER": "wrong"])
        do {
            _ = try await wrong.tools()
            XCTFail("a wrong token is refused")
        } catch let error as PluginHostError {
            XCTAssertTrue(error.description.contains("refused the request (HTTP 401): check the manifest's headers "
                + "(Authorization); the server said: missing or wrong bearer token"), error.description)
        }
        let unset = try executor([plugin(server, headers: headers)], environment: [:])
        do {
            _ = try await unset.tools()
            XCTFail("an unset variable stops the start")
        } catch let error as PluginHostError {
            XCTAssertEqual(error.description, "cannot start plugin 'remote': its manifest's headers.Authorization refers to "
                + "${LOOM_TEST_HTTP_BEARER}, which is not set in loom's environment; set it (export LOOM_TEST_HTTP_BEARER=...) "
                + "before running loom")
        }
    }

    func testTimeLimitAndSizeLimitEndTheSessionAndTheNextCallStartsANewOne() async throws {
        let server = try HTTPFixtureServer(self, mode: "sse")
        let executor = try executor([plugin(server, sandbox: ["wall_seconds": 2, "max_output_bytes": 65536])])
        let before = await executor.call(ToolCall(id: "1", name: "remote.session", arguments: [:]))
        XCTAssertEqual(before.content.count, 32, before.content)
        let slow = await executor.call(ToolCall(id: "2", name: "remote.sleep", arguments: ["seconds": 30]))
        XCTAssertTrue(slow.isError)
        XCTAssertEqual(slow.content, "plugin 'remote' (\(server.url)) did not answer within 2 s (wall-clock limit); "
            + "its session was ended")
        let after = await executor.call(ToolCall(id: "3", name: "remote.session", arguments: [:]))
        XCTAssertFalse(after.isError, after.content)
        XCTAssertNotEqual(after.content, before.content, "a new session")
        XCTAssertEqual(after.warnings, ["loom restarted plugin 'remote' for this call (restart 1 of at most 2 in this run) after it stopped"])

        await assertSizeLimitEndsTheSession(executor, server)
    }

    /// With `max_output_bytes` 65536: a 128 KiB answer ends the session, a 1 KiB one then comes whole.
    private func assertSizeLimitEndsTheSession(_ executor: PluginToolExecutor, _ server: HTTPFixtureServer,
                                               file: StaticString = #filePath, line: UInt = #line) async {
        let big = await executor.call(ToolCall(id: "big", name: "remote.big", arguments: ["kilobytes": 128]))
        XCTAssertTrue(big.isError, file: file, line: line)
        XCTAssertEqual(big.content, "plugin 'remote' (\(server.url)) answered with more than 65536 bytes (max_output_bytes); "
            + "its session was ended", file: file, line: line)
        let small = await executor.call(ToolCall(id: "small", name: "remote.big", arguments: ["kilobytes": 1]))
        XCTAssertEqual(small.content.count, 1024, small.content, file: file, line: line)
    }

    func testUnreachableServerIsAClearStartFailure() async throws {
        let port = try HTTPFixtureServer.freePort()
        let directory = try Probe.temporaryDirectory(self)
        let url = try Probe.writeManifest(["name": "gone", "version": "1", "url": .string("http://127.0.0.1:\(port)/mcp")],
                                          in: directory)
        let executor = try executor([RegisteredPlugin(manifest: try Manifest.load(from: url), manifestURL: url, source: .user)])
        do {
            _ = try await executor.tools()
            XCTFail("nothing listens there")
        } catch let error as PluginHostError {
            XCTAssertTrue(error.description.hasPrefix("plugin 'gone' did not complete the MCP handshake: initialize: "
                + "plugin 'gone' (http://127.0.0.1:\(port)/mcp) could not be reached: "), error.description)
        }
    }

    func testManifestWithURL() throws {
        let reader = { (document: JSONValue) in try Manifest.parse(document, file: "m.json") }
        let manifest = try reader(["name": "r", "version": "1", "url": "https://mcp.example.com/mcp",
                                   "headers": ["X-Api-Key": "${KEY}"]])
        XCTAssertEqual(manifest.url, "https://mcp.example.com/mcp")
        XCTAssertEqual(manifest.headers, ["X-Api-Key": "${KEY}"])
        let cases: [(JSONValue, String)] = [
            (["name": "r", "version": "1", "url": "https://a/mcp", "command": ["x"]],
             "invalid manifest m.json: field 'command': expected either 'command' (a local server) or 'url' (a server over HTTP), not both, found an array [\"x\"]"),
            (["name": "r", "version": "1", "url": "ftp://a/mcp"],
             "invalid manifest m.json: field 'url': expected an http:// or https:// URL with a host and no user or password (send credentials in 'headers'), found the string \"ftp://a/mcp\""),
            (["name": "r", "version": "1", "url": "https://me:pw@a/mcp"],
             "invalid manifest m.json: field 'url': expected an http:// or https:// URL with a host and no user or password (send credentials in 'headers'), found the string \"https://me:pw@a/mcp\""),
            (["name": "r", "version": "1", "url": "https://a/mcp", "headers": ["X": "a\r\nInjected: 1"]],
             "invalid manifest m.json: field 'headers.X': expected a string without line breaks, found the string \"a\\r\\nInjected: 1\""),
            (["name": "r", "version": "1", "command": ["x"], "headers": ["X": "1"]],
             "invalid manifest m.json: field 'headers': expected headers only with 'url' (a server over HTTP), found an object {\"X\":\"1\"}"),
        ]
        for (document, message) in cases {
            XCTAssertThrowsError(try reader(document)) { XCTAssertEqual("\($0)", message) }
        }
    }

    private func plugin(_ server: HTTPFixtureServer, headers: JSONValue? = nil, sandbox: JSONValue? = nil) throws -> RegisteredPlugin {
        let directory = try Probe.temporaryDirectory(self)
        var document: [String: JSONValue] = ["name": "remote", "version": "1", "url": .string(server.url)]
        if let headers { document["headers"] = headers }
        if let sandbox { document["sandbox"] = sandbox }
        let url = try Probe.writeManifest(.object(document), in: directory)
        return RegisteredPlugin(manifest: try Manifest.load(from: url), manifestURL: url, source: .user)
    }

    private func executor(_ plugins: [RegisteredPlugin], environment: [String: String] = [:]) throws -> PluginToolExecutor {
        var launcher = try Probe.launcher()
        launcher.hostEnvironment = environment
        let executor = PluginToolExecutor(plugins: plugins, configuration: .init(
            launcher: launcher, resolver: CommandResolver(executableDirectory: nil, searchPath: [])))
        addTeardownBlock { await executor.shutdown() }
        return executor
    }
}

/// Reading `text/event-stream` bodies however they are split.
final class ServerSentEventsTests: XCTestCase {
    func testEventsAreTheSameWhateverTheChunking() throws {
        let stream = ": keep-alive\r\nevent: message\r\ndata: {\"a\":\r\ndata: 1}\r\nid: 7\r\n\r\n"
            + "data:no-space\n\nevent: ping\ndata: x\n\nretry: 10\n\n"
        let expected = [ServerSentEvents.Event(type: "message", data: "{\"a\":\n1}", id: "7"),
                        ServerSentEvents.Event(type: "message", data: "no-space", id: "7"),
                        ServerSentEvents.Event(type: "ping", data: "x", id: "7")]
        let bytes = Array(stream.utf8)
        for split in 0...bytes.count {
            var reader = ServerSentEvents(maxEventBytes: 1024)
            let events = try reader.feed(bytes[..<split]) + reader.feed(bytes[split...])
            XCTAssertEqual(events, expected, "split at \(split)")
        }
        var bytewise = ServerSentEvents(maxEventBytes: 1024)
        XCTAssertEqual(try bytes.flatMap { try bytewise.feed([$0]) }, expected)
    }

    func testAnEventLargerThanTheLimitIsRefused() {
        var reader = ServerSentEvents(maxEventBytes: 16)
        XCTAssertThrowsError(try reader.feed(Array("data: 0123456789\ndata: 0123456789\n\n".utf8))) {
            XCTAssertEqual($0 as? ServerSentEvents.EventTooLarge, ServerSentEvents.EventTooLarge(limit: 16))
        }
        var endless = ServerSentEvents(maxEventBytes: 16)
        XCTAssertThrowsError(try endless.feed([UInt8](repeating: 0x61, count: 100)), "a line without end is bounded too")
    }
}

/// The fixture server could not be started although its requirements are installed.
struct FixtureFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// `Fixtures/http_server.py` running on a free port of 127.0.0.1 until the test ends.
final class HTTPFixtureServer {
    /// The MCP endpoint.
    let url: String
    private let process = Process()
    private let errors = Pipe()

    init(_ test: XCTestCase, mode: String, token: String? = nil) throws {
        let python = TestModels.loomHome.appendingPathComponent("venvs/test/bin/python3")
        let check = Process()
        check.executableURL = python
        check.arguments = ["-c", "import mcp.server.mcpserver, uvicorn"]
        check.standardError = FileHandle.nullDevice
        if (try? check.run()) == nil || { check.waitUntilExit(); return check.terminationStatus != 0 }() {
            try TestModels.requirement("the Python package mcp is not installed in \(python.path); run scripts/install-test-deps.sh")
        }
        let port = try Self.freePort()
        url = "http://127.0.0.1:\(port)/" + (mode == "legacy" ? "sse" : "mcp")
        process.executableURL = python
        process.arguments = [Repository.root.appendingPathComponent("Tests/PluginHostTests/Fixtures/http_server.py").path,
                             String(port), mode]
        var environment = ProcessInfo.processInfo.environment
        environment["LOOM_TEST_HTTP_TOKEN"] = token
        process.environment = environment
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let process = process
        // SIGKILL: uvicorn's graceful shutdown on SIGTERM waits for the SDK's session tasks, which may not end.
        test.addTeardownBlock { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        // Ready when the port accepts connections; a server that exits first is a failure with its stderr.
        for _ in 0..<600 {
            if Self.accepts(port: port) { return }
            if !process.isRunning { break }
            usleep(50_000)
        }
        kill(process.processIdentifier, SIGKILL)
        let stderr = String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
        throw FixtureFailure(message: "the HTTP fixture server did not start: \(stderr)")
    }

    /// A port of 127.0.0.1 nothing listens on now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { throw POSIXError(.EADDRNOTAVAIL) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
