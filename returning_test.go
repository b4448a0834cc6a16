package restless_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/gorestless/restless/resource"

	"github.com/gorestless/restless/internal/demo"
)

// TestWritesWithoutHooks checks that writes on resources without hooks,
// which skip the read before an update and read the written row through
// RETURNING, answer exactly as writes on resources whose AfterWrite and
// BeforeWrite hooks (doing nothing) force both reads.
func TestWritesWithoutHooks(t *testing.T) {
	noop := func(context.Context, *resource.Write) error { return nil }
	plain := newEnv(t)
	p, c := demo.Person(), demo.Computer()
	p.Before, p.After, c.Before, c.After = noop, noop, noop, noop
	hooked := newEnv(t, p, c)
	tests := []struct {
		name, method, path, body string
		status                   int
		source                   string // of an error
	}{
		{"create person", http.MethodPost, "/api/person",
			`{"data":{"type":"person","attributes":{"name":"Ada","birth_date":"1815-12-10","age":36}}}`, http.StatusCreated, ""},
		{"create person, nulls", http.MethodPost, "/api/person",
			`{"data":{"type":"person","attributes":{"name":"Nobody","age":null}}}`, http.StatusCreated, ""},
		{"create computer with owner", http.MethodPost, "/api/computer",
			`{"data":{"type":"computer","attributes":{"name":"pdp","vendor":"DEC","purchase_time":"1970-01-02T03:04:05Z"},` +
				`"relationships":{"owner":{"data":{"type":"person","id":"2"}}}}}`, http.StatusCreated, ""},
		{"create computer without owner", http.MethodPost, "/api/computer",
			`{"data":{"type":"computer","attributes":{"name":"vax"}}}`, http.StatusCreated, ""},
		{"create duplicate", http.MethodPost, "/api/person",
			`{"data":{"type":"person","attributes":{"name":"Ada"}}}`, http.StatusConflict, "/data/attributes/name"},
		{"update person", http.MethodPatch, "/api/person/1",
			`{"data":{"type":"person","id":"1","attributes":{"age":50,"name":"Renamed"}}}`, http.StatusOK, ""},
		{"update computer owner", http.MethodPatch, "/api/computer/1",
			`{"data":{"type":"computer","id":"1","relationships":{"owner":{"data":{"type":"person","id":"3"}}}}}`, http.StatusOK, ""},
		{"update computer attribute", http.MethodPatch, "/api/computer/2",
			`{"data":{"type":"computer","id":"2","attributes":{"vendor":"Acme"}}}`, http.StatusOK, ""},
		{"update missing", http.MethodPatch, "/api/person/999",
			`{"data":{"type":"person","id":"999","attributes":{"age":1}}}`, http.StatusNotFound, ""},
		{"update to a duplicate", http.MethodPatch, "/api/person/2",
			`{"data":{"type":"person","id":"2","attributes":{"name":"Renamed"}}}`, http.StatusConflict, "/data/attributes/name"},
		{"update nothing", http.MethodPatch, "/api/person/3",
			`{"data":{"type":"person","id":"3","attributes":{}}}`, http.StatusOK, ""},
		{"update nothing, missing", http.MethodPatch, "/api/person/998",
			`{"data":{"type":"person","id":"998","attributes":{}}}`, http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := plain.do(tt.method, tt.path, tt.body)
			b := hooked.do(tt.method, tt.path, tt.body)
			if a.Code != tt.status || b.Code != tt.status {
				t.Fatalf("status without hooks %d, with hooks %d, want %d\n%s\n%s", a.Code, b.Code, tt.status, a.Body, b.Body)
			}
			if tt.status >= 400 {
				wantError(t, a, tt.status, tt.source)
				wantError(t, b, tt.status, tt.source)
				return
			}
			if !bytes.Equal(a.Body, b.Body) {
				t.Errorf("documents differ\nwithout hooks: %s\nwith hooks:    %s", a.Body, b.Body)
			}
			if a.Header.Get("Location") != b.Header.Get("Location") {
				t.Errorf("Location %q, with hooks %q", a.Header.Get("Location"), b.Header.Get("Location"))
			}
		})
	}
	for _, table := range []string{"person", "computer"} {
		if a, b := plain.rows(table), hooked.rows(table); !equalRows(a, b) {
			t.Errorf("%s rows differ\nwithout hooks: %q\nwith hooks:    %q", table, a, b)
		}
	}
}

func equalRows(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
