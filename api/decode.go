package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

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
		return redress.Invalid(redress.FieldError{Field: field, Message: fmt.Sprintf("must be %s, not %s", jsonType(typ.Type.Kind().String()), typ.Value)})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return redress.Invalid(redress.FieldError{Field: field, Message: "unknown field"})
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

func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// bindAndCheck decodes a JSON body into v and runs check over it.
func bindAndCheck(c echo.Context, v any, check func(*redress.Checker)) error {
	if _, err := bind(c, v); err != nil {
		return err
	}
	ch := &redress.Checker{}
	check(ch)
	return ch.Err()
}
