package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
)

// bind decodes a JSON request body strictly into v: one object, no unknown
// fields, every type right. It returns the body for hashing.
func bind(c echo.Context, v any) ([]byte, error) {
	if ct := c.Request().Header.Get(echo.HeaderContentType); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, echo.NewHTTPError(http.StatusUnsupportedMediaType, "send the body as application/json")
		}
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return nil, he
		}
		return nil, redress.Errorf(redress.EINVALID, "the request body could not be read")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, redress.Errorf(redress.EINVALID, "the request body is empty; send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return nil, decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, redress.Errorf(redress.EINVALID, "the body must hold a single JSON object and nothing after it")
	}
	return body, nil
}

// bindOptional is bind for endpoints whose body may be left out: an empty
// body leaves v as it is; any other body must be right.
func bindOptional(c echo.Context, v any) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return he
		}
		return redress.Errorf(redress.EINVALID, "the request body could not be read")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	c.Request().Body = io.NopCloser(bytes.NewReader(body))
	_, err = bind(c, v)
	return err
}

func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return redress.Errorf(redress.EINVALID, "malformed JSON at byte %d: %s", syntax.Offset, syntax.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return redress.Errorf(redress.EINVALID, "the body must be a JSON object, not %s", typ.Value)
		}
		return invalid(redress.FieldError{Field: field, Message: fmt.Sprintf("must be %s, not %s", jsonType(typ.Type.Kind().String()), typ.Value)})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return invalid(redress.FieldError{Field: field, Message: "unknown field"})
	case errors.Is(err, io.ErrUnexpectedEOF):
		return redress.Errorf(redress.EINVALID, "malformed JSON: the body ends early")
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return he
	}
	return redress.Errorf(redress.EINVALID, "malformed JSON: %v", err)
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "struct", "map", "ptr":
		return "an object"
	case "slice", "array":
		return "an array"
	}
	return "a number"
}

// checker gathers the field errors of one request.
type checker struct {
	errs []redress.FieldError
}

func (ch *checker) fail(field, format string, args ...any) {
	ch.errs = append(ch.errs, redress.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// text checks a free-text field: present when required, within max
// characters, free of NUL (which PostgreSQL cannot store).
func (ch *checker) text(field, value string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(value) == "":
		ch.fail(field, "is required")
	case strings.ContainsRune(value, 0):
		ch.fail(field, "must not contain NUL characters")
	case utf8.RuneCountInString(value) > max:
		ch.fail(field, "must be at most %d characters", max)
	}
}

// enum checks that a value is one of the allowed; empty passes unless required.
func enum[T ~string](ch *checker, field string, value T, required bool, allowed []T) {
	if value == "" {
		if required {
			ch.fail(field, "is required; one of %s", list(allowed))
		}
		return
	}
	if !slices.Contains(allowed, value) {
		ch.fail(field, "must be one of %s, not %q", list(allowed), string(value))
	}
}

func list[T ~string](values []T) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

func (ch *checker) email(field, value string) {
	if value == "" {
		return
	}
	ch.text(field, value, false, 254)
	if a, err := mail.ParseAddress(value); err != nil || a.Address != value {
		ch.fail(field, "must be an e-mail address like name@example.com")
	}
}

// phone checks a phone number: digits, with a + only in front and spaces
// or - . ( ) / between them, so that its digits are all that identify it.
func (ch *checker) phone(field, value string) {
	if value == "" {
		return
	}
	ch.text(field, value, false, 40)
	digits := strings.TrimPrefix(strings.TrimLeft(value, " "), "+")
	if !strings.ContainsAny(digits, "0123456789") ||
		strings.ContainsFunc(digits, func(r rune) bool { return !strings.ContainsRune("0123456789 -.()/", r) }) {
		ch.fail(field, "must be a phone number of digits, with an optional leading + and spaces or - . ( ) / between, like +86 138 0000 0000")
	}
}

// money checks an amount and its ISO 4217 currency code.
func (ch *checker) money(field string, amount float64, currency string) {
	prefix := field
	if prefix != "" {
		prefix += "."
	}
	if amount <= 0 || amount > 1e9 || math.IsNaN(amount) {
		ch.fail(prefix+"amount", "must be a positive amount")
	}
	if len(currency) != 3 || strings.ToUpper(currency) != currency || strings.ContainsFunc(currency, func(r rune) bool { return r < 'A' || r > 'Z' }) {
		ch.fail(prefix+"currency", "must be a 3-letter currency code like CNY")
	}
}

func (ch *checker) err() error {
	if len(ch.errs) == 0 {
		return nil
	}
	return invalid(ch.errs...)
}

func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
