import CCurl
import Foundation

/// One fetched response, after redirects.
struct FetchResponse: Sendable, Equatable {
    /// The URL of the last hop (after redirects).
    let finalURL: String
    /// The HTTP status of the last hop.
    let status: Int
    /// The `Content-Type` header of the last hop, as sent ("" when absent).
    let contentType: String
    /// The body, decompressed, at most `Settings.maxBytes` long.
    let body: [UInt8]
    /// Whether the body was cut at `Settings.maxBytes` (the transfer was stopped there).
    let truncated: Bool
    /// How many redirects were followed.
    let redirects: Int
}

/// Fetches URLs with libcurl, following redirects itself so that every hop is checked.
///
/// Each hop gets a fresh easy handle (no connection reuse across hops), HTTP and HTTPS only, no proxy,
/// connect and total timeouts, a byte cap enforced in the write callback, and an address check in the
/// open-socket callback, which sees the resolved address right before `connect`.
struct Fetcher: Sendable {
    /// Limits, User-Agent and allow-list.
    let settings: Settings
    /// The address check derived from the allow-list.
    let policy: AddressPolicy

    /// Redirect statuses that carry a Location to follow with GET.
    private static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]

    /// Creates a fetcher; call `Fetcher.globalInit()` once per process first.
    init(settings: Settings) {
        self.settings = settings
        self.policy = AddressPolicy(allowedHosts: settings.allowHosts)
    }

    /// Initializes libcurl; call once at process start, before any thread uses it.
    static func globalInit() -> Bool {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }

    /// Fetches `url`, following at most `settings.maxRedirects` redirects. Blocks the calling thread.
    ///
    /// - Throws: `WebFetchError` for a bad or refused URL, a refused address at any hop, too many
    ///   redirects, a timeout, or a transfer failure. HTTP error statuses are returned, not thrown.
    func fetch(_ url: String) throws -> FetchResponse {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(settings.totalTimeout * 1e9)
        var current = try WebURL(url)
        var redirects = 0
        while true {
            let hop = try perform(current, deadline: deadline)
            guard Fetcher.redirectStatuses.contains(hop.status) else {
                return FetchResponse(finalURL: current.text, status: hop.status, contentType: hop.contentType,
                                     body: hop.body, truncated: hop.truncated, redirects: redirects)
            }
            guard let location = hop.location else { throw WebFetchError.badRedirect(url: current.text, status: hop.status) }
            redirects += 1
            if redirects > settings.maxRedirects {
                throw WebFetchError.tooManyRedirects(url: current.text, limit: settings.maxRedirects)
            }
            current = try WebURL(location)
        }
    }

    /// What one request returned.
    private struct Hop {
        var status: Int
        var contentType: String
        var location: String?
        var body: [UInt8]
        var truncated: Bool
    }

    private func perform(_ url: WebURL, deadline: UInt64) throws -> Hop {
        let now = DispatchTime.now().uptimeNanoseconds
        guard now < deadline else { throw WebFetchError.timedOut(url: url.text, seconds: settings.totalTimeout) }
        let remainingMilliseconds = max(1, Int((deadline - now) / 1_000_000))

        guard let handle = curl_easy_init() else { throw WebFetchError.setup("curl_easy_init() returned NULL") }
        defer { curl_easy_cleanup(handle) }
        let state = TransferState(handle: handle, host: url.host, policy: policy, maxBytes: settings.maxBytes)
        let retained = Unmanaged.passRetained(state)
        defer { retained.release() }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        let headers = curl_slist_append(
            nil, "Accept: text/html,application/xhtml+xml,application/json;q=0.9,text/*;q=0.8,*/*;q=0.5")
        defer { curl_slist_free_all(headers) }

        var codes: [CURLcode] = [
            loom_curl_setopt_string(handle, CURLOPT_URL, url.text),
            loom_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"),
            loom_curl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"),
            loom_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0),
            loom_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1),
            loom_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS,
                                  min(remainingMilliseconds, Int(settings.connectTimeout * 1000))),
            loom_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, remainingMilliseconds),
            loom_curl_setopt_string(handle, CURLOPT_USERAGENT, settings.userAgent),
            loom_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, ""),
            loom_curl_setopt_string(handle, CURLOPT_PROXY, ""),
            loom_curl_setopt_long(handle, CURLOPT_FORBID_REUSE, 1),
            loom_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer),
            loom_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headers)),
            loom_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, retained.toOpaque()),
            loom_curl_setopt_pointer(handle, CURLOPT_OPENSOCKETDATA, retained.toOpaque()),
        ]
        codes.append(loom_curl_setopt_write_function(handle) { buffer, size, count, userdata in
            guard let userdata else { return 0 }
            let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
            return state.receive(UnsafeRawBufferPointer(start: buffer, count: size * count))
        })
        codes.append(loom_curl_setopt_opensocket_function(handle) { userdata, _, address in
            guard let userdata, let address else { return -1 }
            let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
            return state.openSocket(address)
        })
        if let failed = codes.first(where: { $0 != CURLE_OK }) {
            throw WebFetchError.setup(String(cString: curl_easy_strerror(failed)))
        }

        let code = curl_easy_perform(handle)
        if let refusal = state.refusals.first, code != CURLE_OK {
            throw WebFetchError.refusedAddress(url: url.text, host: url.host, address: refusal.address,
                                               category: refusal.category)
        }
        if case .binary(let type)? = state.stop { throw WebFetchError.binaryContent(url: url.text, contentType: type) }
        let capReached = state.stop == TransferState.Stop.capReached
        if code != CURLE_OK && !(code == CURLE_WRITE_ERROR && capReached) {
            if code == CURLE_OPERATION_TIMEDOUT {
                throw WebFetchError.timedOut(url: url.text, seconds: settings.totalTimeout)
            }
            let detail = String(cString: errorBuffer)
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            throw WebFetchError.transfer(url: url.text, message: message)
        }
        var status = 0
        loom_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var location: UnsafeMutablePointer<CChar>?
        loom_curl_getinfo_string(handle, CURLINFO_REDIRECT_URL, &location)
        return Hop(status: status, contentType: state.contentType ?? TransferState.contentType(of: handle),
                   location: location.map { String(cString: $0) }, body: state.body,
                   truncated: capReached)
    }
}

/// The per-request state libcurl's callbacks reach through their user-data pointer.
///
/// Used only on the thread running `curl_easy_perform`.
final class TransferState {
    /// Why the transfer was stopped early by web-fetch.
    enum Stop: Equatable {
        /// The body reached `maxBytes`.
        case capReached
        /// A successful response declared a binary content type.
        case binary(String)
    }

    /// One address the open-socket callback refused.
    struct Refusal {
        let address: String
        let category: String
    }

    private let handle: UnsafeMutableRawPointer
    private let host: String
    private let policy: AddressPolicy
    private let maxBytes: Int
    private(set) var body: [UInt8] = []
    private(set) var stop: Stop?
    private(set) var refusals: [Refusal] = []
    private(set) var contentType: String?

    init(handle: UnsafeMutableRawPointer, host: String, policy: AddressPolicy, maxBytes: Int) {
        self.handle = handle
        self.host = host
        self.policy = policy
        self.maxBytes = maxBytes
    }

    /// The response's `Content-Type` as libcurl reports it ("" when absent).
    static func contentType(of handle: UnsafeMutableRawPointer) -> String {
        var value: UnsafeMutablePointer<CChar>?
        loom_curl_getinfo_string(handle, CURLINFO_CONTENT_TYPE, &value)
        return value.map { String(cString: $0) } ?? ""
    }

    /// Write callback: keeps bytes up to the cap; returning less than `bytes.count` aborts the transfer.
    func receive(_ bytes: UnsafeRawBufferPointer) -> Int {
        if contentType == nil {
            let type = TransferState.contentType(of: handle)
            contentType = type
            var status = 0
            loom_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            if (200..<300).contains(status), ContentKind.classify(contentType: type) == .binary {
                stop = .binary(MediaType(type).essence)
                return 0
            }
        }
        let room = maxBytes - body.count
        if bytes.count > room {
            body.append(contentsOf: bytes.prefix(room))
            stop = .capReached
            return 0
        }
        body.append(contentsOf: bytes)
        return bytes.count
    }

    /// Open-socket callback: creates the socket only for an address the policy allows.
    func openSocket(_ address: UnsafeMutablePointer<curl_sockaddr>) -> curl_socket_t {
        var raw = [UInt8](repeating: 0, count: 16)
        let length = Int(loom_curl_sockaddr_ip(address, &raw))
        guard let ip = IPAddress(bytes: Array(raw.prefix(length))) else {
            refusals.append(Refusal(address: "a non-IP socket (family \(address.pointee.family))", category: "non-IP"))
            return -1
        }
        switch policy.verdict(host: host, address: ip) {
        case .allowed:
            return socket(address.pointee.family, address.pointee.socktype, address.pointee.protocol)
        case .refused(let category):
            refusals.append(Refusal(address: ip.description, category: category))
            return -1
        }
    }
}
