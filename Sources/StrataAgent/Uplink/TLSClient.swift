import CStrataTLS

/// TLS for the agent's uplink and the CLI, through the system's OpenSSL 3 loaded on first use (an agent
/// speaking plain HTTP never maps it): server verification against a CA file or the system store, SNI
/// and host/IP checking, TLS 1.2+, and an optional client certificate for mutual TLS.
///
/// `@unchecked Sendable`: the uplink and the command channel's threads open sessions on one context at once, which
/// OpenSSL allows; the context changes (a client certificate after enrollment) only under mutual TLS, between the
/// uplink's requests, and then the command channel has a context of its own (`ControlSession`).
public final class TLSClient: @unchecked Sendable {
    private let context: UnsafeMutableRawPointer

    /// Creates a context trusting `caFile` (PEM), or the system's trust store when nil.
    public init(caFile: String?) throws(HTTPClientError) {
        var error = [CChar](repeating: 0, count: 512)
        guard let context = strata_tls_context_new(caFile, &error, error.count) else { throw .tls(Self.text(error)) }
        self.context = context
    }

    deinit { strata_tls_context_free(context) }

    /// Presents this certificate (PEM chain) and key on every later connection.
    public func useClientCertificate(certificateFile: String, keyFile: String) throws(HTTPClientError) {
        var error = [CChar](repeating: 0, count: 512)
        guard strata_tls_context_use_certificate(context, certificateFile, keyFile, &error, error.count) == 0 else {
            throw .tls(Self.text(error) + " (\(certificateFile))")
        }
    }

    /// Runs the handshake on a connected socket, checking the server's certificate for `host`.
    func open(fd: Int32, host: String) throws(HTTPClientError) -> TLSConnection {
        var error = [CChar](repeating: 0, count: 512)
        guard let connection = strata_tls_connect(context, fd, host, &error, error.count) else { throw .tls(Self.text(error)) }
        return TLSConnection(handle: connection)
    }

    /// A new P-256 key (PEM) and a certificate signing request for it (PEM), for enrollment.
    public static func makeKeyAndRequest(commonName: String) throws(HTTPClientError) -> (keyPEM: String, csrPEM: String) {
        var error = [CChar](repeating: 0, count: 512)
        var key: UnsafeMutablePointer<CChar>?
        var request: UnsafeMutablePointer<CChar>?
        defer {
            free(key)
            free(request)
        }
        guard strata_tls_key_and_csr(commonName, &key, &request, &error, error.count) == 0, let key, let request else {
            throw .tls(text(error))
        }
        return (String(cString: key), String(cString: request))
    }

    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// One TLS session over a connected socket.
struct TLSConnection {
    let handle: UnsafeMutableRawPointer

    func write(_ bytes: [UInt8]) throws(HTTPClientError) {
        var error = [CChar](repeating: 0, count: 512)
        let status = bytes.withUnsafeBytes { strata_tls_write(handle, $0.baseAddress, Int32($0.count), &error, error.count) }
        guard status == 0 else { throw .io(TLSClient.text(error)) }
    }

    /// Reads into `buffer`; 0 at the end of the stream.
    func read(into buffer: inout [UInt8]) throws(HTTPClientError) -> Int {
        var error = [CChar](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { strata_tls_read(handle, $0.baseAddress, Int32($0.count), &error, error.count) }
        if count >= 0 { return Int(count) }
        if count == -2 { throw .io("no answer in time") }
        throw .io(TLSClient.text(error))
    }

    func close() {
        strata_tls_close(handle)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
