// Package openapitest holds the API description to what the server does:
// its middleware, which the test stacks put in front of every route, checks
// each request and answer against the document and records what does not
// fit. Production builds never import it.
package openapitest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/labstack/echo/v4"
)

func init() {
	// Pages and streams are checked for their status and media type; their
	// bodies are text the schemas call strings.
	for _, mt := range []string{"text/html", "text/event-stream", "text/css", "application/javascript", "text/javascript"} {
		openapi3filter.RegisterBodyDecoder(mt, openapi3filter.PlainBodyDecoder)
	}
	openapi3filter.RegisterBodyDecoder("*/*", openapi3filter.FileBodyDecoder)
}

// Recorder checks traffic against one document.
type Recorder struct {
	doc    *openapi3.T
	byForm map[string]string // a path's shape ("/v1/complaints/{}") to the document's path

	mu        sync.Mutex
	problems  []string
	seen      map[string]bool
	exercised map[string]bool
}

// New is a Recorder for doc.
func New(doc *openapi3.T) *Recorder {
	r := &Recorder{doc: doc, byForm: map[string]string{}, seen: map[string]bool{}, exercised: map[string]bool{}}
	for _, path := range doc.Paths.Keys() {
		r.byForm[Shape(path)] = path
	}
	return r
}

var (
	pathParam     = regexp.MustCompile(`\{[^}]*\}|:[^/]+|\*`) // the document's, or Echo's
	documentParam = regexp.MustCompile(`\{([^}]*)\}`)
)

// Shape is a route's path with its parameters unnamed, so that Echo's
// "/v1/complaints/:id" and the document's "/v1/complaints/{id}" compare.
func Shape(path string) string { return pathParam.ReplaceAllString(path, "{}") }

// DocumentPath is the document's path for an Echo route, "" when it has
// none.
func (r *Recorder) DocumentPath(echoPath string) string { return r.byForm[Shape(echoPath)] }

// Problems are the requests and answers that did not fit the document,
// each once.
func (r *Recorder) Problems() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.problems)
}

// Exercised are the operations ("GET /v1/complaints/{id}") that were called.
func (r *Recorder) Exercised() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.exercised))
	for op := range r.exercised {
		out = append(out, op)
	}
	slices.Sort(out)
	return out
}

func (r *Recorder) report(format string, args ...any) {
	p := fmt.Sprintf(format, args...)
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.seen[p] {
		r.seen[p] = true
		r.problems = append(r.problems, p)
	}
}

// Middleware checks each request and its answer. A request the document
// refuses must be refused by the server too (4xx); every answer's status,
// media type, headers and body must be the document's for that operation.
func (r *Recorder) Middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		body, readErr := readBody(req)
		req.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errorReader{readErr}))
		capture := &capturingWriter{ResponseWriter: c.Response().Writer}
		c.Response().Writer = capture
		if err := next(c); err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		docPath := r.DocumentPath(c.Path())
		var op *openapi3.Operation
		if docPath != "" {
			op = r.doc.Paths.Value(docPath).GetOperation(req.Method)
		}
		name := req.Method + " " + docPath
		if op == nil {
			if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
				r.report("%s %s (route %q) answered %d but the document does not describe it", req.Method, req.URL.Path, c.Path(), status)
			}
			return nil
		}
		r.mu.Lock()
		r.exercised[name] = true
		r.mu.Unlock()
		route := &routers.Route{Spec: r.doc, Path: docPath, PathItem: r.doc.Paths.Value(docPath), Method: req.Method, Operation: op}
		check := req.Clone(context.Background())
		check.Body = io.NopCloser(bytes.NewReader(body))
		if check.Header.Get(echo.HeaderContentType) == "" && len(body) > 0 && takesJSON(op) {
			check.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON) // the server reads a body of no type as JSON
		}
		if strings.HasPrefix(check.Header.Get(echo.HeaderContentType), echo.MIMEApplicationJSON) {
			check.Body = io.NopCloser(bytes.NewReader(withoutNulls(body)))
		}
		input := &openapi3filter.RequestValidationInput{Request: check, PathParams: pathParams(docPath, c.ParamValues()), Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
		if err := openapi3filter.ValidateRequest(context.Background(), input); err != nil && status < 400 {
			r.report("%s: the server answered %d to a request the document refuses: %v", name, status, oneLine(err))
		}
		if problem := r.unlisted(op, status, c.Response().Header().Get(echo.HeaderContentType)); problem != "" {
			r.report("%s: %s", name, problem)
			return nil
		}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: input, Status: status, Header: c.Response().Header(),
			Body: io.NopCloser(bytes.NewReader(capture.body.Bytes())),
			Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
				ExcludeResponseBody: req.Method == http.MethodHead || capture.truncated || strings.HasPrefix(c.Response().Header().Get(echo.HeaderContentType), "text/event-stream")}}
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			r.report("%s: the answer %d does not fit the document: %v", name, status, oneLine(err))
		}
		return nil
	}
}

// withoutNulls leaves out the members of a JSON body's objects that are
// null, as the server takes them (the document's info says so); a body
// that is not JSON is left as it is, for the check to refuse.
func withoutNulls(body []byte) []byte {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return body
	}
	var strip func(any) any
	strip = func(v any) any {
		switch t := v.(type) {
		case map[string]any:
			for k, x := range t {
				if x == nil {
					delete(t, k)
				} else {
					t[k] = strip(x)
				}
			}
		case []any:
			for i, x := range t {
				t[i] = strip(x)
			}
		}
		return v
	}
	out, err := json.Marshal(strip(v))
	if err != nil {
		return body
	}
	return out
}

// unlisted says what of an answer the operation does not list: its status
// (kin-openapi lets redirects pass unlisted) or its media type (which it
// checks only with the body).
func (r *Recorder) unlisted(op *openapi3.Operation, status int, contentType string) string {
	resp := op.Responses.Status(status)
	if resp == nil {
		resp = op.Responses.Default()
	}
	if resp == nil {
		return fmt.Sprintf("the answer %d is not one the document lists", status)
	}
	if len(resp.Value.Content) > 0 && contentType != "" && resp.Value.Content.Get(contentType) == nil {
		return fmt.Sprintf("the answer %d is %s, which the document does not list for it", status, contentType)
	}
	return ""
}

func takesJSON(op *openapi3.Operation) bool {
	return op.RequestBody != nil && op.RequestBody.Value.Content.Get(echo.MIMEApplicationJSON) != nil
}

// pathParams names Echo's parameter values by the document path's names,
// in order.
func pathParams(docPath string, values []string) map[string]string {
	params := map[string]string{}
	for i, name := range documentParam.FindAllStringSubmatch(docPath, -1) {
		if i < len(values) {
			params[name[1]] = values[i]
		}
	}
	return params
}

func oneLine(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return s
}

// readBody reads the request body whole, so that both the check and the
// handler can read it; a read error (a body over its limit) reaches the
// handler after the bytes read.
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil {
		return nil, nil
	}
	return io.ReadAll(req.Body)
}

type errorReader struct{ err error }

func (e errorReader) Read([]byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return 0, io.EOF
}

// capturingWriter keeps a copy of the answer's first bytes while passing
// everything through at once (streams included).
type capturingWriter struct {
	http.ResponseWriter
	body      bytes.Buffer
	truncated bool
}

const captureLimit = 16 << 20

func (w *capturingWriter) Write(b []byte) (int, error) {
	if w.body.Len()+len(b) <= captureLimit {
		w.body.Write(b)
	} else {
		w.truncated = true
	}
	return w.ResponseWriter.Write(b)
}

func (w *capturingWriter) Flush() { http.NewResponseController(w.ResponseWriter).Flush() }

func (w *capturingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
