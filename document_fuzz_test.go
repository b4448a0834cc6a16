package restless_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/sqlite"
)

// fuzzTargets are the write endpoints FuzzRequestDocument sends bodies to:
// resource documents (create and update, with to-one, to-many and
// many-to-many relationships), relationship documents and atomic
// operations.
var fuzzTargets = []struct{ method, path string }{
	{"POST", "/api/person"},
	{"POST", "/api/users"},
	{"PATCH", "/api/person/1"},
	{"PATCH", "/api/users/a@x"},
	{"POST", "/api/person/1/relationships/computers"},
	{"PATCH", "/api/person/1/relationships/computers"},
	{"DELETE", "/api/person/1/relationships/computers"},
	{"PATCH", "/api/computer/1/relationships/owner"},
	{"POST", "/api/users/a@x/relationships/friends"},
	{"POST", "/api/operations"},
}

// FuzzRequestDocument sends fuzzed request documents to every write
// endpoint. Every answer is a valid JSON:API document; never a 5xx; a 4xx
// is an error document whose status matches and leaves the database as
// it was; a document nested deeper than MaxDocumentDepth is a 400.
func FuzzRequestDocument(f *testing.F) {
	for i := range fuzzTargets {
		for _, s := range []string{
			`{"data":{"type":"person","attributes":{"name":"Ada","age":36,"birth_date":"1815-12-10"}}}`,
			`{"data":{"type":"person","attributes":{"name":"Bo"},"relationships":{"computers":{"data":[{"type":"computer","id":"3"}]}}}}`,
			`{"data":{"type":"person","id":"1","attributes":{"age":null}}}`,
			`{"data":{"type":"users","id":"z@x","attributes":{"password":"p","active":false},"relationships":{"mom":{"data":{"type":"users","id":"a@x"}},"friends":{"data":[{"type":"users","id":"b@x","meta":{"met":"here"}}]}}}}`,
			`{"data":{"type":"users","id":"a@x","attributes":{"created":"2020-01-01T00:00:00Z"}}}`,
			`{"data":[{"type":"computer","id":"2"},{"type":"computer","id":"3"}]}`,
			`{"data":{"type":"person","id":"2"}}`,
			`{"data":null}`,
			`{"data":[{"type":"users","id":"c@x"}]}`,
			`{"data":{"type":"person","attributes":{"name":"A","name":"B"}}}`,
			`{"data":{"type":"person","attributes":{"Name":"A"}}}`,
			`{"data":{"type":"person","attributes":{"age":1e400}}}`,
			`{"data":{"type":"person","attributes":{"age":9223372036854775808}}}`,
			`{"data":{"type":"person","attributes":{"name":"\ud800"}}}`,
			"{\"data\":{\"type\":\"person\",\"attributes\":{\"name\":\"\xff\"}}}",
			`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
			`{"data":{"type":"person","attributes":{"name":"x"}},"included":[]}`,
			`{"data":{"type":"person","lid":"l1","attributes":{"name":"x"}}}`,
			``, `null`, `{}`, `{"data":{}}`,
			`{"atomic:operations":[{"op":"add","data":{"type":"person","lid":"a","attributes":{"name":"Cy"}}},{"op":"update","ref":{"type":"computer","id":"1","relationship":"owner"},"data":{"type":"person","lid":"a"}}]}`,
			`{"atomic:operations":[{"op":"remove","ref":{"type":"computer","id":"2"}},{"op":"update","data":{"type":"person","id":"1","attributes":{"age":1}}}]}`,
			`{"atomic:operations":[{"op":"add","ref":{"type":"users","id":"a@x","relationship":"friends"},"data":[{"type":"users","id":"c@x"}]}]}`,
			`{"atomic:operations":[{"op":"add","href":"/api/person","data":{"type":"person","attributes":{"name":"Di"}}}]}`,
		} {
			f.Add(uint8(i), s)
		}
	}
	ctx := context.Background()
	db, err := demo.Open(ctx)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	if err := db.Exec(ctx, demo.UsersSchema+faultSeed); err != nil {
		f.Fatal(err)
	}
	api := &restless.API{DB: db.Reader, WriteDB: db.Writer, Dialect: sqlite.Dialect, Prefix: "/api", BaseURL: testBase,
		Logger: discardLogger()}
	h, err := api.Handler(append(demo.Resources(), demo.Users())...)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, target uint8, body string) {
		e := &env{t: t, backend: "sqlite", db: envDB{Reader: db.Reader, Writer: db.Writer}, api: api, h: h}
		tg := fuzzTargets[int(target)%len(fuzzTargets)]
		before := faultDump(t, e)
		var res *response
		if tg.path == "/api/operations" {
			res = e.atomic(body)
		} else {
			res = e.do(tg.method, tg.path, body)
		}
		if res.Code >= 500 {
			t.Fatalf("%s %s %q: status %d\n%s", tg.method, tg.path, body, res.Code, res.Body)
		}
		if res.Code >= 400 {
			wantErrorDoc(t, res)
			if diff := cmp.Diff(before, faultDump(t, e)); diff != "" {
				t.Fatalf("%s %s %q: status %d changed the database:\n%s", tg.method, tg.path, body, res.Code, diff)
			}
		}
		if depthOf(body) > restless.MaxDocumentDepth && res.Code != 400 && res.Code != 415 {
			t.Fatalf("%s %s: a document %d levels deep got %d, want 400", tg.method, tg.path, depthOf(body), res.Code)
		}
		if res.Code < 300 && res.Code != 204 && !json.Valid(res.Body) {
			t.Fatalf("%s %s: status %d with invalid JSON %q", tg.method, tg.path, res.Code, res.Body)
		}
	})
}

// depthOf returns the bracket depth of s outside strings, as the limit
// counts it.
func depthOf(s string) int {
	depth, most := 0, 0
	in, esc := false, false
	for _, c := range []byte(s) {
		switch {
		case in:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				in = false
			}
		case c == '"':
			in = true
		case strings.IndexByte("[{", c) >= 0:
			depth++
			most = max(most, depth)
		case strings.IndexByte("]}", c) >= 0:
			depth--
		}
	}
	return most
}
