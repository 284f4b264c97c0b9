import Foundation

/// The body of a Slack-compatible incoming webhook: `{"text": "…"}` with one readable line.
struct SlackMessage: Encodable {
    let text: String

    /// The line for `notification`, with `&`, `<` and `>` escaped as Slack's mrkdwn requires.
    init(_ notification: AlertNotification) {
        text = NotificationText.oneLine(notification.summaryLine)
            .replacingOccurrences(of: "&", with: "&amp;")
            .replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
