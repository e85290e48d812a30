package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"pgregory.net/rapid"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

// modelCustomer is the reference model's customer: its details and which
// e-mail and phone keys it is found by.
type modelCustomer struct {
	id                              int
	realID                          string
	externalID, name, email, phone  string
	tier                            redress.Tier
	emailKey, phoneKey, duplicateOf string
}

// identityModel is SPEC section 11's identity rule written as plainly as it
// reads: found by external id, else by e-mail, else by phone; a new
// external id whose e-mail or phone another customer has makes a new
// customer marked as that one's possible duplicate; intake fills what is
// missing and replaces nothing.
type identityModel struct{ customers []*modelCustomer }

func emailKey(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

func phoneKey(p string) string {
	var digits strings.Builder
	for _, r := range p {
		if r >= '0' && r <= '9' {
			digits.WriteRune(r)
		}
	}
	if digits.Len() == 0 {
		return ""
	}
	if strings.HasPrefix(strings.TrimSpace(p), "+") {
		return "+" + digits.String()
	}
	return digits.String()
}

func (m *identityModel) find(pred func(*modelCustomer) bool) *modelCustomer {
	for _, c := range m.customers {
		if pred(c) {
			return c
		}
	}
	return nil
}

// intake returns the customer the details are and whether it is new.
func (m *identityModel) intake(want redress.Customer) (*modelCustomer, bool) {
	ek, pk := emailKey(want.Email), phoneKey(want.Phone)
	var byExt *modelCustomer
	if want.ExternalID != "" {
		byExt = m.find(func(c *modelCustomer) bool { return c.externalID == want.ExternalID })
	}
	byEmail := m.find(func(c *modelCustomer) bool { return ek != "" && c.emailKey == ek })
	byPhone := m.find(func(c *modelCustomer) bool { return pk != "" && c.phoneKey == pk })
	found := byExt
	if found == nil {
		contact := byEmail
		if contact == nil {
			contact = byPhone
		}
		if contact != nil && (want.ExternalID == "" || contact.externalID == "") {
			found = contact
		}
	}
	other := func(c *modelCustomer) bool { return c != nil && c != found }
	duplicate := ""
	if other(byEmail) {
		duplicate = byEmail.realID
	} else if other(byPhone) {
		duplicate = byPhone.realID
	}
	created := found == nil
	if created {
		tier := want.Tier
		if tier == "" {
			tier = redress.TierStandard
		}
		found = &modelCustomer{id: len(m.customers), tier: tier, duplicateOf: duplicate}
		m.customers = append(m.customers, found)
	} else if found.duplicateOf == "" {
		found.duplicateOf = duplicate
	}
	fill := func(field *string, value string) bool {
		if *field == "" && value != "" {
			*field = value
			return true
		}
		return false
	}
	fill(&found.externalID, want.ExternalID)
	fill(&found.name, want.Name)
	if fill(&found.email, want.Email) && !other(byEmail) {
		found.emailKey = ek
	}
	if fill(&found.phone, want.Phone) && !other(byPhone) {
		found.phoneKey = pk
	}
	return found, created
}

// TestIdentityMatchesTheModel files random sequences of intakes over a few
// external ids, e-mails (spelt several ways) and phones, and checks every
// answer against the model: no intake is ever refused for its customer's
// details, the customer found is the model's, and no known e-mail, phone or
// tier is ever replaced.
func TestIdentityMatchesTheModel(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	var run atomic.Int64
	rapid.Check(t, func(t *rapid.T) {
		// Each case has values of its own, so that cases share the database.
		n := run.Add(1)
		externalIDs := []string{"", fmt.Sprintf("crm-%d-1", n), fmt.Sprintf("crm-%d-2", n), fmt.Sprintf("crm-%d-3", n)}
		emails := []string{"", fmt.Sprintf("li.%d@example.com", n), fmt.Sprintf(" LI.%d@Example.com", n),
			fmt.Sprintf("wang.%d@example.com", n), fmt.Sprintf("zhou.%d@example.com", n)}
		phones := []string{"", fmt.Sprintf("+86 138 %04d 0001", n), fmt.Sprintf("+86-138-%04d-0001", n),
			fmt.Sprintf("+86 139 %04d 0002", n), fmt.Sprintf("139%04d0002", n)}
		tiers := []redress.Tier{"", redress.TierStandard, redress.TierGold, redress.TierDiamond}
		model := &identityModel{}
		steps := rapid.IntRange(1, 12).Draw(t, "intakes")
		for step := range steps {
			want := redress.Customer{
				ExternalID: rapid.SampledFrom(externalIDs).Draw(t, "external_id"),
				Email:      rapid.SampledFrom(emails).Draw(t, "email"),
				Phone:      rapid.SampledFrom(phones).Draw(t, "phone"),
				Tier:       rapid.SampledFrom(tiers).Draw(t, "tier"),
				Name:       rapid.SampledFrom([]string{"", "Li", "Wang"}).Draw(t, "name"),
			}
			if want.ExternalID == "" && want.Email == "" && want.Phone == "" {
				continue // the API refuses details it cannot match
			}
			got, created, err := db.UpsertCustomer(ctx, want, "model")
			if err != nil {
				t.Fatalf("intake %d %+v refused: %v", step, want, err)
			}
			expect, expectCreated := model.intake(want)
			if expectCreated {
				expect.realID = got.ID
			}
			if created != expectCreated || got.ID != expect.realID {
				t.Fatalf("intake %d %+v: customer %s (created %v), want model customer %d %s (created %v)",
					step, want, got.ID, created, expect.id, expect.realID, expectCreated)
			}
			if got.ExternalID != expect.externalID || got.Name != expect.name || got.Email != expect.email ||
				got.Phone != expect.phone || got.Tier != expect.tier || got.PossibleDuplicateOf != expect.duplicateOf {
				t.Fatalf("intake %d %+v: customer %+v, want %+v", step, want, got, *expect)
			}
		}
		// What is stored agrees too: read every customer back.
		for _, c := range model.customers {
			got, err := db.Customer(ctx, c.realID)
			if err != nil || got.Email != c.email || got.Phone != c.phone || got.Tier != c.tier || got.ExternalID != c.externalID {
				t.Fatalf("stored customer %+v, %v; want %+v", got, err, *c)
			}
		}
	})
}
