package jsonapitest_test

import (
	"testing"

	"github.com/gorestless/restless/internal/jsonapitest"
)

func TestValidate(t *testing.T) {
	if ok, why := jsonapitest.Available(); !ok {
		t.Skip(why)
	}
	tests := []struct {
		doc   string
		valid bool
	}{
		{`{"data":{"type":"person","id":"1","attributes":{"name":"x"}},"jsonapi":{"version":"1.1"}}`, true},
		{`{"data":[],"links":{"self":"http://x/a","next":null}}`, true},
		{`{"errors":[{"status":"404","source":{"pointer":""}}]}`, true},
		{`{"data":{"type":"person","id":1}}`, false},
		{`{"data":{"type":"person","id":"1","attributes":{"id":"2"}}}`, false},
		{`{"data":null,"errors":[]}`, false},
		{`{"meta":1}`, false},
		{`[1]`, false},
	}
	for _, tt := range tests {
		err := jsonapitest.Validate([]byte(tt.doc))
		if got := err == nil; got != tt.valid {
			t.Errorf("Validate(%s) = %v, want valid %v", tt.doc, err, tt.valid)
		}
	}
}
