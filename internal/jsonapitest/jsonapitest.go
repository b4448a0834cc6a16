// Package jsonapitest checks documents in tests against the official
// JSON:API 1.1 JSON Schema, when the schema file is available.
//
// The schema lives outside the repository (../shared/schemas in CI). Set
// RESTLESS_JSONAPI_SCHEMA to its path, or keep it in a "shared/schemas"
// directory beside any parent of the working directory. Without it,
// documents are not checked against the schema and [Available] says why.
package jsonapitest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const schemaFile = "jsonapi-1.1.schema.json"

var (
	once   sync.Once
	schema *jsonschema.Schema
	reason string
)

func load() {
	path := os.Getenv("RESTLESS_JSONAPI_SCHEMA")
	if path == "" {
		dir, _ := os.Getwd()
		for dir != "" {
			p := filepath.Join(dir, "..", "shared", "schemas", schemaFile)
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	if path == "" {
		reason = "the JSON:API schema " + schemaFile + " was not found (set RESTLESS_JSONAPI_SCHEMA)"
		return
	}
	f, err := os.Open(path)
	if err != nil {
		reason = err.Error()
		return
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		reason = fmt.Sprintf("%s: %v", path, err)
		return
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("jsonapi.json", doc); err != nil {
		reason = err.Error()
		return
	}
	if schema, err = c.Compile("jsonapi.json"); err != nil {
		reason = err.Error()
	}
}

// Available reports whether documents can be checked, and if not, why.
func Available() (bool, string) {
	once.Do(load)
	return schema != nil, reason
}

// Check fails t if body is not a valid JSON:API document. It does nothing
// when the schema is not available.
func Check(t testing.TB, body []byte) {
	t.Helper()
	if ok, _ := Available(); !ok {
		return
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Errorf("document is not JSON: %v\n%s", err, body)
		return
	}
	if err := schema.Validate(inst); err != nil {
		t.Errorf("document breaks the JSON:API schema: %v\n%s", err, body)
	}
}
