package slamodel

import (
	"time"

	"github.com/redress-dev/redress"
)

// Action kinds: what a person does to a complaint.
const (
	Acknowledge = "acknowledge"
	Update      = "update" // a progress note
	Wait        = "wait"   // a progress note that waits on the customer
	Reply       = "reply"  // the customer answers
	Escalate    = "escalate"
	Resolve     = "resolve"
	Confirm     = "confirm"
	Reopen      = "reopen"
	Answer      = "answer" // the survey
)

// Action is one thing a person does at a moment.
type Action struct {
	At    time.Time
	Kind  string
	Score int // for Answer
}

// Line is a timeline line the model expects: when, what, and who made the
// step that wrote it.
type Line struct {
	At   time.Time
	Kind string
	By   string // "system" for a deadline's step, else the action's: "staff" or "customer"
}

// Who made a step.
const (
	BySystem   = "system"
	ByStaff    = "staff"
	ByCustomer = "customer"
)

// Complaint is what the model says happens to one complaint.
type Complaint struct {
	Lines    []Line
	Accepted []bool     // per action, whether the complaint took it
	EndedAt  *time.Time // the survey was answered or expired: the workflow ends

	Status       redress.Status
	Level        int
	Breached     bool
	AckDueAt     *time.Time
	ResolveDueAt *time.Time
}

// Run plays a complaint filed at created under policy p through the actions
// (in time order) up to the horizon.
//
// The rules: a deadline that falls due at or before an action fires first.
// Deadlines that fall on one instant fire in the order acknowledgement
// warning, acknowledgement breach, resolution breach, the reminder of a
// customer who owes an answer, the end of their waiting (resolved as
// no_response), end of the reopen window, survey reminder, survey expiry.
// Waiting runs on wall time from the latest request to the customer and
// stops when the complaint no longer waits. A win-back starts right after the
// step that triggers it, once per complaint.
func Run(p redress.Policy, priority redress.Priority, tier redress.Tier, created time.Time, actions []Action, horizon time.Time) Complaint {
	loc, _ := redress.LoadZone(p.Timezone)
	bh := p.BusinessHours
	if priority == redress.P1 {
		bh.Enabled = false
	}
	m := &model{p: p, sla: p.SLA[priority], premium: tier == redress.TierGold || tier == redress.TierDiamond,
		cal: NewCalendar(loc, bh), status: redress.StatusReceived}
	m.openAck(created)
	m.resolveDue = ptr(m.cal.Add(created, m.sla.ResolveWithin.D()))
	next := 0
	for m.endedAt == nil {
		kind, at, ok := m.firstDue()
		if next < len(actions) && (!ok || actions[next].At.Before(at)) {
			if !actions[next].At.Before(horizon) {
				break
			}
			m.accepted = append(m.accepted, m.act(actions[next]))
			next++
			continue
		}
		if !ok || !at.Before(horizon) {
			break
		}
		m.fire(kind, at)
	}
	return Complaint{Lines: m.lines, Accepted: m.accepted, EndedAt: m.endedAt, Status: m.status, Level: m.level,
		Breached: m.breached, AckDueAt: m.ackDue, ResolveDueAt: m.resolveDue}
}

type model struct {
	p       redress.Policy
	sla     redress.SLA
	premium bool
	cal     *Calendar

	status      redress.Status
	level       int
	breached    bool
	ackWarn     *time.Time
	ackDue      *time.Time
	resolveDue  *time.Time
	paused      bool
	resolveLeft time.Duration
	waitRemind  *time.Time
	waitClose   *time.Time
	reopenDue   *time.Time
	reopens     int
	survey      string
	remindAt    *time.Time
	expireAt    *time.Time
	winback     bool   // a win-back was triggered: at most one per complaint
	winbackDue  bool   // and is yet to start
	acting      string // who makes the action under way: ByStaff, ByCustomer; empty in a deadline step

	lines    []Line
	accepted []bool
	endedAt  *time.Time
}

func ptr(t time.Time) *time.Time { return &t }

func (m *model) line(at time.Time, kind string) {
	by := m.acting
	if by == "" {
		by = BySystem
	}
	m.lines = append(m.lines, Line{at, kind, by})
}

// firstDue picks the earliest running deadline; the order of the list
// breaks ties.
func (m *model) firstDue() (int, time.Time, bool) {
	clocks := []*time.Time{m.ackWarn, m.ackDue, m.resolveDue, m.waitRemind, m.waitClose, m.reopenDue, m.remindAt, m.expireAt}
	best, found := -1, false
	var at time.Time
	for i, c := range clocks {
		if c != nil && (!found || c.Before(at)) {
			best, at, found = i, *c, true
		}
	}
	return best, at, found
}

func (m *model) openAck(now time.Time) {
	m.ackDue = ptr(m.cal.Add(now, m.sla.AckWithin.D()))
	m.ackWarn = ptr(m.cal.Add(now, time.Duration(float64(m.sla.AckWithin.D())*m.p.AckWarningAt)))
}

func (m *model) fire(kind int, at time.Time) {
	switch kind {
	case 0:
		m.ackWarn = nil
		m.line(at, "ack_warning")
	case 1:
		m.ackDue, m.ackWarn = nil, nil
		if m.breach(at) {
			m.openAck(at)
		}
	case 2:
		m.resolveDue = nil
		if m.breach(at) {
			m.resolveDue = ptr(m.cal.Add(at, m.sla.ResolveWithin.D()))
		}
	case 3:
		m.waitRemind = nil
		m.line(at, "waiting_reminded")
	case 4:
		m.stopWaiting()
		m.resolve(at)
	case 5:
		m.close(at)
	case 6:
		m.remindAt = nil
		m.survey = redress.SurveyReminded
		m.line(at, "survey_reminded")
	case 7:
		m.remindAt, m.expireAt = nil, nil
		m.survey = redress.SurveyExpired
		m.line(at, "survey_expired")
		m.endedAt = ptr(at)
	}
	m.startWinback(at)
}

// breach escalates one level and reports whether a new window follows.
func (m *model) breach(at time.Time) bool {
	m.breached = true
	m.line(at, "sla_breached")
	if m.premium {
		m.triggerWinback()
	}
	if m.level >= redress.MaxEscalationLevel {
		m.line(at, "escalation_exhausted")
		return false
	}
	m.escalate(at)
	return true
}

// escalate moves one level up: a public line says so, an internal one says
// why and whom it notified.
func (m *model) escalate(at time.Time) {
	m.level++
	m.line(at, "escalated")
	m.line(at, "escalation_reason")
}

func (m *model) triggerWinback() {
	if !m.winback {
		m.winback, m.winbackDue = true, true
	}
}

func (m *model) startWinback(at time.Time) {
	if m.winbackDue {
		m.winbackDue = false
		m.line(at, "winback_started")
	}
}

func (m *model) open() bool { return m.status.Open() }

func (m *model) markAcknowledged(at time.Time) {
	m.ackDue, m.ackWarn = nil, nil
	m.line(at, "acknowledged")
}

func (m *model) pause(at time.Time) {
	if m.paused {
		return
	}
	m.paused = true
	if m.resolveDue != nil {
		m.resolveLeft = m.cal.Between(at, *m.resolveDue)
		m.resolveDue = nil
	}
}

func (m *model) resume(at time.Time) {
	if !m.paused {
		return
	}
	m.paused = false
	if m.resolveLeft > 0 {
		m.resolveDue = ptr(m.cal.Add(at, m.resolveLeft))
		m.resolveLeft = 0
	}
}

func (m *model) stopWaiting() { m.waitRemind, m.waitClose = nil, nil }

// resolve settles the complaint, by a person or for want of an answer.
func (m *model) resolve(at time.Time) {
	m.ackDue, m.ackWarn, m.resolveDue, m.paused, m.resolveLeft = nil, nil, nil, false, 0
	m.status = redress.StatusResolved
	m.reopenDue = ptr(at.Add(m.p.ReopenWithin.D()))
	m.line(at, "resolved")
	m.line(at, "root_cause")
}

func (m *model) close(at time.Time) {
	m.reopenDue = nil
	m.status = redress.StatusClosed
	m.line(at, "closed")
	m.survey = redress.SurveySent
	m.remindAt = ptr(at.Add(m.p.Survey.RemindAfter.D()))
	m.expireAt = ptr(at.Add(m.p.Survey.ExpireAfter.D()))
	m.line(at, "survey_sent")
}

// act applies an action after every deadline due by its moment has fired,
// and reports whether the complaint's status allowed it.
func (m *model) act(a Action) bool {
	for {
		kind, at, ok := m.firstDue()
		if !ok || at.After(a.At) {
			break
		}
		m.fire(kind, at)
	}
	if m.endedAt != nil {
		return false
	}
	now := a.At
	m.acting = ByStaff
	if a.Kind == Reply || a.Kind == Confirm || a.Kind == Reopen || a.Kind == Answer {
		m.acting = ByCustomer
	}
	defer func() { m.acting = "" }()
	switch a.Kind {
	case Acknowledge:
		if m.status != redress.StatusReceived && m.status != redress.StatusReopened {
			return false
		}
		next := redress.StatusAcknowledged
		if m.status == redress.StatusReopened {
			next = redress.StatusInProgress
		}
		m.markAcknowledged(now)
		m.status = next
	case Update, Wait:
		if !m.open() {
			return false
		}
		if m.status == redress.StatusReceived || m.status == redress.StatusReopened {
			m.markAcknowledged(now)
		}
		if a.Kind == Wait {
			m.pause(now)
			m.status = redress.StatusWaitingOnCustomer
			if w := m.p.Waiting; w.RemindAfter > 0 {
				m.waitRemind, m.waitClose = ptr(now.Add(w.RemindAfter.D())), ptr(now.Add(w.CloseAfter.D()))
			}
		} else {
			m.resume(now)
			m.status = redress.StatusInProgress
			m.stopWaiting()
		}
		m.line(now, "update")
	case Reply:
		if !m.open() {
			return false
		}
		if m.status == redress.StatusWaitingOnCustomer {
			m.resume(now)
			m.status = redress.StatusInProgress
		}
		m.stopWaiting()
		m.line(now, "customer_reply")
	case Escalate:
		if !m.open() || m.level >= redress.MaxEscalationLevel {
			return false
		}
		m.escalate(now)
	case Resolve:
		if !m.open() {
			return false
		}
		if m.status == redress.StatusReceived || m.status == redress.StatusReopened {
			m.markAcknowledged(now)
		}
		m.stopWaiting()
		m.resolve(now)
	case Confirm:
		if m.status != redress.StatusResolved {
			return false
		}
		m.close(now)
	case Reopen:
		if m.status != redress.StatusResolved {
			return false
		}
		m.reopens++
		m.reopenDue = nil
		m.status = redress.StatusReopened
		m.openAck(now)
		m.resolveDue = ptr(m.cal.Add(now, m.sla.ResolveWithin.D()))
		m.line(now, "reopened")
		if m.reopens >= 2 {
			if m.level < redress.MaxEscalationLevel {
				m.escalate(now)
			}
			m.triggerWinback()
		}
	case Answer:
		if m.survey != redress.SurveySent && m.survey != redress.SurveyReminded {
			return false
		}
		m.remindAt, m.expireAt = nil, nil
		m.survey = redress.SurveyAnswered
		m.line(now, "survey_answered")
		if a.Score <= 2 {
			m.triggerWinback()
		}
		m.endedAt = ptr(now)
	}
	m.startWinback(now)
	return true
}
