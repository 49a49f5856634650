package serve

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/refereevm/referee/diff"
)

// metrics are the service's Prometheus metrics, on a registry of its own
// (docs/api.md lists them).
type metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec   // by handler and status code
	verdicts   *prometheus.CounterVec   // by class: agree, a divergence class, bad-input, deadline
	runTime    *prometheus.HistogramVec // per engine, one transaction
	compile    *prometheus.HistogramVec // per engine, one module
	checkTime  prometheus.Histogram     // one block, admission to verdict recorded
	storeTime  prometheus.Histogram     // one commit
	restarts   *prometheus.CounterVec   // isolated children replaced, by engine and reason
	rejections *prometheus.CounterVec   // requests turned away before a check, by reason
}

// timeBuckets span 10 µs to 10 s.
var timeBuckets = prometheus.ExponentialBuckets(1e-5, 2.5, 16)

func newMetrics(s *Server) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "referee_http_requests_total",
		Help: "HTTP requests answered, by handler and status code."}, []string{"handler", "code"})
	m.verdicts = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "referee_verdicts_total",
		Help: "Checks answered, by class: agree, the divergence class of a refusal, bad-input, deadline."}, []string{"class"})
	m.runTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "referee_engine_run_seconds",
		Help: "Wall-clock time of one engine running one transaction.", Buckets: timeBuckets}, []string{"engine"})
	m.compile = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "referee_engine_compile_seconds",
		Help: "Wall-clock time of one engine compiling one module (module cache misses).", Buckets: timeBuckets}, []string{"engine"})
	m.checkTime = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "referee_check_seconds",
		Help: "Wall-clock time of one check, from admission to the verdict recorded.", Buckets: timeBuckets})
	m.storeTime = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "referee_store_commit_seconds",
		Help: "Wall-clock time of one store commit (one fsync'd transaction of one or more records).", Buckets: timeBuckets})
	m.restarts = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "referee_isolated_restarts_total",
		Help: "Isolated engine children killed and replaced, by engine and reason (crash, timeout, cancel)."}, []string{"engine", "reason"})
	m.rejections = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "referee_admission_rejected_total",
		Help: "Check requests turned away before a check, by reason (queue-full, draining, deadline)."}, []string{"reason"})
	m.reg.MustRegister(m.requests, m.verdicts, m.runTime, m.compile, m.checkTime, m.storeTime, m.restarts, m.rejections,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "referee_queue_depth",
			Help: "Check requests admitted and waiting for a worker."}, func() float64 { return float64(s.adm.queued()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "referee_checks_in_flight",
			Help: "Checks running on a worker."}, func() float64 { return float64(s.adm.running()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "referee_workers",
			Help: "Checks that may run at once."}, func() float64 { return float64(s.adm.workers()) }),
		&cacheCollector{s: s},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// observeReport records each engine's run time of each transaction.
func (m *metrics) observeReport(rep *diff.Report) {
	for _, row := range rep.Txs {
		for _, o := range row {
			m.runTime.WithLabelValues(o.Engine).Observe(o.Time.Seconds())
		}
	}
}

func (m *metrics) observeCompile(engine string, d time.Duration, _ error) {
	m.compile.WithLabelValues(engine).Observe(d.Seconds())
}

// cacheCollector reports the module cache's counters at scrape time.
type cacheCollector struct{ s *Server }

var (
	cacheHitsDesc = prometheus.NewDesc("referee_module_cache_hits_total",
		"Module cache hits, by engine (gate: prepared modules).", []string{"engine"}, nil)
	cacheMissesDesc = prometheus.NewDesc("referee_module_cache_misses_total",
		"Module cache misses (a gating or a compilation), by engine (gate: prepared modules).", []string{"engine"}, nil)
	cacheEvictionsDesc = prometheus.NewDesc("referee_module_cache_evictions_total",
		"Module cache entries evicted (least recently used first), by engine.", []string{"engine"}, nil)
	cacheEntriesDesc = prometheus.NewDesc("referee_module_cache_entries", "Entries in the module cache.", nil, nil)
	cacheBytesDesc   = prometheus.NewDesc("referee_module_cache_bytes",
		"Weighted bytes in the module cache, as its byte bound counts them.", nil, nil)
)

func (c *cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{cacheHitsDesc, cacheMissesDesc, cacheEvictionsDesc, cacheEntriesDesc, cacheBytesDesc} {
		ch <- d
	}
}

func (c *cacheCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.s.checker.Cache().Stats()
	ch <- prometheus.MustNewConstMetric(cacheEntriesDesc, prometheus.GaugeValue, float64(st.Entries))
	ch <- prometheus.MustNewConstMetric(cacheBytesDesc, prometheus.GaugeValue, float64(st.Bytes))
	for _, e := range st.ByEngine {
		ch <- prometheus.MustNewConstMetric(cacheHitsDesc, prometheus.CounterValue, float64(e.Hits), e.Engine)
		ch <- prometheus.MustNewConstMetric(cacheMissesDesc, prometheus.CounterValue, float64(e.Misses), e.Engine)
		ch <- prometheus.MustNewConstMetric(cacheEvictionsDesc, prometheus.CounterValue, float64(e.Evictions), e.Engine)
	}
}
