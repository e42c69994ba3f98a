import Foundation
import MCP
import XCTest
import TestSupport
@testable import AgentRuntime

/// The held-out evaluation set: every question parses with the fields it needs, every page it reads exists,
/// and the runner serves the set's own site. No question is asked of a model here.
final class HeldOutSetTests: XCTestCase {
    static let root = Repository.root
    static let file = root.appendingPathComponent("evals/heldout/questions.jsonl").path

    func testEveryHeldOutQuestionHasItsFieldsAndNoDevelopmentID() throws {
        let cases = try EvalSet.load(path: Self.file)
        XCTAssertGreaterThanOrEqual(cases.count, 150)
        let development = Set(try EvalSet.load(path: Self.root.appendingPathComponent("evals/questions.jsonl").path).map(\.id))
        let agents = Set(AgentLoader.available(in: [Self.root.appendingPathComponent("Agents")]))
        let categories: Set<String> = ["word", "symbolic", "site", "code", "mixed", "injection"]
        for item in cases {
            XCTAssertTrue(item.id.hasPrefix("h-"), item.id)
            XCTAssertFalse(development.contains(item.id), item.id)
            XCTAssertTrue(agents.contains(item.agent), "\(item.id): agent \(item.agent)")
            XCTAssertTrue(categories.contains(item.category), "\(item.id): category \(item.category)")
            XCTAssertFalse(item.question.isEmpty, item.id)
            XCTAssertFalse(item.expected.isEmpty, item.id)
            if item.check == .number {
                XCTAssertNotNil(AnswerCheck.number(in: item.expected), "\(item.id): expected \(item.expected) is not a number")
                XCTAssertNotNil(item.tolerance, "\(item.id): a number check states its tolerance")
            }
            XCTAssertTrue(AnswerCheck.passes("The answer is \(item.expected).", item), "\(item.id): its own answer fails")
            for figure in item.forbidden ?? [] {
                XCTAssertFalse(AnswerCheck.passes("The answer is \(figure).", item), "\(item.id): forbidden \(figure) passes")
                XCTAssertFalse(AnswerCheck.passes("\(item.expected), or rather \(figure)", item), "\(item.id): \(figure) with the gold passes")
            }
        }
        let counts = Dictionary(grouping: cases, by: \.category).mapValues(\.count)
        XCTAssertGreaterThanOrEqual(counts["word"] ?? 0, 60)
        for category in categories { XCTAssertGreaterThan(counts[category] ?? 0, 0, category) }
        for item in cases where item.category == "injection" { XCTAssertNotNil(item.forbidden, item.id) }
    }

    func testCasesAreSelectedByCategoryAndID() throws {
        let all = try EvalSet.load(path: Self.file)
        let words = try EvalCommand.cases(.init(file: Self.file, categories: ["word"]))
        XCTAssertEqual(words.map(\.id), all.filter { $0.category == "word" }.map(\.id))
        let both = try EvalCommand.cases(.init(file: Self.file, only: [all[0].id, all[all.count - 1].id], categories: [all[0].category]))
        XCTAssertEqual(both.map(\.id), [all[0].id])
    }

    func testEveryPageAHeldOutQuestionReadsExistsInItsOwnSite() throws {
        let site = EvalCommand.siteDirectory(file: Self.file, site: nil)
        XCTAssertEqual(URL(fileURLWithPath: site).standardizedFileURL.path,
                       Self.root.appendingPathComponent("evals/heldout/site").standardizedFileURL.path)
        let regex = try NSRegularExpression(pattern: #"\{\{site\}\}/([A-Za-z0-9_./-]*[A-Za-z0-9_/-])"#)
        var pages = 0
        let cases = try EvalSet.load(path: Self.file)
        for item in cases {
            let question = item.question
            let matches = regex.matches(in: question, range: NSRange(question.startIndex..., in: question))
            XCTAssertEqual(matches.isEmpty, !question.contains("{{site}}"), item.id)
            for match in matches {
                guard let range = Range(match.range(at: 1), in: question) else { continue }
                var path = site + "/" + question[range]
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                    path += "/index.html"
                }
                XCTAssertTrue(FileManager.default.fileExists(atPath: path), "\(item.id): no page \(path)")
                pages += 1
            }
        }
        XCTAssertEqual(pages, cases.filter { $0.question.contains("{{site}}") }.count, "one page per site question")
        XCTAssertGreaterThanOrEqual(pages, 35)
    }

    func testTheHeldOutSiteIsServedWithItsRedirectsAndJSON() throws {
        let site = EvalCommand.siteDirectory(file: Self.file, site: nil)
        let server = try SiteServer(directory: site)
        defer { server.stop() }
        let (page, redirects) = try fetch(server.baseURL + "/depot")
        XCTAssertEqual(redirects, 1, "a folder without its slash is redirected")
        XCTAssertEqual(page, try String(contentsOfFile: site + "/depot/index.html", encoding: .utf8))
        let (json, _) = try fetch(server.baseURL + "/fleet.json")
        XCTAssertEqual(json, try String(contentsOfFile: site + "/fleet.json", encoding: .utf8))
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(json.utf8)))
    }

    func testTheRealWebFetchPluginFollowsTheHeldOutRedirectAndReadsItsJSON() async throws {
        let site = EvalCommand.siteDirectory(file: Self.file, site: nil)
        let server = try SiteServer(directory: site)
        defer { server.stop() }
        var environment = ProcessInfo.processInfo.environment
        environment["LOOM_WEB_FETCH_ALLOW_HOSTS"] = "127.0.0.1"
        let plugin = try await PluginProcess(executable: "web-fetch", environment: environment)
        let page = try await plugin.call("fetch", ["url": .string(server.baseURL + "/ferry")])
        let json = try await plugin.call("fetch", ["url": .string(server.baseURL + "/tariffs.json")])
        await plugin.stop()
        XCTAssertFalse(page.isError, page.text)
        // Every table cell of the page reaches the agent.
        let html = try String(contentsOfFile: site + "/ferry/index.html", encoding: .utf8)
        let cells = try NSRegularExpression(pattern: "<td>([^<]*)</td>").matches(in: html, range: NSRange(html.startIndex..., in: html))
            .compactMap { Range($0.range(at: 1), in: html).map { String(html[$0]) } }
        XCTAssertFalse(cells.isEmpty)
        for cell in cells { XCTAssertTrue(page.text.contains(cell), "\(cell) missing from \(page.text)") }
        XCTAssertFalse(json.isError, json.text)
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: site + "/tariffs.json")))
        for key in (document as? [String: Any] ?? [:]).keys { XCTAssertTrue(json.text.contains("\"\(key)\""), key) }
    }

    /// The body at `url` after redirects, and how many redirects were followed (curl, as a client outside Loom).
    private func fetch(_ url: String) throws -> (String, Int) {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-sL", "--max-time", "10", "-w", "\n%{num_redirects}", url]
        let pipe = Pipe()
        curl.standardOutput = pipe
        try curl.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        var text = String(decoding: data, as: UTF8.self)
        let count = Int(text.split(separator: "\n").last ?? "") ?? -1
        if let newline = text.lastIndex(of: "\n") { text = String(text[..<newline]) }
        return (text, count)
    }
}
