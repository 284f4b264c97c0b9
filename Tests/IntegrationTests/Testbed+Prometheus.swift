import Foundation

extension Testbed {
    /// A Prometheus 2.42 listening on `port` that scrapes `targets` as job `job` every second and remote-writes what it
    /// scrapes to this bed's server as admin (metadata every 2 s).
    func startPrometheus(port: Int, job: String, targets: [String]) throws -> StrataProcess {
        let directory = self.directory + "/prometheus"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try WebStack.write(Testbed.password, to: directory + "/password")
        try WebStack.write("""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: \(job)
                static_configs: [{targets: [\(targets.map { "'\($0)'" }.joined(separator: ", "))]}]
            remote_write:
              - url: \(url)/api/v1/write
                basic_auth: {username: admin, password_file: \(directory)/password}
                queue_config: {batch_send_deadline: 1s}
                metadata_config: {send_interval: 2s}
            """, to: directory + "/prometheus.yml")
        return try StrataProcess(executable: "/usr/bin/prometheus",
                                 ["--config.file=\(directory)/prometheus.yml", "--storage.tsdb.path=\(directory)/data",
                                  "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn"], logPath: self.directory + "/prometheus.log")
    }
}
