package feed

import (
	"strconv"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"feed/events"
	"feed/internal/noticefetch"
)

// noticeState is what the service knows of the notices it fetches by
// itself, for /healthz and /metrics.
type noticeState struct {
	status atomic.Pointer[func(served *events.Catalog) noticefetch.Status]
	polls  *prometheus.CounterVec
}

// noticeInfo is the notices' part of /healthz.
type noticeInfo = noticefetch.Status

func newNoticeState(s *Server) *noticeState {
	n := &noticeState{
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "feed_notice_polls_total",
			Help: "Searches for the State Council's holiday notices, by outcome: applied (a new notice proven and served), held (a notice found and not served), unchanged, or failed (the search or a page could not be read).",
		}, []string{"outcome"}),
	}
	for _, o := range []string{noticefetch.OutcomeApplied, noticefetch.OutcomeHeld, noticefetch.OutcomeUnchanged, noticefetch.OutcomeFailed} {
		n.polls.WithLabelValues(o)
	}
	gauge := func(name, help string, value func(st *noticeInfo) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			st, _ := s.noticeHealth()
			if st == nil {
				return 0
			}
			return value(st)
		})
	}
	s.metrics.registry.MustRegister(n.polls,
		gauge("feed_notice_last_success_timestamp_seconds", "When the search for the holiday notices last answered (0 before it has).",
			func(st *noticeInfo) float64 {
				if st.LastSuccess.IsZero() {
					return 0
				}
				return float64(st.LastSuccess.Unix())
			}),
		gauge("feed_notices_held", "Notices found and not served, because they could not be read or proven, or do not fit the catalog; /healthz names each with its reason. Alert when above 0.",
			func(st *noticeInfo) float64 { return float64(len(st.Held)) }),
		gauge("feed_notices_applied", "Fetched notices served, one per year.",
			func(st *noticeInfo) float64 { return float64(len(st.Applied)) }),
	)
	return n
}

// WatchNotices makes /healthz and /metrics report the notices the service
// fetches: status gives their state for the catalog being served.
func (s *Server) WatchNotices(status func(served *events.Catalog) noticefetch.Status) {
	s.notices.status.Store(&status)
}

// NoticePolled counts a poll of the search by its outcome.
func (s *Server) NoticePolled(outcome string) {
	s.notices.polls.WithLabelValues(outcome).Inc()
}

// noticeHealth is the notices' part of /healthz, nil when the service does
// not fetch them, and its warnings. Held notices and disagreements are
// warnings: the feed being served is right, and the status stays ok.
func (s *Server) noticeHealth() (*noticeInfo, []string) {
	status := s.notices.status.Load()
	if status == nil {
		return nil, nil
	}
	st := (*status)(s.Snapshot().Catalog)
	return &st, noticeWarnings(st)
}

// publicNotices is the status without what names the service's
// surroundings (the source's address in an error), for clients that
// HealthDetails does not allow to see details.
func publicNotices(st *noticeInfo) *noticeInfo {
	if st == nil {
		return nil
	}
	public := *st
	public.LastError = ""
	return &public
}

// noticeWarnings are the held notices and the disagreements.
func noticeWarnings(st noticeInfo) []string {
	var warnings []string
	for _, h := range st.Held {
		warnings = append(warnings, "the notice for "+strconv.Itoa(h.Year)+" at "+h.URL+" is held, not served: "+h.Reason)
	}
	return append(warnings, st.Warnings...)
}
