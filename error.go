package redress

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Error codes. Each means one HTTP status (HTTPStatus), whichever front door answers.
const (
	EINVALID      = "invalid"      // the request is malformed or fails validation
	ENOTFOUND     = "not_found"    // no such resource
	ECONFLICT     = "conflict"     // the resource's state does not allow the action
	EUNAUTHORIZED = "unauthorized" // no valid credentials
	EFORBIDDEN    = "forbidden"    // valid credentials without the role
	EGONE         = "gone"         // a one-time token already used or expired
	EUNAVAILABLE  = "unavailable"  // a dependency is down; retrying later may work
	ERATELIMITED  = "rate_limited" // the caller, or the complaint, is too busy; retry after a pause
	ETOOLARGE     = "too_large"    // a body, a file or a number of files over its limit
	EUNSUPPORTED  = "unsupported"  // a kind of content that is not accepted
	EINTERNAL     = "internal"     // a bug or an unexpected failure
)

// FieldError names one invalid field of a request.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the error type every package returns for failures a caller can act on.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
	// RetryAfter, when set, tells the caller how long to wait before trying
	// again.
	RetryAfter time.Duration
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an *Error in err's chain, or EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of an *Error in err's chain, or a generic
// one that leaks nothing of an internal failure.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// HTTPStatus is the HTTP status err answers with, whichever front door
// answers: its code's, 422 for a validation failure that names its fields,
// and 500 for anything that is not an *Error.
func HTTPStatus(err error) int {
	var e *Error
	if !errors.As(err, &e) {
		return http.StatusInternalServerError
	}
	if e.Code == EINVALID && len(e.Fields) > 0 {
		return http.StatusUnprocessableEntity
	}
	if status, ok := codeStatus[e.Code]; ok {
		return status
	}
	return http.StatusInternalServerError
}

var codeStatus = map[string]int{
	EINVALID:      http.StatusBadRequest,
	ENOTFOUND:     http.StatusNotFound,
	ECONFLICT:     http.StatusConflict,
	EUNAUTHORIZED: http.StatusUnauthorized,
	EFORBIDDEN:    http.StatusForbidden,
	EGONE:         http.StatusGone,
	EUNAVAILABLE:  http.StatusServiceUnavailable,
	ERATELIMITED:  http.StatusTooManyRequests,
	ETOOLARGE:     http.StatusRequestEntityTooLarge,
	EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	EINTERNAL:     http.StatusInternalServerError,
}
