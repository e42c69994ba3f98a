/// Everything that can go wrong fetching a page; each message tells the model what happened and what to try.
enum WebFetchError: Error, Equatable, CustomStringConvertible {
    /// A tool argument is missing or out of range.
    case badArgument(name: String, reason: String)
    /// The URL does not parse.
    case invalidURL(url: String, reason: String)
    /// The URL's scheme is not http or https.
    case unsupportedScheme(url: String, scheme: String)
    /// The host of `url` resolved to a non-public address that is not allow-listed.
    case refusedAddress(url: String, host: String, address: String, category: String)
    /// A redirect chain went past the limit.
    case tooManyRedirects(url: String, limit: Int)
    /// A redirect response had no usable Location.
    case badRedirect(url: String, status: Int)
    /// The transfer took longer than the time limit.
    case timedOut(url: String, seconds: Double)
    /// libcurl failed for another reason.
    case transfer(url: String, message: String)
    /// The server answered with an HTTP error status.
    case httpStatus(url: String, status: Int, contentType: String, excerpt: String)
    /// The content type is not text web-fetch can read.
    case binaryContent(url: String, contentType: String)
    /// libcurl could not be set up (a bug or a broken installation, not a page problem).
    case setup(String)

    var description: String {
        switch self {
        case .badArgument(let name, let reason):
            return "argument '\(name)' \(reason)"
        case .invalidURL(let url, let reason):
            return "'\(url)' is not a valid URL: \(reason). Give a full URL such as https://example.org/page"
        case .unsupportedScheme(let url, let scheme):
            return "refused \(url): scheme '\(scheme)' is not allowed; web-fetch fetches only http and https URLs"
        case .refusedAddress(let url, let host, let address, let category):
            return "refused \(url): host '\(host)' resolves to \(address), a \(category) address. "
                + "web-fetch does not fetch non-public addresses unless the host is allow-listed "
                + "(web-fetch: {allow_hosts: [...]} in Loom's config.yaml, or loom ask --allow-host HOST)"
        case .tooManyRedirects(let url, let limit):
            return "stopped at \(url): more than \(limit) redirects"
        case .badRedirect(let url, let status):
            return "\(url) answered with redirect status \(status) but no usable Location header"
        case .timedOut(let url, let seconds):
            return "timed out fetching \(url) after \(Self.format(seconds)) s"
        case .transfer(let url, let message):
            return "could not fetch \(url): \(message)"
        case .httpStatus(let url, let status, let contentType, let excerpt):
            let head = "HTTP status \(status) from \(url)" + (contentType.isEmpty ? "" : " (\(contentType))")
            return excerpt.isEmpty ? head : head + "\n\n" + excerpt
        case .binaryContent(let url, let contentType):
            return "refused \(url): content type '\(contentType)' is binary, not text web-fetch can read"
        case .setup(let message):
            return "web-fetch could not start a transfer: \(message)"
        }
    }

    private static func format(_ seconds: Double) -> String {
        seconds.rounded() == seconds ? String(Int(seconds)) : String(seconds)
    }
}
