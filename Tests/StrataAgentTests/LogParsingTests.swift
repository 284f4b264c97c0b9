import StrataCore
import Testing
@testable import StrataAgent

private func parse(_ format: LogFormat, _ line: String) -> ParsedLine {
    LogLineParser(format: format, localOffsetSeconds: 0).parse(ArraySlice(line.utf8))
}

/// 2026-11-22 13:00:00 UTC in Unix ms.
private let base: Int64 = 1_795_352_400_000

@Test func eachServerFormatYieldsItsRecordsSeverityAndTime() {
    let apache = parse(.apache, "[Sun Nov 22 13:00:00.123456 2026] [core:error] [pid 42] [client 127.0.0.1:5] AH00037: Symbolic link not allowed")
    #expect(apache == ParsedLine(startsRecord: true, timeMs: base + 123, severity: .error))
    #expect(parse(.apache, "[Sun Nov 22 13:00:00.5 2026] [mpm_event:notice] [pid 1] AH00489: resuming").severity == .info)

    #expect(parse(.nginx, "2026/11/22 13:00:00 [error] 12#12: *1 open() \"/x\" failed (2: No such file or directory)")
        == ParsedLine(startsRecord: true, timeMs: base, severity: .error))
    #expect(parse(.nginx, "2026/11/22 13:00:00 [warn] 1#1: conflicting server name").severity == .warning)

    #expect(parse(.java, "22-Nov-2026 13:00:00.250 SEVERE [main] org.apache.catalina.core.StandardContext.startInternal One or more listeners failed")
        == ParsedLine(startsRecord: true, timeMs: base + 250, severity: .error))
    #expect(parse(.java, "2026-11-22 13:00:00,007 WARN [pool-1] com.example.Crm - slow query").severity == .warning)
    #expect(parse(.java, "\tat com.example.Crm.handle(Crm.java:42)").startsRecord == false)
    #expect(parse(.java, "java.lang.IllegalStateException: boom").startsRecord == false)
    #expect(parse(.java, "Caused by: java.io.IOException: gone").startsRecord == false)

    #expect(parse(.mysql, "2026-11-22 13:00:00 0 [Warning] Aborted connection 5 to db: 'crm'")
        == ParsedLine(startsRecord: true, timeMs: base, severity: .warning))
    #expect(parse(.mysql, "2026-11-22 13:00:00 0 [ERROR] InnoDB: Unable to lock ./ibdata1").severity == .error)
    #expect(parse(.mysql, "2026-11-22 13:00:00 0 [Note] InnoDB: Buffer pool(s) load completed").severity == .info)

    #expect(parse(.postgres, "2026-11-22 13:00:00.042 UTC [77] FATAL:  password authentication failed for user \"crm\"")
        == ParsedLine(startsRecord: true, timeMs: base + 42, severity: .critical))
    #expect(parse(.postgres, "2026-11-22 13:00:00.042 UTC [77] ERROR:  relation \"x\" does not exist").severity == .error)
    #expect(parse(.postgres, "2026-11-22 13:00:00.042 UTC [77] DETAIL:  Connection matched pg_hba.conf line 3").startsRecord == false,
            "DETAIL lines belong to the record before")

    let syslog = parse(.syslog, "Nov 22 13:00:00 host kernel: [1.0] EXT4-fs error (device sda1): bad block")
    #expect(syslog.startsRecord && syslog.severity == .error)
    #expect(parse(.syslog, "2026-11-22T13:00:00.000001+01:00 host cron[5]: (root) CMD (true)") ==
        ParsedLine(startsRecord: true, timeMs: base - 3_600_000, severity: .info), "an RFC 3339 offset is honoured")
    #expect(parse(.plain, "something unrelated happened").severity == .info)
    #expect(parse(.plain, "WARNING: disk almost full").severity == .warning)
}

@Test func jsonLinesGiveLevelAndTimeWhateverTheirKeys() {
    #expect(parse(.json, #"{"time":"2026-11-22T13:00:00.5Z","level":"error","msg":"db down","nested":{"a":[1,{"b":"}"}]}}"#)
        == ParsedLine(startsRecord: true, timeMs: base + 500, severity: .error))
    #expect(parse(.json, #"{"ts": 1795352400.25, "severity": "WARNING", "message": "x"}"#)
        == ParsedLine(startsRecord: true, timeMs: base + 250, severity: .warning))
    #expect(parse(.json, #"{"level":50,"time":1795352400000,"msg":"pino"}"#)
        == ParsedLine(startsRecord: true, timeMs: base, severity: .error))
    #expect(parse(.json, "not json at all, an error").severity == .error)
    #expect(parse(.json, #"{"level":"#).startsRecord, "a torn object is still one record, never a trap")
    // Found by fuzz-server-status: a time too large for Int64 milliseconds trapped the conversion.
    #expect(parse(.json, #"{"level":"error","ts":17953524009999999999999999999999999999.25}"#)
        == ParsedLine(startsRecord: true, timeMs: nil, severity: .error))
    #expect(parse(.json, #"{"ts":-1e308,"time":1e400}"#).timeMs == nil)
}

@Test func timestampsWithoutAZoneAreLocalTime() {
    let parser = LogLineParser(format: .mysql, localOffsetSeconds: 3600)
    #expect(parser.parse(ArraySlice("2026-11-22 14:00:00 0 [Note] x".utf8)).timeMs == base)
    #expect(TimeScanner.daysFromCivil(year: 1970, month: 1, day: 1) == 0)
    #expect(TimeScanner.daysFromCivil(year: 2000, month: 3, day: 1) == 11_017)
}
