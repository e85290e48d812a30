package openapi_test

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"sigs.k8s.io/yaml"

	"github.com/redress-dev/redress/openapi"
)

// TestDocumentIsValid loads openapi.yaml as the server does: an OpenAPI
// 3.1 document whose references resolve and whose examples fit their
// schemas (kin-openapi checks both).
func TestDocumentIsValid(t *testing.T) {
	doc := openapi.Document()
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("the document is OpenAPI %s, not 3.1", doc.OpenAPI)
	}
	if doc.Paths.Len() == 0 {
		t.Fatal("the document describes no path")
	}
}

var roles = []string{"intake", "agent", "supervisor", "admin", "customer"}

// TestEveryOperationIsDescribed holds each operation to what a reader needs:
// an id, a summary, a tag the document lists, the roles that may call it,
// an answer that succeeds, and, on the JSON API, the answers every route
// can give (a busy caller, an outage) and those of a staff key.
func TestEveryOperationIsDescribed(t *testing.T) {
	doc := openapi.Document()
	var tags []string
	for _, tag := range doc.Tags {
		tags = append(tags, tag.Name)
	}
	for _, path := range doc.Paths.Keys() {
		for method, op := range doc.Paths.Value(path).Operations() {
			name := method + " " + path
			if op.OperationID == "" || op.Summary == "" {
				t.Errorf("%s has no operationId or summary", name)
			}
			if len(op.Tags) == 0 || !slices.Contains(tags, op.Tags[0]) {
				t.Errorf("%s has no tag the document lists (%v)", name, op.Tags)
			}
			if _, ok := op.Extensions["x-roles"]; !ok {
				t.Errorf("%s has no x-roles", name)
			}
			for _, role := range openapi.Roles(op) {
				if !slices.Contains(roles, role) {
					t.Errorf("%s names the role %q, which Redress has not", name, role)
				}
			}
			succeeds := false
			for _, status := range op.Responses.Keys() {
				succeeds = succeeds || strings.HasPrefix(status, "2") || strings.HasPrefix(status, "3")
			}
			if !succeeds {
				t.Errorf("%s has no answer that succeeds", name)
			}
			if !strings.HasPrefix(path, "/v1/") {
				continue
			}
			want := []string{"429", "503"}
			if staffOnly(op) {
				want = append(want, "401")
				if len(openapi.Roles(op)) < 4 { // some staff role may not call it
					want = append(want, "403")
				}
			}
			for _, status := range want {
				if op.Responses.Value(status) == nil {
					t.Errorf("%s does not describe its %s answer", name, status)
				}
			}
			if op.RequestBody != nil {
				for mt, content := range op.RequestBody.Value.Content {
					if content.Example == nil && len(content.Examples) == 0 && (content.Schema == nil || content.Schema.Value == nil || len(content.Schema.Value.Examples) == 0) {
						t.Errorf("%s has no example of its %s request", name, mt)
					}
				}
			}
		}
	}
}

func staffOnly(op *openapi3.Operation) bool {
	r := openapi.Roles(op)
	return len(r) > 0 && !slices.Contains(r, "customer")
}

// TestServedDocumentIsTheFile: /openapi.json is openapi.yaml, whole: no
// field is lost on the way through kin-openapi's types.
func TestServedDocumentIsTheFile(t *testing.T) {
	written, err := yaml.YAMLToJSON(openapi.YAML())
	if err != nil {
		t.Fatal(err)
	}
	var want, got any
	if err := json.Unmarshal(written, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(openapi.JSON(), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(want, got) {
		t.Error("/openapi.json is not openapi.yaml: a field was lost or changed on the way")
	}
}

// TestAPIReferenceIsCurrent fails when docs/api-reference.md is not what
// the document makes of it. REDRESS_UPDATE_DOCS=1 rewrites it.
func TestAPIReferenceIsCurrent(t *testing.T) {
	const path = "../docs/api-reference.md"
	want, err := openapi.Markdown()
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("REDRESS_UPDATE_DOCS") != "" {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("%s is not what openapi.yaml makes of it; run REDRESS_UPDATE_DOCS=1 go test ./openapi", path)
	}
	for _, path := range openapi.Document().Paths.Keys() {
		if !strings.Contains(string(got), " "+path+"`") {
			t.Errorf("%s is missing from the reference", path)
		}
	}
}
