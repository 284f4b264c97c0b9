import Foundation
import Testing
@testable import StrataServer

/// What notifications look like on the wire, checked without a network: target decoding, the SMTP reply
/// parser, the email message, Alertmanager's alert shape, times.
@Suite struct NotifyFormatTests {
    func decode(_ json: String) throws -> NotificationTarget {
        try JSONDecoder().decode(NotificationTarget.self, from: Data(json.utf8))
    }

    @Test func targetsDecodeFromTheirTypedObjectsAndRoundTrip() throws {
        let targets = [
            #"{"type":"webhook","url":"https://hooks.example.com/strata","secret":"s3cret"}"#,
            #"{"type":"slack","url":"https://hooks.slack.com/services/T0/B0/XYZ"}"#,
            #"{"type":"alertmanager","url":"http://alertmanager:9093"}"#,
            #"{"type":"email","host":"smtp.example.com","username":"u","password":"p","from":"a@example.com","to":["b@example.com"]}"#,
        ]
        for json in targets {
            let target = try decode(json)
            #expect(try JSONDecoder().decode(NotificationTarget.self, from: JSONEncoder().encode(target)) == target)
        }
        #expect(try decode(targets[0]) == .webhook(WebhookTarget(url: "https://hooks.example.com/strata", secret: "s3cret")))
        guard case .email(let email) = try decode(targets[3]) else { Issue.record("not email"); return }
        #expect(email.tls == .starttls && email.port == 587)
        guard case .email(let plain) = try decode(#"{"type":"email","host":"h","tls":"none","from":"a@b","to":["c@d"]}"#) else { return }
        #expect(plain.tls == .plain && plain.port == 25)
    }

    @Test func targetsThatCannotWorkAreRejectedWhenDecoded() {
        for (json, reason) in [
            (#"{"type":"pager","url":"http://x"}"#, "unknown notification target type \"pager\""),
            (#"{"type":"webhook","url":"file:///etc/passwd"}"#, "webhook url must be an absolute http:// or https:// URL"),
            (#"{"type":"email","host":"h","from":"a@b","to":[]}"#, "at least one address"),
            (#"{"type":"email","host":"h","from":"a@b","to":["x@y>\r\nRCPT TO:<z@w"]}"#, "must look like name@domain"),
        ] {
            #expect(throws: DecodingError.self, "\(reason)") { try decode(json) }
            do { _ = try decode(json) } catch { #expect("\(error)".contains(reason), "\(error)") }
        }
    }

    @Test func descriptionsLeaveOutSecretsAndURLPaths() {
        let targets: [NotificationTarget] = [
            .webhook(WebhookTarget(url: "https://hooks.example.com/token-abc", secret: "s3cret")),
            .slack(SlackTarget(url: "https://hooks.slack.com/services/T0/B0/token-abc")),
            .email(EmailTarget(host: "smtp.example.com", username: "u", password: "s3cret", from: "a@b", to: ["c@d"])),
        ]
        for target in targets {
            #expect(!target.description.contains("token-abc") && !target.description.contains("s3cret"), "\(target)")
        }
        #expect(targets[1].description == "slack(hooks.slack.com:443)")
    }

    @Test func smtpRepliesAreParsedAcrossReadsAndHostileInputIsRefused() throws {
        var parser = SMTPReplyParser()
        parser.append(Array("250-strata.example Hello\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r".utf8))
        #expect(try parser.next() == nil)
        parser.append(Array("\n250 8BITMIME\r\n220 ready\r\n".utf8))
        let ehlo = try #require(try parser.next())
        #expect(ehlo.code == 250 && ehlo.lines.count == 4)
        #expect(ehlo.extensions["AUTH"] == ["PLAIN", "LOGIN"] && ehlo.extensions["STARTTLS"] == [])
        #expect(try parser.next() == SMTPReply(code: 220, lines: ["ready"]))
        #expect(!parser.hasBufferedBytes)

        for hostile in ["HTTP/1.1 400 Bad Request\r\n", "250-a\r\n550 b\r\n", String(repeating: "9", count: 5000)] {
            var parser = SMTPReplyParser()
            parser.append(Array(hostile.utf8))
            #expect(throws: SMTPReplyParser.Invalid.self, "\(hostile.prefix(20))") { _ = try parser.next() }
        }
    }

    @Test func emailMessageUsesCRLFDotStuffingAndEncodesWhatIsNotASCII() {
        var notification = sampleNotification(id: "d-1", definitionName: "Disk ü full")
        notification.annotations = ["note": ".starts with a dot"]
        let message = EmailMessage(notification, from: "strata@example.com", to: ["ops@example.com"])
        let text = String(decoding: message.data, as: UTF8.self)
        #expect(text.contains("Subject: =?UTF-8?B?"))
        #expect(text.contains("Message-ID: <d-1@example.com>\r\n"))
        #expect(text.contains("Content-Transfer-Encoding: base64\r\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends in CRLF")

        notification.definitionName = "Disk full"
        let ascii = String(decoding: EmailMessage(notification, from: "s@example.com", to: ["o@example.com"]).data, as: UTF8.self)
        #expect(ascii.contains("\r\n  note = .starts with a dot\r\n"))
        notification.annotations = [:]
        notification.labels = [:]
        notification.alertID = "\n.hidden"
        let stuffed = String(decoding: EmailMessage(notification, from: "s@example.com", to: ["o@example.com"]).data, as: UTF8.self)
        #expect(stuffed.contains("\r\n..hidden, delivery d-1\r\n"))
    }

    @Test func alertmanagerAlertHasValidLabelNamesAndEndsOnlyWhenResolved() throws {
        var notification = sampleNotification()
        notification.labels = ["9lives": "x", "alertname": "overridden", "empty": "", "ok_name": "y"]
        let firing = AlertmanagerAlert(notification, externalURL: nil)
        #expect(firing.labels["_9lives"] == "x" && firing.labels["ok_name"] == "y" && firing.labels["empty"] == nil)
        #expect(firing.labels["alertname"] == "High CPU")
        #expect(firing.endsAt == nil && firing.generatorURL == nil)
        let resolved = AlertmanagerAlert(sampleNotification(status: "resolved"), externalURL: "https://strata.example/")
        #expect(resolved.endsAt == "2025-12-02T10:10:00.000Z")
        #expect(resolved.generatorURL == "https://strata.example/alerts/alert-1")
    }

    @Test func timesAndNumbersAreWrittenForPeopleAndParsers() {
        #expect(NotificationText.rfc3339(ms: 1_764_669_600_123) == "2025-12-02T10:00:00.123Z")
        #expect(NotificationText.rfc5322(ms: 1_764_669_600_123) == "Tue, 02 Dec 2025 10:00:00 +0000")
        #expect(NotificationText.rfc5322(ms: 0) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(NotificationText.rfc5322(ms: -1) == "Wed, 31 Dec 1969 23:59:59 +0000")
        #expect(NotificationText.rfc3339(ms: -1) == "1969-12-31T23:59:59.999Z")
        #expect(NotificationText.rfc3339(ms: 7) == "1970-01-01T00:00:00.007Z")
        #expect(NotificationText.number(42) == "42" && NotificationText.number(97.5) == "97.5")
        #expect(NotificationText.number(.infinity) == "+Inf" && NotificationText.number(.nan) == "NaN")
    }
}
