package openapitest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress/openapi/openapitest"
)

const things = `
openapi: 3.1.0
info: {title: things, version: "1"}
paths:
  /things/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: a thing
          content:
            application/json:
              schema: {type: object, additionalProperties: false, required: [id], properties: {id: {type: string}}}
  /things:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, additionalProperties: false, required: [name], properties: {name: {type: string}}}
      responses:
        "201": {description: made}
        "422": {description: refused}
`

// The recorder finds each kind of drift, and only drift.
func TestRecorderFindsWhatDoesNotFit(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData([]byte(things))
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, method, path, body string
		answer                   func(echo.Context) error
		drift                    string // "" when the exchange fits
	}{
		{"a fitting answer", "GET", "/things/1", "", func(c echo.Context) error { return c.JSON(200, map[string]string{"id": "1"}) }, ""},
		{"a field the document lacks", "GET", "/things/1", "", func(c echo.Context) error { return c.JSON(200, map[string]any{"id": "1", "colour": "red"}) }, "does not fit"},
		{"a field of the wrong type", "GET", "/things/1", "", func(c echo.Context) error { return c.JSON(200, map[string]any{"id": 1}) }, "does not fit"},
		{"a status the document lacks", "GET", "/things/1", "", func(c echo.Context) error { return c.NoContent(http.StatusTeapot) }, "not one the document lists"},
		{"an error the handler returns", "GET", "/things/1", "", func(c echo.Context) error { return echo.NewHTTPError(409) }, "not one the document lists"},
		{"a bad request refused", "POST", "/things", `{"nom":"x"}`, func(c echo.Context) error { return c.NoContent(422) }, ""},
		{"a bad request taken", "POST", "/things", `{"nom":"x"}`, func(c echo.Context) error { return c.NoContent(201) }, "a request the document refuses"},
		{"a good request taken", "POST", "/things", `{"name":"x"}`, func(c echo.Context) error { return c.NoContent(201) }, ""},
		{"a null taken as left out", "POST", "/things", `{"name":"x","colour":null}`, func(c echo.Context) error { return c.NoContent(201) }, ""},
		{"a redirect the document lacks", "GET", "/things/1", "", func(c echo.Context) error { return c.Redirect(http.StatusFound, "/") }, "not one the document lists"},
		{"a media type the document lacks", "GET", "/things/1", "", func(c echo.Context) error { return c.Blob(200, "text/event-stream", []byte("data: x\n\n")) }, "which the document does not list"},
		{"a route the document lacks", "GET", "/other", "", func(c echo.Context) error { return c.String(200, "hi") }, "does not describe"},
		{"a route nobody serves", "GET", "/nowhere", "", nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := openapitest.New(doc)
			e := echo.New()
			e.Use(rec.Middleware)
			if c.answer != nil {
				e.Add(c.method, "/things/:id", c.answer)
				e.Add(c.method, "/things", c.answer)
				e.Add(c.method, "/other", c.answer)
			}
			req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
			e.ServeHTTP(httptest.NewRecorder(), req)
			problems := strings.Join(rec.Problems(), "\n")
			if c.drift == "" && problems != "" {
				t.Errorf("a fitting exchange was reported: %s", problems)
			}
			if c.drift != "" && !strings.Contains(problems, c.drift) {
				t.Errorf("want a report of %q, got %q", c.drift, problems)
			}
		})
	}
}
