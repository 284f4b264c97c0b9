#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import COpenSSL

/// TLS for the agent's uplink, through the system's OpenSSL: server verification against a CA file (or
/// the system store), SNI and host/IP checking, and an optional client certificate for mutual TLS.
///
/// One context per client; the agent is single-threaded, and the context is only changed (a client
/// certificate added after enrollment) between requests, hence `@unchecked Sendable`.
public final class TLSClient: @unchecked Sendable {
    private let context: OpaquePointer

    /// Creates a context trusting `caFile` (PEM), or the system's trust store when nil.
    public init(caFile: String?) throws(HTTPClientError) {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw .tls("cannot create a TLS context: \(Self.lastError())") }
        self.context = context
        _ = strata_ctx_min_tls12(context)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        let loaded = caFile.map { SSL_CTX_load_verify_locations(context, $0, nil) } ?? SSL_CTX_set_default_verify_paths(context)
        guard loaded == 1 else { throw .tls("cannot load the CA file \(caFile ?? "(system)"): \(Self.lastError())") }
    }

    deinit { SSL_CTX_free(context) }

    /// Presents this certificate (PEM chain) and key on every later connection.
    public func useClientCertificate(certificateFile: String, keyFile: String) throws(HTTPClientError) {
        guard SSL_CTX_use_certificate_chain_file(context, certificateFile) == 1,
              SSL_CTX_use_PrivateKey_file(context, keyFile, SSL_FILETYPE_PEM) == 1,
              SSL_CTX_check_private_key(context) == 1 else {
            throw .tls("cannot use client certificate \(certificateFile): \(Self.lastError())")
        }
    }

    /// Runs the handshake on a connected socket, checking the server's certificate for `host`.
    func open(fd: Int32, host: String) throws(HTTPClientError) -> TLSConnection {
        guard let ssl = SSL_new(context) else { throw .tls("cannot create a TLS session: \(Self.lastError())") }
        SSL_set_fd(ssl, fd)
        let parameters = SSL_get0_param(ssl)
        if X509_VERIFY_PARAM_set1_ip_asc(parameters, host) != 1 {
            _ = strata_ssl_set_sni(ssl, host)
            SSL_set1_host(ssl, host)
        }
        guard SSL_connect(ssl) == 1 else {
            let verify = SSL_get_verify_result(ssl)
            let reason = verify == X509_V_OK ? Self.lastError() : String(cString: X509_verify_cert_error_string(verify))
            SSL_free(ssl)
            throw .tls("TLS handshake with \(host) failed: \(reason)")
        }
        return TLSConnection(ssl: ssl)
    }

    /// The newest OpenSSL error as text.
    static func lastError() -> String {
        let code = ERR_get_error()
        guard code != 0 else { return "unknown error" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A new P-256 key (PEM, PKCS#8) and a certificate signing request for it (PEM), for enrollment.
    public static func makeKeyAndRequest(commonName: String) throws(HTTPClientError) -> (keyPEM: String, csrPEM: String) {
        guard let key = strata_ec_p256_key() else { throw .tls("cannot generate a key: \(lastError())") }
        defer { EVP_PKEY_free(key) }
        guard let request = X509_REQ_new() else { throw .tls("cannot create a CSR: \(lastError())") }
        defer { X509_REQ_free(request) }
        X509_REQ_set_version(request, 0)
        X509_REQ_set_pubkey(request, key)
        let name = X509_REQ_get_subject_name(request)
        _ = commonName.withCString { value in
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, UnsafeRawPointer(value).assumingMemoryBound(to: UInt8.self), -1, -1, 0)
        }
        guard X509_REQ_sign(request, key, EVP_sha256()) > 0 else { throw .tls("cannot sign the CSR: \(lastError())") }
        func pem(_ write: (OpaquePointer) -> Int32) throws(HTTPClientError) -> String {
            guard let bio = BIO_new(BIO_s_mem()) else { throw .tls("cannot allocate: \(lastError())") }
            defer { BIO_free(bio) }
            guard write(bio) == 1 else { throw .tls("cannot write PEM: \(lastError())") }
            var data: UnsafeMutablePointer<CChar>?
            let length = strata_bio_mem_data(bio, &data)
            guard let data, length > 0 else { return "" }
            return String(decoding: UnsafeRawBufferPointer(start: data, count: Int(length)), as: UTF8.self)
        }
        let keyPEM = try pem { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) }
        let csrPEM = try pem { PEM_write_bio_X509_REQ($0, request) }
        return (keyPEM, csrPEM)
    }
}

/// One TLS session over a connected socket.
struct TLSConnection {
    let ssl: OpaquePointer

    func write(_ bytes: [UInt8]) throws(HTTPClientError) {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress! + sent, Int32($0.count - sent)) }
            guard count > 0 else { throw .io("TLS write: \(TLSClient.lastError())") }
            sent += Int(count)
        }
    }

    /// Reads into `buffer`; 0 at the end of the stream.
    func read(into buffer: inout [UInt8]) throws(HTTPClientError) -> Int {
        let count = buffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
        if count > 0 { return Int(count) }
        let error = SSL_get_error(ssl, count)
        if error == SSL_ERROR_ZERO_RETURN || (error == SSL_ERROR_SYSCALL && errno == 0) { return 0 }
        if error == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK) { throw .io("no answer in time") }
        throw .io("TLS read: \(TLSClient.lastError())")
    }

    func close() {
        SSL_shutdown(ssl)
        SSL_free(ssl)
    }
}
