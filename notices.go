package feed

import (
	"strconv"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"feed/internal/noticefetch"
)

// noticeState is what the service knows of the notices it fetches by
// itself, for /healthz and /metrics.
type noticeState struct {
	status      atomic.Pointer[noticefetch.Status]
	polls       *prometheus.CounterVec
	lastSuccess prometheus.Gauge
	held        prometheus.Gauge
	applied     prometheus.Gauge
}

func newNoticeState(reg *prometheus.Registry) *noticeState {
	n := &noticeState{
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "feed_notice_polls_total",
			Help: "Searches for the State Council's holiday notices, by outcome: applied (a new notice proven and served), held (a notice found and not served), unchanged, or failed (the search or a page could not be read).",
		}, []string{"outcome"}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "feed_notice_last_success_timestamp_seconds",
			Help: "When the search for the holiday notices last answered (0 before it has).",
		}),
		held: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "feed_notices_held",
			Help: "Notices found and not served, because they could not be read or proven; /healthz names each with its reason. Alert when above 0.",
		}),
		applied: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "feed_notices_applied",
			Help: "Fetched notices served, one per year.",
		}),
	}
	for _, o := range []string{noticefetch.OutcomeApplied, noticefetch.OutcomeHeld, noticefetch.OutcomeUnchanged, noticefetch.OutcomeFailed} {
		n.polls.WithLabelValues(o)
	}
	reg.MustRegister(n.polls, n.lastSuccess, n.held, n.applied)
	return n
}

// ReportNotices records the notice poller's status for /healthz and
// /metrics; outcome is the poll's that just ended, or empty when the status
// changed otherwise.
func (s *Server) ReportNotices(st noticefetch.Status, outcome string) {
	s.notices.status.Store(&st)
	if outcome != "" {
		s.notices.polls.WithLabelValues(outcome).Inc()
	}
	if !st.LastSuccess.IsZero() {
		s.notices.lastSuccess.Set(float64(st.LastSuccess.Unix()))
	}
	s.notices.held.Set(float64(len(st.Held)))
	s.notices.applied.Set(float64(len(st.Applied)))
}

// noticeHealth is the notices' part of /healthz, nil when the service does
// not fetch them. Held notices and disagreements are warnings: the feed
// being served is right, and the status stays ok.
func (s *Server) noticeHealth() (*noticefetch.Status, []string) {
	st := s.notices.status.Load()
	if st == nil {
		return nil, nil
	}
	var warnings []string
	for _, h := range st.Held {
		warnings = append(warnings, "the notice for "+strconv.Itoa(h.Year)+" at "+h.URL+" is held, not served: "+h.Reason)
	}
	return st, append(warnings, st.Warnings...)
}

// noticeStatus is the notices' part of /healthz.
type noticeStatus = noticefetch.Status
