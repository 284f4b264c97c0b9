@testable import StrataAgent

/// libFuzzer entry: what the agent reads from the status interfaces of servers it monitors — Redis `INFO`
/// over RESP, nginx `stub_status` and configuration, Apache `server-status?auto`, Tomcat's XML status and
/// JMX proxy text, the MySQL handshake and row packets, PostgreSQL error fields, Prometheus text, kernel
/// socket addresses — and the log lines and configuration files it follows (every log format's parser, the
/// redactor) must never trap, whatever a server, an impostor or a log writer sends. (Internal parsers are
/// reached with `@testable`; scripts/fuzz.sh builds with `-enable-testing`.)
private let redactor = try? Redactor(hashKey: [1, 2, 3])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzServerStatus(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    _ = try? RedisPlugin.parseInfo(bytes, afterAuth: false)
    _ = try? RedisPlugin.parseInfo(bytes, afterAuth: true)
    _ = try? MySQLClient.parseHandshake(bytes)
    _ = MySQLClient.errorMessage(bytes)
    _ = PostgresClient.errorText(bytes)
    var reader = PacketReader(bytes: bytes)
    while reader.lengthEncodedString() != nil {}
    let text = String(decoding: bytes, as: UTF8.self)
    _ = NginxPlugin.parseStatus(text)
    _ = NginxPlugin.statusLocation(text)
    _ = ApachePlugin.parseStatus(text).map { $0.scoreboard }
    var sink = MetricSink()
    TomcatPlugin.recordStatus(text, into: &sink)
    _ = TomcatPlugin.serverConfig(text)
    _ = TomcatPlugin.webapps(modules: TomcatPlugin.jmxBeans(text), managers: TomcatPlugin.jmxBeans(text))
    _ = try? PrometheusText.parse(text)
    _ = SocketTable.endpoint(Substring(text))
    _ = ApacheConfig.tokens(ApacheConfig.substitute(text, ["A": "b"]))
    for format in LogFormat.allCases {
        _ = LogLineParser(format: format, localOffsetSeconds: 3600).parse(bytes[...])
    }
    _ = LogLineParser.severityFromWords(bytes[...])
    _ = redactor?.redact(text)
    return 0
}
