import Logging
import Testing
@testable import StrataAgent

func temporaryDirectory(_ name: String) -> String {
    var generator = SystemRandomNumberGenerator()
    return "/tmp/strata-tests/\(name)-\(generator.next() % 1_000_000_000)"
}

@Test func spoolReplaysInSequenceOrderAcrossReopen() throws {
    let directory = temporaryDirectory("spool")
    var spool = try Spool(directory: directory)
    let logger = Logger(label: "test")
    for sequence in [3, 1, 2] as [UInt64] {
        try spool.append(sequence: sequence, body: [UInt8(sequence)], logger: logger)
    }
    let reopened = try Spool(directory: directory)
    #expect(reopened.pending() == [1, 2, 3])
    #expect(reopened.read(sequence: 2) == [2])
    reopened.remove(sequence: 1)
    #expect(reopened.pending() == [2, 3])
}

@Test func fullSpoolDropsOldestAndCountsThem() throws {
    var spool = try Spool(directory: temporaryDirectory("spool-full"), maxBatches: 3, maxBytes: 1 << 20)
    let logger = Logger(label: "test")
    for sequence in 1...5 as ClosedRange<UInt64> {
        try spool.append(sequence: sequence, body: [0, 1, 2], logger: logger)
    }
    #expect(spool.pending() == [3, 4, 5])
    #expect(spool.droppedBatches == 2)
}

@Test func spoolByteBoundDropsOldest() throws {
    var spool = try Spool(directory: temporaryDirectory("spool-bytes"), maxBatches: 100, maxBytes: 250)
    let logger = Logger(label: "test")
    for sequence in 1...4 as ClosedRange<UInt64> {
        try spool.append(sequence: sequence, body: [UInt8](repeating: 7, count: 100), logger: logger)
    }
    #expect(spool.pending() == [3, 4])
    #expect(spool.droppedBatches == 2)
}

@Test func agentStateKeepsIDAndSequence() throws {
    let directory = temporaryDirectory("state")
    try FileIO.makeDirectories(directory)
    let path = directory + "/agent.state"
    var state = AgentState.load(path: path)
    #expect(state.agentID.count == 32)
    #expect(state.lastSequence == 0)
    state.lastSequence = 41
    try state.save(path: path)
    #expect(AgentState.load(path: path) == state)
}

@Test func uplinkClassifiesServerAnswers() {
    #expect(UplinkOutcome.classify(status: 200, body: "") == .acknowledged)
    #expect(UplinkOutcome.classify(status: 409, body: "dup") == .acknowledged)
    #expect(UplinkOutcome.classify(status: 400, body: "bad") == .rejected("HTTP 400: bad"))
    #expect(UplinkOutcome.classify(status: 413, body: "big") == .rejected("HTTP 413: big"))
    if case .reenroll = UplinkOutcome.classify(status: 401, body: "") {} else { Issue.record("401 must be retried after enrolling again") }
    #expect(UplinkOutcome.classify(status: 401, body: "").refusesCredential, "a refused credential makes the agent enroll again")
    #expect(UplinkOutcome.classify(status: 403, body: "bound to platform").refusesCredential)
    #expect(!UplinkOutcome.classify(status: 503, body: "").refusesCredential)
    if case .retryLater = UplinkOutcome.classify(status: 503, body: "") {} else { Issue.record("503 must be retried") }
    if case .retryLater = UplinkOutcome.classify(status: 429, body: "") {} else { Issue.record("429 must be retried") }
}

/// Issue 15, point 2: an answer that stored nothing was taken for a clean acknowledgement and nothing was logged.
@Test func aBatchWhoseSamplesWereRefusedIsAcknowledgedAndLogged() {
    let answer = #"{"status":"success","data":{"sequence":7,"samples":0,"rejectedSamples":3,"warning":"3 of the batch's samples were refused"}}"#
    guard case .acknowledgedWithRejections(let text) = UplinkOutcome.classify(status: 200, body: answer) else {
        Issue.record("refused samples must be told apart from a clean acknowledgement")
        return
    }
    #expect(text.contains("refused"))
    #expect(UplinkOutcome.classify(status: 200, body: #"{"data":{"samples":5,"rejectedSamples":0}}"#) == .acknowledged)
}

@Test func backoffDoublesToACapAndResets() {
    var backoff = Backoff(initialMs: 1000, maximumMs: 5000)
    #expect([backoff.fail(), backoff.fail(), backoff.fail(), backoff.fail()] == [1000, 2000, 4000, 5000])
    backoff.succeed()
    #expect(backoff.fail() == 1000)
}

@Test func httpClientParsesURLs() throws {
    let client = try HTTPClient(baseURL: "http://127.0.0.1:7480/prefix/")
    #expect(client.host == "127.0.0.1")
    #expect(client.port == 7480)
    #expect(client.basePath == "/prefix")
    #expect(try HTTPClient(baseURL: "http://[::1]:99").host == "::1")
    #expect(throws: HTTPClientError.self) { try HTTPClient(baseURL: "ftp://x") }
    #expect(throws: HTTPClientError.self) { try HTTPClient(baseURL: "http://host:notaport") }
}

@Test func refusedConnectionIsAnErrorNotACrash() throws {
    let client = try HTTPClient(baseURL: "http://127.0.0.1:1")
    #expect(throws: HTTPClientError.self) { try client.send(method: "GET", path: "/") }
}

@Test func responseParserHandlesChunkedBodies() throws {
    let raw = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n".utf8)
    let response = try HTTPResponseParser(maxBodyBytes: 1024).parse(raw)
    #expect(response.status == 200)
    #expect(response.text == "hello world")
    #expect(throws: HTTPClientError.self) { try HTTPResponseParser(maxBodyBytes: 1024).parse(Array("garbage".utf8)) }
}
