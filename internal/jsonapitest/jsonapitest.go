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

	"github.com/dlclark/regexp2"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// ecmaRegexp is a regexp2 expression; the JSON:API schema's patterns use
// look-ahead, which Go's regexp lacks, and JSON Schema specifies ECMA 262
// expressions anyway.
type ecmaRegexp regexp2.Regexp

func (re *ecmaRegexp) MatchString(s string) bool {
	ok, err := (*regexp2.Regexp)(re).MatchString(s)
	return err == nil && ok
}

func (re *ecmaRegexp) String() string { return (*regexp2.Regexp)(re).String() }

func compileECMA(s string) (jsonschema.Regexp, error) {
	re, err := regexp2.Compile(s, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	return (*ecmaRegexp)(re), nil
}

const schemaFile = "jsonapi-1.1.schema.json"

var (
	once    sync.Once
	schema  *jsonschema.Schema
	reason  string // why there is no schema file
	loadErr error  // why the schema file found cannot be used
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
		loadErr = err
		return
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		loadErr = fmt.Errorf("%s: %w", path, err)
		return
	}
	c := jsonschema.NewCompiler()
	c.UseRegexpEngine(compileECMA)
	if err := c.AddResource("jsonapi.json", doc); err != nil {
		loadErr = err
		return
	}
	if schema, err = c.Compile("jsonapi.json"); err != nil {
		loadErr = fmt.Errorf("%s: %w", path, err)
	}
}

// Available reports whether documents can be checked, and if not, why.
// A schema file that exists but cannot be used is not a reason: Check fails
// the test then.
func Available() (bool, string) {
	once.Do(load)
	if loadErr != nil {
		return true, ""
	}
	return schema != nil, reason
}

// Check fails t if body is not a valid JSON:API document. It does nothing
// when there is no schema file.
func Check(t testing.TB, body []byte) {
	t.Helper()
	if ok, _ := Available(); !ok {
		return
	}
	if loadErr != nil {
		t.Fatalf("the JSON:API schema cannot be used: %v", loadErr)
	}
	if err := Validate(body); err != nil {
		t.Errorf("%v\n%s", err, body)
	}
}

// Validate reports whether body is a valid JSON:API document. It returns
// nil when there is no schema file.
func Validate(body []byte) error {
	if ok, _ := Available(); !ok {
		return nil
	}
	if loadErr != nil {
		return loadErr
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("document is not JSON: %w", err)
	}
	if err := schema.Validate(inst); err != nil {
		return fmt.Errorf("document breaks the JSON:API schema: %w", err)
	}
	return nil
}
