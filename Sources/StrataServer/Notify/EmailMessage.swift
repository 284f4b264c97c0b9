import Foundation

/// The plain-text email for one notification, ready for SMTP's DATA: headers and body with CRLF line
/// ends, lines starting with `.` doubled (dot-stuffing, RFC 5321 §4.5.2), without the final `.` line.
///
/// Every attempt writes the same message: `Date` is the transition time and `Message-ID` is derived from
/// the delivery id, so a mail system that has the message already can tell a retry from a new alert.
struct EmailMessage: Sendable, Equatable {
    var subject: String
    var from: String
    var to: [String]
    var dateMs: Int64
    var messageID: String
    var body: String

    init(_ notification: AlertNotification, from: String, to: [String]) {
        self.subject = String(NotificationText.oneLine(notification.summaryLine).prefix(200))
        self.from = from
        self.to = to
        self.dateMs = notification.transitionAtMs
        let domain = from.split(separator: "@").last.map(String.init) ?? "strata"
        self.messageID = "<\(Self.atext(notification.id))@\(Self.atext(domain))>"
        self.body = Self.body(notification)
    }

    /// The message as DATA sends it (without the terminating `.` line).
    var data: [UInt8] {
        let asciiBody = body.unicodeScalars.allSatisfy(\.isASCII)
            && body.split(separator: "\n", omittingEmptySubsequences: false).allSatisfy { $0.utf8.count <= 998 }
        var headers = [
            "Date: \(NotificationText.rfc5322(ms: dateMs))",
            "From: \(from)",
            "To: \(to.joined(separator: ", "))",
            "Subject: \(Self.encodedHeaderText(subject))",
            "Message-ID: \(messageID)",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Auto-Submitted: auto-generated",
        ]
        let text: String
        if asciiBody {
            headers.append("Content-Transfer-Encoding: 7bit")
            text = body
        } else {
            headers.append("Content-Transfer-Encoding: base64")
            text = Data(body.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn])
        }
        var lines = headers + [""]
        lines += text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// `text` as a header value: as it is when ASCII, else RFC 2047 encoded words of at most 75 characters.
    static func encodedHeaderText(_ text: String) -> String {
        guard !text.unicodeScalars.allSatisfy(\.isASCII) else { return text }
        var words: [String] = []
        var chunk = ""
        for character in text {
            if chunk.utf8.count + character.utf8.count > 45 {   // 45 bytes → 60 base64 characters + 12 of framing
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    /// `text` reduced to characters allowed in a Message-ID part (RFC 5322 atext and `.`); others become `-`.
    private static func atext(_ text: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~.")
        let mapped = String(text.map { allowed.contains($0) ? $0 : "-" })
        return mapped.isEmpty ? "strata" : mapped
    }

    private static func body(_ notification: AlertNotification) -> String {
        var lines = [
            "Strata alert \(notification.status.uppercased()): \(notification.definitionName)",
            "",
            "Status:      \(notification.status)",
            "Severity:    \(notification.severity)",
            "Definition:  \(notification.definitionName) (\(notification.definitionID))",
        ]
        if let resource = notification.resourceName ?? notification.resourceID {
            let details = [notification.resourceKind, notification.resourceID].compactMap { $0 }.joined(separator: ", ")
            lines.append("Resource:    \(resource)" + (details.isEmpty ? "" : " (\(details))"))
        }
        if let value = notification.value { lines.append("Value:       \(NotificationText.number(value))") }
        lines.append("Tenant:      \(notification.tenantID)")
        lines.append("Started:     \(NotificationText.rfc3339(ms: notification.startsAtMs))")
        if let endsAtMs = notification.endsAtMs { lines.append("Ended:       \(NotificationText.rfc3339(ms: endsAtMs))") }
        lines.append("Transition:  \(NotificationText.rfc3339(ms: notification.transitionAtMs))")
        if let step = notification.escalationStep { lines.append("Escalation:  step \(step), repeat \(notification.escalationRepeat ?? 1)") }
        for (title, pairs) in [("Labels", notification.labels), ("Annotations", notification.annotations)] where !pairs.isEmpty {
            lines += ["", "\(title):"] + pairs.keys.sorted().map { "  \($0) = \(pairs[$0] ?? "")" }
        }
        lines += ["", "Alert \(notification.alertID), delivery \(notification.id)"]
        return lines.joined(separator: "\n")
    }
}
