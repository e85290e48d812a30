package redress

import (
	"fmt"
	"math"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxMessage is the most characters of one message a person writes on a
// complaint: a reply, a note, an update, a reason, a resolution's summary.
const MaxMessage = 5000

// Checker gathers the field errors of one request, so that a caller learns
// every fault at once. The JSON API and the console check input with it.
type Checker struct {
	errs []FieldError
}

// Fail records that field is wrong.
func (ch *Checker) Fail(field, format string, args ...any) {
	ch.errs = append(ch.errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Text checks a free-text field: present when required, within max
// characters, free of NUL (which PostgreSQL cannot store).
func (ch *Checker) Text(field, value string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(value) == "":
		ch.Fail(field, "is required")
	case strings.ContainsRune(value, 0):
		ch.Fail(field, "must not contain NUL characters")
	case utf8.RuneCountInString(value) > max:
		ch.Fail(field, "must be at most %d characters", max)
	}
}

// Email checks an optional e-mail address.
func (ch *Checker) Email(field, value string) {
	if value == "" {
		return
	}
	ch.Text(field, value, false, 254)
	if a, err := mail.ParseAddress(value); err != nil || a.Address != value {
		ch.Fail(field, "must be an e-mail address like name@example.com")
	}
}

// Phone checks a phone number: digits, with a + only in front and spaces
// or - . ( ) / between them, so that its digits are all that identify it.
func (ch *Checker) Phone(field, value string) {
	if value == "" {
		return
	}
	ch.Text(field, value, false, 40)
	digits := strings.TrimPrefix(strings.TrimLeft(value, " "), "+")
	if !strings.ContainsAny(digits, "0123456789") ||
		strings.ContainsFunc(digits, func(r rune) bool { return !strings.ContainsRune("0123456789 -.()/", r) }) {
		ch.Fail(field, "must be a phone number of digits, with an optional leading + and spaces or - . ( ) / between, like +86 138 0000 0000")
	}
}

// Money checks an amount and its ISO 4217 currency code.
func (ch *Checker) Money(field string, amount float64, currency string) {
	prefix := field
	if prefix != "" {
		prefix += "."
	}
	if amount <= 0 || amount > 1e9 || math.IsNaN(amount) {
		ch.Fail(prefix+"amount", "must be a positive amount")
	}
	if len(currency) != 3 || strings.ToUpper(currency) != currency || strings.ContainsFunc(currency, func(r rune) bool { return r < 'A' || r > 'Z' }) {
		ch.Fail(prefix+"currency", "must be a 3-letter currency code like CNY")
	}
}

// Err is the validation failure of every recorded fault, nil when none.
func (ch *Checker) Err() error {
	if len(ch.errs) == 0 {
		return nil
	}
	return Invalid(ch.errs...)
}

// CheckEnum checks that a value is one of the allowed; empty passes unless
// required.
func CheckEnum[T ~string](ch *Checker, field string, value T, required bool, allowed []T) {
	if value == "" {
		if required {
			ch.Fail(field, "is required; one of %s", List(allowed))
		}
		return
	}
	if !slices.Contains(allowed, value) {
		ch.Fail(field, "must be one of %s, not %q", List(allowed), string(value))
	}
}

// List joins values for a message: "a, b, c".
func List[T ~string](values []T) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// Invalid is a validation failure naming its fields.
func Invalid(fields ...FieldError) error {
	msg := "the request is not valid"
	if len(fields) == 1 {
		msg = fields[0].Field + ": " + fields[0].Message
	}
	return &Error{Code: EINVALID, Message: msg, Fields: fields}
}
