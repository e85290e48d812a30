package mailin

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/redress-dev/redress/inbound"
	"github.com/redress-dev/redress/postgres"
)

// What became of a mail that was taken (250) or refused.
const (
	resultRetried    = "retried" // seen before: a sending server's retry, applied once
	refusedTooLarge  = "too_large"
	refusedMalformed = "malformed"
	refusedSender    = "bad_sender"
	refusedRate      = "rate_limited"
	refusedTryLater  = "try_later" // 451: the mail stays with its sender, who retries
)

// mailMetrics count the listener's mail: taken by what it became, dropped
// (taken, opening nothing) by why, and refused by why.
type mailMetrics struct {
	takenMail   *prometheus.CounterVec
	droppedMail *prometheus.CounterVec
	refusedMail *prometheus.CounterVec
}

func newMailMetrics(reg prometheus.Registerer) *mailMetrics {
	m := &mailMetrics{
		takenMail: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "redress_inbound_mail_taken_total",
			Help: "Inbound mails answered 250 that joined a complaint, by what they became: complaint, reply, reopen, or retried (seen before)."}, []string{"result"}),
		droppedMail: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "redress_inbound_mail_dropped_total",
			Help: "Inbound mails answered 250 that opened nothing, by why: loops, bounces, auto-replies, bulk and list mail."}, []string{"reason"}),
		refusedMail: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "redress_inbound_mail_refused_total",
			Help: "Inbound mails refused, by why; try_later and rate_limited are retried by the sender."}, []string{"reason"}),
	}
	for _, r := range []string{postgres.MailComplaint, postgres.MailReply, postgres.MailReopen, resultRetried} {
		m.takenMail.WithLabelValues(r)
	}
	for _, r := range inbound.NoiseReasons {
		m.droppedMail.WithLabelValues(r)
	}
	for _, r := range []string{refusedTooLarge, refusedMalformed, refusedSender, refusedRate, refusedTryLater} {
		m.refusedMail.WithLabelValues(r)
	}
	if reg != nil {
		reg.MustRegister(m.takenMail, m.droppedMail, m.refusedMail)
	}
	return m
}

func (m *mailMetrics) taken(result string)   { m.takenMail.WithLabelValues(result).Inc() }
func (m *mailMetrics) dropped(reason string) { m.droppedMail.WithLabelValues(reason).Inc() }
func (m *mailMetrics) refused(reason string) { m.refusedMail.WithLabelValues(reason).Inc() }
