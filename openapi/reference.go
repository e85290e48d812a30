package openapi

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Reference is the document arranged for reading: the operations by tag,
// in the order the document lists its tags, then by path and method.
type Reference struct {
	Title, Version, Summary, Description string
	Sections                             []Section
	Schemas                              []Schema
}

// Section is one tag's operations.
type Section struct {
	Tag, Description string
	Operations       []Operation
}

// Operation is one method on one path.
type Operation struct {
	ID, Method, Path, Summary, Description string
	// Roles are the x-roles: the staff roles, or "customer" for a link's
	// token, that may call it; none for public routes.
	Roles      []string
	Auth       []string // the security schemes, any of which is enough
	Parameters []Parameter
	Request    []Body
	Responses  []Response
}

// Parameter is a path, query, header or cookie parameter.
type Parameter struct {
	Name, In, Type, Description string
	Required                    bool
}

// Body is a request's or an answer's content of one media type.
type Body struct {
	MediaType, Type string // Type names the schema, a component's by name
	Component       bool   // Type is a component's name, which the reference lists
	Fields          []Field
	Example         string // indented JSON; "" when there is none
}

// Response is one status of an operation.
type Response struct {
	Status, Description string
	Headers             []string
	Bodies              []Body
}

// Field is one property of an object schema.
type Field struct {
	Name, Type, Description string
	Required                bool
}

// Schema is a component schema, which operations name by its Anchor.
type Schema struct {
	Name, Description, Type string
	Fields                  []Field
}

var methodOrder = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

// NewReference arranges doc for reading.
func NewReference(doc *openapi3.T) Reference {
	r := Reference{Title: doc.Info.Title, Version: doc.Info.Version, Summary: doc.Info.Summary, Description: doc.Info.Description}
	at := map[string]int{} // a tag's section
	for _, tag := range doc.Tags {
		at[tag.Name] = len(r.Sections)
		r.Sections = append(r.Sections, Section{Tag: tag.Name, Description: tag.Description})
	}
	paths := doc.Paths.Keys()
	slices.Sort(paths)
	for _, path := range paths {
		item := doc.Paths.Value(path)
		ops := item.Operations()
		for _, method := range methodOrder {
			op, ok := ops[method]
			if !ok {
				continue
			}
			tag := "other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			i, ok := at[tag]
			if !ok {
				i, at[tag] = len(r.Sections), len(r.Sections)
				r.Sections = append(r.Sections, Section{Tag: tag})
			}
			r.Sections[i].Operations = append(r.Sections[i].Operations, operation(doc, method, path, item, op))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(doc.Components.Schemas)) {
		s := doc.Components.Schemas[name].Value
		r.Schemas = append(r.Schemas, Schema{Name: name, Description: s.Description, Type: typeName(&openapi3.SchemaRef{Value: s}), Fields: fields(s)})
	}
	return r
}

func operation(doc *openapi3.T, method, path string, item *openapi3.PathItem, op *openapi3.Operation) Operation {
	o := Operation{ID: op.OperationID, Method: method, Path: path, Summary: op.Summary, Description: op.Description, Roles: Roles(op)}
	security := doc.Security
	if op.Security != nil {
		security = *op.Security
	}
	// Each requirement is one way in; the document's have one scheme each.
	for _, requirement := range security {
		for scheme := range requirement {
			if !slices.Contains(o.Auth, scheme) {
				o.Auth = append(o.Auth, scheme)
			}
		}
	}
	slices.Sort(o.Auth)
	// An operation's parameter overrides the path's of the same name and place.
	params := slices.Clone(op.Parameters)
	for _, p := range item.Parameters {
		if op.Parameters.GetByInAndName(p.Value.In, p.Value.Name) == nil {
			params = append(params, p)
		}
	}
	for _, p := range params {
		v := p.Value
		o.Parameters = append(o.Parameters, Parameter{Name: v.Name, In: v.In, Required: v.Required, Description: v.Description, Type: typeName(v.Schema)})
	}
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		o.Request = bodies(op.RequestBody.Value.Content)
	}
	statuses := op.Responses.Keys()
	slices.Sort(statuses)
	for _, status := range statuses {
		v := op.Responses.Value(status).Value
		resp := Response{Status: status, Bodies: bodies(v.Content)}
		if v.Description != nil {
			resp.Description = *v.Description
		}
		for name := range v.Headers {
			resp.Headers = append(resp.Headers, name)
		}
		slices.Sort(resp.Headers)
		o.Responses = append(o.Responses, resp)
	}
	return o
}

// Roles are an operation's x-roles.
func Roles(op *openapi3.Operation) []string {
	var roles []string
	if list, ok := op.Extensions["x-roles"].([]any); ok {
		for _, r := range list {
			roles = append(roles, fmt.Sprint(r))
		}
	}
	return roles
}

func bodies(content openapi3.Content) []Body {
	var out []Body
	for _, mt := range slices.Sorted(maps.Keys(content)) {
		m := content[mt]
		b := Body{MediaType: mt, Type: typeName(m.Schema), Component: m.Schema != nil && m.Schema.Ref != ""}
		if m.Schema != nil && m.Schema.Ref == "" && m.Schema.Value != nil {
			b.Fields = fields(m.Schema.Value)
		}
		example := m.Example
		if example == nil {
			for _, name := range slices.Sorted(maps.Keys(m.Examples)) {
				if ex := m.Examples[name]; ex != nil && ex.Value != nil {
					example = ex.Value.Value
					break
				}
			}
		}
		if example != nil {
			if s, ok := example.(string); ok && !strings.HasPrefix(mt, "application/") {
				b.Example = s
			} else if j, err := json.MarshalIndent(example, "", "  "); err == nil {
				b.Example = string(j)
			}
		}
		out = append(out, b)
	}
	return out
}

func fields(s *openapi3.Schema) []Field {
	var out []Field
	for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
		p := s.Properties[name]
		f := Field{Name: name, Type: typeName(p), Required: slices.Contains(s.Required, name)}
		if p.Value != nil {
			f.Description = p.Value.Description
		}
		out = append(out, f)
	}
	return out
}

// typeName says what a schema is in a few words: a component's name, or
// its types with what an array holds and the values of an enumeration.
func typeName(ref *openapi3.SchemaRef) string {
	if ref == nil {
		return ""
	}
	if ref.Ref != "" {
		return strings.TrimPrefix(ref.Ref, "#/components/schemas/")
	}
	s := ref.Value
	if s == nil {
		return ""
	}
	var parts []string
	for _, t := range s.Type.Slice() {
		switch {
		case t == "array" && s.Items != nil:
			parts = append(parts, "array of "+typeName(s.Items))
		case t == "object" && s.AdditionalProperties.Schema != nil && len(s.Properties) == 0:
			parts = append(parts, "map of "+typeName(s.AdditionalProperties.Schema))
		case t == "string" && s.Format != "":
			parts = append(parts, "string ("+s.Format+")")
		default:
			parts = append(parts, t)
		}
	}
	for _, alt := range append(slices.Clone(s.OneOf), s.AnyOf...) {
		parts = append(parts, typeName(alt))
	}
	if len(s.AllOf) == 1 {
		parts = append(parts, typeName(s.AllOf[0]))
	}
	name := strings.Join(parts, " or ")
	if len(s.Enum) > 0 {
		values := make([]string, len(s.Enum))
		for i, v := range s.Enum {
			values[i] = fmt.Sprint(v)
		}
		name += ": " + strings.Join(values, ", ")
	}
	return name
}
