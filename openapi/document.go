// Package openapi serves Redress's API description: the OpenAPI 3.1
// document in openapi.yaml, written by hand and held to the code by tests
// (the routes both ways, and every request and answer of the end-to-end
// tests, see openapitest), as JSON, as YAML, and as a reference page at
// /docs that needs nothing from another site.
package openapi

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed openapi.yaml
var documentYAML []byte

var loaded = sync.OnceValues(load)

// load parses and checks the document: its references resolve, its
// examples fit their schemas and its operations' ids are unique.
func load() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(documentYAML)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	return doc, nil
}

// Document is the parsed description. It is built into the binary, so an
// error here is a bug the tests meet first.
func Document() *openapi3.T {
	doc, err := loaded()
	if err != nil {
		panic(err)
	}
	return doc
}

var documentJSON = sync.OnceValue(func() []byte {
	b, err := json.Marshal(Document())
	if err != nil {
		panic(fmt.Sprintf("openapi: %v", err))
	}
	return b
})

// YAML is the document as written.
func YAML() []byte { return documentYAML }

// JSON is the document as JSON.
func JSON() []byte { return documentJSON() }
