package redress

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Duration is a time.Duration written in Go's syntax ("90s", "1h30m") in YAML
// and JSON.
type Duration time.Duration

// D returns the duration as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// UnmarshalText parses Go's duration syntax.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration like 90s or 1h30m", string(b))
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes Go's duration syntax.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Policy sets every clock and rule of complaint handling (SPEC section 3).
// A complaint keeps the policy that was in force when it was filed, so that a
// policy change never alters a complaint in flight.
type Policy struct {
	Timezone      string           `yaml:"timezone" json:"timezone"`
	BusinessHours BusinessHours    `yaml:"business_hours" json:"business_hours"`
	SLA           map[Priority]SLA `yaml:"sla" json:"sla"`
	// SLAByTier overrides a priority's windows for a tier's customers; a
	// zero window keeps the sla table's. A complaint keeps the table its
	// customer's tier had when it was filed (ForTier).
	SLAByTier    map[Tier]map[Priority]SLA `yaml:"sla_by_tier,omitempty" json:"sla_by_tier,omitempty"`
	AckWarningAt float64                   `yaml:"ack_warning_at" json:"ack_warning_at"`
	Escalation   []EscalationStep          `yaml:"escalation" json:"escalation"`
	ReopenWithin Duration                  `yaml:"reopen_within" json:"reopen_within"`
	Survey       SurveyPolicy              `yaml:"survey" json:"survey"`
	Waiting      WaitingPolicy             `yaml:"waiting" json:"waiting"`
	Winback      WinbackPolicy             `yaml:"winback" json:"winback"`
	Campaign     CampaignPolicy            `yaml:"campaign" json:"campaign"`
	Analytics    AnalyticsPolicy           `yaml:"analytics" json:"analytics"`
	Duplicates   DuplicatePolicy           `yaml:"duplicates" json:"duplicates"`
	Links        LinkPolicy                `yaml:"links" json:"links"`
	Retention    RetentionPolicy           `yaml:"retention" json:"retention"`
	Loyalty      LoyaltyPolicy             `yaml:"loyalty" json:"loyalty"`
	FollowUp     FollowUpPolicy            `yaml:"followup" json:"followup"`
}

// RetentionPolicy erases personal data kept past its use (SPEC section
// 12): on a Schedule, the complaints closed longer than
// AnonymizeClosedAfter ago lose their personal data, and a customer left
// with no complaint that holds any is erased whole. Zero keeps everything.
type RetentionPolicy struct {
	AnonymizeClosedAfter Duration `yaml:"anonymize_closed_after" json:"anonymize_closed_after"`
	Cron                 string   `yaml:"cron" json:"cron"` // when the Schedule runs, in the policy's time zone
}

// LinkPolicy bounds how long a customer's tracking link works: a link is a
// credential, and one mailed years ago should not open the complaint.
type LinkPolicy struct {
	// ValidAfterClose is how long after its complaint closes a tracking
	// link still opens it; past it the link answers 410.
	ValidAfterClose Duration `yaml:"valid_after_close" json:"valid_after_close"`
}

// AnalyticsPolicy shapes the figures analytics report. Changing it has the
// rollups rebuilt (see postgres.RebuildAnalytics).
type AnalyticsPolicy struct {
	// A complaint is a repeat when the same customer, or the same order
	// reference, complained within this window before it.
	RepeatWithin Duration `yaml:"repeat_within" json:"repeat_within"`
}

// BusinessHours is the working calendar SLA clocks count in when enabled.
type BusinessHours struct {
	Enabled  bool     `yaml:"enabled" json:"enabled"`
	Days     []string `yaml:"days" json:"days"`
	Start    string   `yaml:"start" json:"start"`
	End      string   `yaml:"end" json:"end"`
	Holidays []string `yaml:"holidays" json:"holidays"`
}

// SLA is the pair of windows for one priority.
type SLA struct {
	AckWithin     Duration `yaml:"ack_within" json:"ack_within"`
	ResolveWithin Duration `yaml:"resolve_within" json:"resolve_within"`
}

// EscalationStep says whom a level notifies.
type EscalationStep struct {
	Level  int    `yaml:"level" json:"level"`
	Notify string `yaml:"notify" json:"notify"`
}

// WaitingPolicy ends waiting on a customer who does not answer, as pending
// tickets do elsewhere: the customer is reminded once after RemindAfter,
// and after CloseAfter the complaint is resolved as no_response and closes
// as any resolved complaint does. Zero is off: complaints filed under a
// policy from before it keep waiting.
type WaitingPolicy struct {
	RemindAfter Duration `yaml:"remind_after" json:"remind_after"`
	CloseAfter  Duration `yaml:"close_after" json:"close_after"`
}

// SurveyPolicy times the satisfaction survey.
type SurveyPolicy struct {
	RemindAfter Duration `yaml:"remind_after" json:"remind_after"`
	ExpireAfter Duration `yaml:"expire_after" json:"expire_after"`
}

// WinbackPolicy holds the win-back window and the offer per tier.
type WinbackPolicy struct {
	Within Duration       `yaml:"within" json:"within"`
	Offers map[Tier]Offer `yaml:"offers" json:"offers"`
	// CouponOnly wins a customer back only by redeeming the offer's
	// coupon; by default any purchase within the window does.
	CouponOnly bool `yaml:"coupon_only,omitempty" json:"coupon_only,omitempty"`
}

// Offer is what a win-back flow proposes to a customer.
type Offer struct {
	Kind     string  `yaml:"kind" json:"kind"`
	Percent  float64 `yaml:"percent,omitempty" json:"percent,omitempty"`
	Amount   float64 `yaml:"amount,omitempty" json:"amount,omitempty"`
	Currency string  `yaml:"currency,omitempty" json:"currency,omitempty"`
	Call     bool    `yaml:"call,omitempty" json:"call,omitempty"`
}

// Describe words an offer for people: "20% coupon, with a call".
func (o Offer) Describe() string {
	var s string
	if o.Kind == "credit" {
		s = fmt.Sprintf("%s %s credit", strconv.FormatFloat(o.Amount, 'f', -1, 64), o.Currency)
	} else {
		s = fmt.Sprintf("%s%% coupon", strconv.FormatFloat(o.Percent, 'f', -1, 64))
	}
	if o.Call {
		s += ", with a call from the account team"
	}
	return s
}

// MaxCampaignCustomers bounds a campaign: its progress, every candidate
// with an outcome, travels between runs in one Temporal payload, which the
// server caps at 2 MB (about 100 bytes a candidate).
const MaxCampaignCustomers = 10000

// CampaignPolicy schedules the retention campaigns.
type CampaignPolicy struct {
	Cron         string `yaml:"cron" json:"cron"`
	MaxCustomers int    `yaml:"max_customers" json:"max_customers"`
}

// DefaultPolicy is the built-in policy of SPEC section 3.
func DefaultPolicy() Policy {
	return Policy{
		Timezone: "Asia/Shanghai",
		BusinessHours: BusinessHours{
			Days:  []string{"mon", "tue", "wed", "thu", "fri"},
			Start: "09:00",
			End:   "18:00",
		},
		SLA: map[Priority]SLA{
			P1: {AckWithin: Duration(time.Hour), ResolveWithin: Duration(24 * time.Hour)},
			P2: {AckWithin: Duration(24 * time.Hour), ResolveWithin: Duration(72 * time.Hour)},
			P3: {AckWithin: Duration(24 * time.Hour), ResolveWithin: Duration(120 * time.Hour)},
			P4: {AckWithin: Duration(24 * time.Hour), ResolveWithin: Duration(240 * time.Hour)},
		},
		AckWarningAt: 0.75,
		Escalation: []EscalationStep{
			{Level: 1, Notify: "supervisors"},
			{Level: 2, Notify: "managers"},
			{Level: 3, Notify: "executives"},
		},
		ReopenWithin: Duration(168 * time.Hour),
		Analytics:    AnalyticsPolicy{RepeatWithin: Duration(720 * time.Hour)},
		Survey:       SurveyPolicy{RemindAfter: Duration(48 * time.Hour), ExpireAfter: Duration(168 * time.Hour)},
		Waiting:      WaitingPolicy{RemindAfter: Duration(72 * time.Hour), CloseAfter: Duration(168 * time.Hour)},
		Winback: WinbackPolicy{
			Within: Duration(720 * time.Hour),
			Offers: map[Tier]Offer{
				TierStandard: {Kind: "coupon", Percent: 10},
				TierSilver:   {Kind: "coupon", Percent: 15},
				TierGold:     {Kind: "coupon", Percent: 20, Call: true},
				TierDiamond:  {Kind: "credit", Amount: 50, Currency: "CNY", Call: true},
			},
		},
		Campaign:   CampaignPolicy{Cron: "0 9 * * *", MaxCustomers: 500},
		Duplicates: DuplicatePolicy{Within: Duration(168 * time.Hour), Threshold: 0.48},
		Links:      LinkPolicy{ValidAfterClose: Duration(2160 * time.Hour)},
		Retention:  RetentionPolicy{Cron: "30 3 * * *"},
		Loyalty: LoyaltyPolicy{
			Currency: "CNY",
			Tiers: map[Tier]TierThreshold{
				TierSilver:  {Spend12m: 2000},
				TierGold:    {Spend12m: 10000, Purchases12m: 4},
				TierDiamond: {Spend12m: 50000, Purchases12m: 12},
			},
			DowngradeAfter:    Duration(30 * 24 * time.Hour),
			PointsPerUnit:     map[Tier]float64{TierStandard: 1, TierSilver: 1.2, TierGold: 1.5, TierDiamond: 2},
			PointsExpireAfter: Duration(LoyaltyYear),
			Cron:              "15 4 * * *",
		},
		FollowUp: FollowUpPolicy{After: Duration(72 * time.Hour)},
	}
}

// LoadPolicy reads a policy file over the defaults. An empty path gives the
// defaults. The error names the field at fault.
func LoadPolicy(path string) (Policy, error) {
	p := DefaultPolicy()
	if path == "" {
		return p, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return p, fmt.Errorf("policy: %w", err)
	}
	return ParsePolicy(b)
}

// ParsePolicy reads a policy document over the defaults and validates it.
func ParsePolicy(doc []byte) (Policy, error) {
	p := DefaultPolicy()
	var root yaml.Node
	if err := yaml.Unmarshal(doc, &root); err != nil {
		return p, fmt.Errorf("policy: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if err := checkDurations(&root, ""); err != nil {
		return p, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(doc))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil && !errors.Is(err, io.EOF) { // an empty file means all defaults
		return p, fmt.Errorf("policy: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if err := p.Validate(); err != nil {
		return p, err
	}
	return p, nil
}

// durationFields are the policy's keys whose values are durations.
var durationFields = map[string]bool{"ack_within": true, "resolve_within": true, "reopen_within": true,
	"remind_after": true, "expire_after": true, "within": true, "downgrade_after": true, "points_expire_after": true, "after": true}

// checkDurations finds a malformed duration and names its field, which the
// YAML decoder's own error would not.
func checkDurations(n *yaml.Node, path string) error {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if err := checkDurations(c, path); err != nil {
				return err
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, value := n.Content[i].Value, n.Content[i+1]
			field := key
			if path != "" {
				field = path + "." + key
			}
			if durationFields[key] && value.Kind == yaml.ScalarNode {
				if _, err := time.ParseDuration(value.Value); err != nil {
					return fmt.Errorf("policy: %s: %q is not a duration like 90s or 1h30m (line %d)", field, value.Value, value.Line)
				}
				continue
			}
			if err := checkDurations(value, field); err != nil {
				return err
			}
		}
	}
	return nil
}

// Validate checks every field and names the first that is wrong.
func (p Policy) Validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("policy: %s: %s", field, fmt.Sprintf(format, args...))
	}
	if _, err := LoadZone(p.Timezone); err != nil {
		return bad("timezone", "unknown time zone %q", p.Timezone)
	}
	if _, err := NewCalendar(p.Timezone, p.BusinessHours); err != nil {
		return bad("business_hours", "%v", err)
	}
	for _, prio := range Priorities {
		sla, ok := p.SLA[prio]
		if !ok {
			return bad("sla."+string(prio), "missing")
		}
		if sla.AckWithin <= 0 {
			return bad("sla."+string(prio)+".ack_within", "must be positive")
		}
		if sla.ResolveWithin <= 0 {
			return bad("sla."+string(prio)+".resolve_within", "must be positive")
		}
	}
	for prio := range p.SLA {
		if !slices.Contains(Priorities, prio) {
			return bad("sla."+string(prio), "unknown priority (want P1 to P4)")
		}
	}
	for tier, rows := range p.SLAByTier {
		if !slices.Contains(Tiers, tier) {
			return bad("sla_by_tier."+string(tier), "unknown tier (want standard, silver, gold or diamond)")
		}
		for prio, sla := range rows {
			field := "sla_by_tier." + string(tier) + "." + string(prio)
			if !slices.Contains(Priorities, prio) {
				return bad(field, "unknown priority (want P1 to P4)")
			}
			if sla.AckWithin < 0 || sla.ResolveWithin < 0 || sla == (SLA{}) {
				return bad(field, "needs a positive ack_within or resolve_within (a window left out keeps the sla table's)")
			}
		}
	}
	if p.AckWarningAt <= 0 || p.AckWarningAt >= 1 {
		return bad("ack_warning_at", "must be between 0 and 1, exclusive")
	}
	if len(p.Escalation) != MaxEscalationLevel {
		return bad("escalation", "must list levels 1 to %d", MaxEscalationLevel)
	}
	for i, step := range p.Escalation {
		if step.Level != i+1 {
			return bad(fmt.Sprintf("escalation[%d].level", i), "must be %d", i+1)
		}
		if step.Notify == "" {
			return bad(fmt.Sprintf("escalation[%d].notify", i), "must name who is notified")
		}
	}
	if p.ReopenWithin <= 0 {
		return bad("reopen_within", "must be positive")
	}
	if p.Analytics.RepeatWithin <= 0 {
		return bad("analytics.repeat_within", "must be positive")
	}
	if p.Survey.RemindAfter <= 0 {
		return bad("survey.remind_after", "must be positive")
	}
	if p.Survey.ExpireAfter <= p.Survey.RemindAfter {
		return bad("survey.expire_after", "must be longer than survey.remind_after")
	}
	if w := p.Waiting; w != (WaitingPolicy{}) {
		if w.RemindAfter <= 0 {
			return bad("waiting.remind_after", "must be positive")
		}
		if w.CloseAfter <= w.RemindAfter {
			return bad("waiting.close_after", "must be longer than waiting.remind_after")
		}
	}
	if p.Winback.Within <= 0 {
		return bad("winback.within", "must be positive")
	}
	for _, tier := range Tiers {
		offer, ok := p.Winback.Offers[tier]
		if !ok {
			return bad("winback.offers."+string(tier), "missing")
		}
		switch offer.Kind {
		case "coupon":
			if offer.Percent <= 0 || offer.Percent > 100 {
				return bad("winback.offers."+string(tier)+".percent", "must be between 0 and 100")
			}
		case "credit":
			if offer.Amount <= 0 || len(offer.Currency) != 3 {
				return bad("winback.offers."+string(tier), "a credit needs a positive amount and a 3-letter currency")
			}
		default:
			return bad("winback.offers."+string(tier)+".kind", "must be coupon or credit, not %q", offer.Kind)
		}
	}
	if p.Winback.CouponOnly {
		for _, tier := range Tiers {
			if p.Winback.Offers[tier].Kind != "coupon" {
				return bad("winback.coupon_only", "needs every tier's offer to be a coupon; %s's is a %s, which no coupon could win back", tier, p.Winback.Offers[tier].Kind)
			}
		}
	}
	if p.Links.ValidAfterClose <= 0 {
		return bad("links.valid_after_close", "must be positive")
	}
	if p.Duplicates.Within < 0 {
		return bad("duplicates.within", "must be positive, or 0 to flag no duplicates")
	}
	if p.Duplicates.Threshold <= 0 || p.Duplicates.Threshold > 1 {
		return bad("duplicates.threshold", "must be above 0 and at most 1")
	}
	if len(strings.Fields(p.Campaign.Cron)) != 5 {
		return bad("campaign.cron", "must be a 5-field cron expression, not %q", p.Campaign.Cron)
	}
	if p.Campaign.MaxCustomers <= 0 || p.Campaign.MaxCustomers > MaxCampaignCustomers {
		return bad("campaign.max_customers", "must be from 1 to %d", MaxCampaignCustomers)
	}
	if after := p.Retention.AnonymizeClosedAfter; after != 0 && after < p.ReopenWithin {
		return bad("retention.anonymize_closed_after", "must be 0 (keep everything) or at least reopen_within (%s): a customer may still reopen a closed complaint until then", p.ReopenWithin)
	}
	if len(strings.Fields(p.Retention.Cron)) != 5 {
		return bad("retention.cron", "must be a 5-field cron expression, not %q", p.Retention.Cron)
	}
	if err := p.FollowUp.validate(bad); err != nil {
		return err
	}
	return p.Loyalty.validate(bad)
}

// ForTier is the policy a complaint of a tier's customer keeps: its SLA
// table with the tier's rows of sla_by_tier in force, and the name of the
// row that applies to each priority ("sla_by_tier.diamond.P2", or
// "sla.P2").
func (p Policy) ForTier(tier Tier) (Policy, map[Priority]string) {
	rows := map[Priority]string{}
	table := make(map[Priority]SLA, len(p.SLA))
	for prio, sla := range p.SLA {
		rows[prio] = "sla." + string(prio)
		if o, ok := p.SLAByTier[tier][prio]; ok {
			if o.AckWithin > 0 {
				sla.AckWithin = o.AckWithin
			}
			if o.ResolveWithin > 0 {
				sla.ResolveWithin = o.ResolveWithin
			}
			rows[prio] = "sla_by_tier." + string(tier) + "." + string(prio)
		}
		table[prio] = sla
	}
	p.SLA, p.SLAByTier = table, nil
	return p, rows
}

// SLARow is a named row of SLA windows: "sla.P2", or a tier's
// "sla_by_tier.diamond.P2" with the windows it leaves out taken from the
// sla table's.
type SLARow struct {
	Name     string
	Priority Priority
	SLA      SLA
}

// SLARows are the policy's rows: the sla table's, then sla_by_tier's.
func (p Policy) SLARows() []SLARow {
	var rows []SLARow
	for _, prio := range Priorities {
		rows = append(rows, SLARow{Name: "sla." + string(prio), Priority: prio, SLA: p.SLA[prio]})
	}
	for _, tier := range Tiers {
		tiered, names := p.ForTier(tier)
		for _, prio := range Priorities {
			if name := names[prio]; name != "sla."+string(prio) {
				rows = append(rows, SLARow{Name: name, Priority: prio, SLA: tiered.SLA[prio]})
			}
		}
	}
	return rows
}

// SLARowOf names the row whose windows a complaint's clocks keep: the one
// it recorded when it was filed, or, for complaints filed before rows were
// recorded, the sla table's for its priority.
func SLARowOf(recorded string, priority Priority) string {
	if recorded != "" {
		return recorded
	}
	return "sla." + string(priority)
}

// Windows are a row's SLA windows, read from its name; a row the policy
// no longer has (its tier's override since removed) falls back to the sla
// table's. The console asks for every row of a page, so this reads the
// one row, not all of them.
func (p Policy) Windows(row string, priority Priority) SLA {
	rest, tiered := strings.CutPrefix(row, "sla_by_tier.")
	tier, prio, _ := strings.Cut(rest, ".")
	if _, ok := p.SLAByTier[Tier(tier)][priority]; tiered && ok && Priority(prio) == priority {
		kept, _ := p.ForTier(Tier(tier))
		return kept.SLA[priority]
	}
	return p.SLA[priority]
}

// EscalationStep returns the step for a level of the ladder (1..3).
func (p Policy) EscalationStep(level int) EscalationStep {
	for _, s := range p.Escalation {
		if s.Level == level {
			return s
		}
	}
	return EscalationStep{Level: level, Notify: "level " + fmt.Sprint(level)}
}
