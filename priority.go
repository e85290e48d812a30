package redress

// severityPriority is the starting point of the priority rule.
var severityPriority = map[Severity]Priority{
	SeverityCritical: P1,
	SeverityHigh:     P2,
	SeverityMedium:   P3,
	SeverityLow:      P4,
}

// DerivePriority applies the priority rule of SPEC 2.1: the severity sets the
// starting point (medium when none was given), a privacy complaint is at least
// P2, gold and diamond customers go one priority up, and any safety complaint
// is P1 whatever else holds.
func DerivePriority(severity Severity, category Category, tier Tier) Priority {
	if category == CategorySafety {
		return P1
	}
	p, ok := severityPriority[severity]
	if !ok {
		p = P3
	}
	if category == CategoryPrivacy && p > P2 {
		p = P2
	}
	if tier.Premium() && p > P1 {
		p = Priorities[p.rank()-1]
	}
	return p
}

// rank is the priority's index in Priorities: 0 for P1.
func (p Priority) rank() int {
	for i, q := range Priorities {
		if q == p {
			return i
		}
	}
	return len(Priorities) - 1
}
