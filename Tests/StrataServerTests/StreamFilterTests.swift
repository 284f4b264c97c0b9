import StrataAPI
import StrataCore
import StrataTSDB
import Testing
@testable import StrataServer

struct StreamFilterTests {
    static let up = StableID(rawValue: 1)
    static let otherJob = StableID(rawValue: 2)
    static let load = StableID(rawValue: 3)
    static let foreign = StableID(rawValue: 4)

    /// The labels the store knows, by series.
    static let stored: [StableID: Labels] = [
        load: ["__name__": "load", "host": "h1", "__tenant__": "default"],
        foreign: ["__name__": "up", "job": "a", "__tenant__": "acme"],
    ]

    @Test func theFilterSendsMatchingSeriesWithVisibleLabelsAndEndsASeriesAtItsStalenessMarker() async throws {
        var filter = StreamFilter(tenant: "default", selectors: [try SeriesSelector.parse(#"up{job="a"}"#), try SeriesSelector.parse("load")])
        var batch = SampleBatch()
        batch.labels[Self.up] = ["__name__": "up", "job": "a", "__tenant__": "default"]
        batch.labels[Self.otherJob] = ["__name__": "up", "job": "b", "__tenant__": "default"]
        batch.append(Self.up, 1_000, 1)
        batch.append(Self.otherJob, 1_000, 2)
        batch.append(Self.load, 1_000, .infinity)
        batch.append(Self.foreign, 1_000, 4)
        batch.append(Self.up, 2_000, Double(bitPattern: Sample.staleNaNBits))
        batch.append(Self.up, 3_000, .nan)
        var lookups: [StableID] = []
        let series = await filter.series(in: batch) { id in
            lookups.append(id)
            return Self.stored[id]
        }
        #expect(series == [
            API.StreamSeries(id: Self.up, labels: API.LabelObject(["__name__": "up", "job": "a"]), samples: [API.Point(1_000, 1)], endedMs: 2_000),
            API.StreamSeries(id: Self.load, labels: API.LabelObject(["__name__": "load", "host": "h1"]), samples: [API.Point(1_000, .infinity)]),
            API.StreamSeries(id: Self.up, labels: API.LabelObject(["__name__": "up", "job": "a"]), samples: [API.Point(3_000, .nan)]),
        ], "job b does not match, another tenant's series never does; the marker ends the series, a real NaN is a value")
        #expect(lookups == [Self.load, Self.foreign], "only series the batch carries no labels for are looked up")

        var next = SampleBatch()
        for id in [Self.up, Self.otherJob, Self.load, Self.foreign] { next.append(id, 4_000, 5) }
        lookups = []
        let again = await filter.series(in: next) { id in
            lookups.append(id)
            return Self.stored[id]
        }
        #expect(again.map(\.id) == [Self.up, Self.load], "series without labels in the batch are recognised")
        #expect(lookups.isEmpty, "each series is decided once")
    }

    @Test func theEventTextIsValidJSONWithNonFiniteValuesAsStrings() throws {
        let text = StreamEventText.samples(id: "7-1", [
            API.StreamSeries(id: Self.up, labels: API.LabelObject(["__name__": "up"]), samples: [API.Point(1, .nan), API.Point(2, -.infinity), API.Point(3, 0.25)]),
        ])
        #expect(text == #"id: 7-1\#nevent: samples\#ndata: {"series":[{"id":"0000000000000001","labels":{"__name__":"up"},"samples":[[1,"NaN"],[2,"-Inf"],[3,0.25]],"endedMs":null}]}\#n\#n"#)
    }

    /// The hand-written event text is the shared `Codable` shape exactly, as `JSONTreeEncoder` renders it.
    @Test func theSamplesEventTextIsWhatTheCodableShapeRendersTo() throws {
        let values: [Double] = [0, -0.0, 1, -3, 0.1, 1e-7, 123456.789, 1e15, 1e300, -2.5e-300, .nan, .infinity, -.infinity,
                                Double(Int64.max), 9_007_199_254_740_993, .leastNonzeroMagnitude]
        let series = [
            API.StreamSeries(id: Self.up, labels: API.LabelObject(["__name__": "up", "job": "a \"quoted\"\n\\ line", "ü": "€"]),
                             samples: values.enumerated().map { API.Point(Int64($0.offset) - 3, $0.element) }, endedMs: 99),
            API.StreamSeries(id: Self.load, labels: API.LabelObject(Labels()), samples: []),
            API.StreamSeries(id: StableID(rawValue: .max), labels: API.LabelObject(["a": ""]), samples: [API.Point(.min, 1)], endedMs: .max),
        ]
        for sent in [series, [series[1]], []] {
            let expected = "id: 1-2\n" + (try StreamSession.event("samples", API.StreamSamples(series: sent)))
            #expect(StreamEventText.samples(id: "1-2", sent) == expected)
        }
    }
}
