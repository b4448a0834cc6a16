package restless_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// injPayload is one SQL-injection attempt; label names its subtests.
type injPayload struct {
	label string
	s     string
}

// injPayloads are the strings TestInjection feeds into every place of a
// request.
func injPayloads() []injPayload {
	long := strings.Repeat("' OR 1=1 -- ", 10000/12+1)[:10000]
	return []injPayload{
		{"drop-table", `'; DROP TABLE person; --`},
		{"or-1=1", `1 OR 1=1`},
		{"double-quote-or", `" OR ""="`},
		{"close-paren", `age) OR (1=1`},
		{"semicolon-delete", `name; DELETE FROM person`},
		{"nul", "\x00"},
		{"nul-drop", "x\x00'; DROP TABLE person; --"},
		{"backslash-x00", `\x00`},
		{"percent-27", `%27`},
		{"union-select", `1) UNION SELECT name FROM sqlite_master --`},
		{"dollar-1", `$1`},
		{"question-mark", `?`},
		{"two-question-marks", `??`},
		{"comment", `/* */`},
		{"order-by-subquery", `id DESC, (SELECT 1)`},
		{"long-a", strings.Repeat("a", 10000)},
		{"long-or", long},
		{"unicode-cjk", `名前' OR 'x'='x`},
		{"unicode-fullwidth-quote", `＇; DROP TABLE person; --`},
		{"unicode-modifier-apostrophe", `ʼ OR 1=1 --`},
		{"unicode-rtl-override", "\u202e'; DROP TABLE person; --"},
		{"unicode-emoji", `😀'); DELETE FROM person; --`},
		{"invalid-utf8", "\xff\xfe'; DROP TABLE person; --"},
	}
}

// injJSON returns s as a JSON value.
func injJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// injRound returns s as it reaches a server through JSON: invalid UTF-8
// becomes U+FFFD.
func injRound(s string) string {
	var out string
	if err := json.Unmarshal([]byte(injJSON(s)), &out); err != nil {
		panic(err)
	}
	return out
}

// injPointer escapes a member name for a JSON Pointer (RFC 6901).
func injPointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// injSQLText are fragments of SQL and of database error messages that a
// response must not reveal (compared in lower case, on the raw body, where
// quotes are escaped).
var injSQLText = []string{
	"select",
	"syntax error",
	"sqlite",
	"no such",
	"sql logic error",
	"unrecognized token",
	"near \\\"",
	"\\\"person\\\".\\\"",
	"from \\\"person\\\"",
	" where ",
	"order by",
	"nulls last",
}

// injSafe checks that res is no server error and shows no SQL. A fragment
// the payload itself contains may appear, since error details and links
// echo the payload.
func injSafe(t *testing.T, p string, res *response) {
	t.Helper()
	if res.Code >= 500 {
		t.Fatalf("status = %d, want a 2xx or 4xx\n%s", res.Code, injShort(string(res.Body)))
	}
	body := strings.ToLower(string(res.Body))
	lp := strings.ToLower(p)
	for _, frag := range injSQLText {
		if strings.Contains(lp, frag) || strings.Contains(strings.ToLower(injJSON(p)), frag) {
			continue
		}
		if strings.Contains(body, frag) {
			t.Errorf("body reveals SQL text %q:\n%s", frag, injShort(string(res.Body)))
		}
	}
}

// injShort shortens a body for a failure message.
func injShort(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

// injMaster returns the schema objects of the database (its catalog), one
// "type name sql" line each.
func injMaster(t *testing.T, e *env) []string {
	t.Helper()
	// SQLite lists its objects in sqlite_master; PostgreSQL in pg_class,
	// of which the test's own schema is the part to compare.
	q := e.pick(`SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master ORDER BY 1`,
		`SELECT relkind::text || ' ' || relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace ORDER BY 1`)
	return injIDs(t, e, q)
}

// injIDs returns the ids a SELECT of ids returns, as strings.
func injIDs(t *testing.T, e *env, q string, args ...any) []string {
	t.Helper()
	rows, err := e.db.Reader.Query(e.placeholders(q), args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// injDataIDs returns the ids of a collection document's data.
func injDataIDs(t *testing.T, res *response) []string {
	t.Helper()
	var doc struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatalf("not a document: %v\n%s", err, injShort(string(res.Body)))
	}
	ids := []string{}
	for _, d := range doc.Data {
		ids = append(ids, d.ID)
	}
	return ids
}

// injQuery returns path with the query parameters of pairs (name, value,
// name, value...), properly encoded.
func injQuery(path string, pairs ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	return path + "?" + v.Encode()
}

// injRead is one place of a read request a payload is put in.
type injRead struct {
	name string
	// path returns the request path for the payload.
	path func(p string) string
	// param returns the parameter an error must name (source.parameter);
	// nil when the payload is data and the request must succeed.
	param func(p string) string
	// status is the error status; zero means 400.
	status int
	// want returns the ids the request must answer, when param is nil;
	// nil means none.
	want func(t *testing.T, e *env, p string) []string
	// meta, when set, is the meta an evaluation must answer.
	meta func(p string) map[string]any
}

// injParam returns a param function naming the same parameter for every
// payload.
func injParam(name string) func(string) string {
	return func(string) string { return name }
}

// injObjects returns a filter[objects] value.
func injObjects(filters ...any) string { return injJSON(filters) }

// injF is one filter object.
type injF = map[string]any

func injReads() []injRead {
	people := "/api/person"
	computers := "/api/computer"
	eval := "/api/eval/person"
	count := `[{"name":"count","field":"id"}]`
	sqlIDs := func(cond string) func(t *testing.T, e *env, p string) []string {
		return func(t *testing.T, e *env, p string) []string {
			if e.backend == "postgres" {
				// The value as JSON carried it: PostgreSQL cannot
				// compare bytes that are not UTF-8, which JSON replaced.
				p = injRound(p)
			}
			return injIDs(t, e, `SELECT id FROM person WHERE `+cond+` ORDER BY id`, p)
		}
	}
	all := func(t *testing.T, e *env, p string) []string { return []string{"1", "2", "3"} }
	return []injRead{
		// Parameter names.
		{name: "param-name", path: func(p string) string { return injQuery(people, p, "1") },
			param: func(p string) string { return p }},
		{name: "filter-name", path: func(p string) string { return injQuery(people, "filter["+p+"]", "1") },
			param: func(p string) string { return "filter[" + p + "]" }},
		{name: "filter-op", path: func(p string) string { return injQuery(people, "filter[name]["+p+"]", "1") },
			param: func(p string) string { return "filter[name][" + p + "]" }},
		{name: "page-name", path: func(p string) string { return injQuery(people, "page["+p+"]", "1") },
			param: func(p string) string { return "page[" + p + "]" }},
		{name: "fields-type", path: func(p string) string { return injQuery(people, "fields["+p+"]", "name") },
			param: func(p string) string { return "fields[" + p + "]" }},

		// filter[objects] names, operators and fields.
		{name: "objects-name", path: func(p string) string {
			return injQuery(people, "filter[objects]", injObjects(injF{"name": p, "op": "eq", "val": 1}))
		}, param: injParam("filter[objects]")},
		{name: "objects-op", path: func(p string) string {
			return injQuery(people, "filter[objects]", injObjects(injF{"name": "name", "op": p, "val": "x"}))
		}, param: injParam("filter[objects]")},
		{name: "objects-field", path: func(p string) string {
			return injQuery(people, "filter[objects]", injObjects(injF{"name": "name", "op": "eq", "field": p}))
		}, param: injParam("filter[objects]")},
		{name: "objects-member", path: func(p string) string {
			return injQuery(people, "filter[objects]", injObjects(injF{"name": "name", "op": "eq", "val": "x", p: 1}))
		}, param: injParam("filter[objects]")},
		{name: "objects-integer-val", path: func(p string) string {
			return injQuery(people, "filter[objects]", injObjects(injF{"name": "age", "op": "eq", "val": p}))
		}, param: injParam("filter[objects]")},
		{name: "objects-date-val", path: func(p string) string {
			return injQuery(people, "filter[objects]", injObjects(injF{"name": "birth_date", "op": "gt", "val": p}))
		}, param: injParam("filter[objects]")},
		{name: "any-relation-name", path: func(p string) string {
			return injQuery(people, "filter[objects]", injObjects(injF{"name": p, "op": "any", "val": injF{"name": "name", "op": "eq", "val": "x"}}))
		}, param: injParam("filter[objects]")},
		{name: "any-nested-name", path: func(p string) string {
			return injQuery(people, "filter[objects]", injObjects(injF{"name": "computers", "op": "any", "val": injF{"name": p, "op": "eq", "val": 1}}))
		}, param: injParam("filter[objects]")},
		{name: "any-nested-op", path: func(p string) string {
			return injQuery(people, "filter[objects]", injObjects(injF{"name": "computers", "op": "any", "val": injF{"name": "name", "op": p, "val": 1}}))
		}, param: injParam("filter[objects]")},
		{name: "has-nested-field", path: func(p string) string {
			return injQuery(computers, "filter[objects]", injObjects(injF{"name": "owner", "op": "has", "val": injF{"name": "name", "op": "eq", "field": p}}))
		}, param: injParam("filter[objects]")},
		{name: "not-nested-name", path: func(p string) string {
			return injQuery(people, "filter[objects]", injObjects(injF{"not": injF{"or": []any{injF{"name": p, "op": "eq", "val": 1}}}}))
		}, param: injParam("filter[objects]")},

		// filter[objects] values are data.
		{name: "objects-val-eq", path: func(p string) string {
			return injQuery(people, "filter[objects]", injObjects(injF{"name": "name", "op": "eq", "val": p}))
		}},
		{name: "objects-val-like", path: func(p string) string {
			return injQuery(people, "filter[objects]", injObjects(injF{"name": "name", "op": "like", "val": p}))
		}, want: sqlIDs("name LIKE ?")},
		{name: "objects-val-ilike", path: func(p string) string {
			return injQuery(people, "filter[objects]", injObjects(injF{"name": "name", "op": "ilike", "val": p}))
		}, want: sqlIDs("lower(name) LIKE lower(?)")},
		{name: "objects-val-in", path: func(p string) string {
			return injQuery(people, "filter[objects]", injObjects(injF{"name": "name", "op": "in", "val": []string{p, p + "'"}}))
		}},
		{name: "objects-val-not-in", path: func(p string) string {
			return injQuery(people, "filter[objects]", injObjects(injF{"name": "name", "op": "not_in", "val": []string{p}}))
		}, want: all},
		{name: "objects-val-or-not", path: func(p string) string {
			return injQuery(people, "filter[objects]", injObjects(injF{"or": []any{
				injF{"name": "name", "op": "eq", "val": p},
				injF{"not": injF{"name": "name", "op": "ne", "val": p}},
			}}))
		}},
		{name: "any-nested-val", path: func(p string) string {
			return injQuery(people, "filter[objects]", injObjects(injF{"name": "computers", "op": "any", "val": injF{"name": "name", "op": "eq", "val": p}}))
		}},
		{name: "has-nested-val", path: func(p string) string {
			return injQuery(computers, "filter[objects]", injObjects(injF{"name": "owner", "op": "has", "val": injF{"name": "name", "op": "eq", "val": p}}))
		}},

		// Simple filter values are data, or invalid for non-text fields.
		{name: "filter-value-eq", path: func(p string) string { return injQuery(people, "filter[name]", p) }},
		{name: "filter-value-in", path: func(p string) string { return injQuery(people, "filter[name][in]", p) }},
		{name: "filter-value-ne", path: func(p string) string { return injQuery(people, "filter[name][ne]", p) }, want: all},
		{name: "filter-value-gt", path: func(p string) string { return injQuery(people, "filter[name][gt]", p) },
			want: sqlIDs("name > ?")},
		{name: "filter-value-le", path: func(p string) string { return injQuery(people, "filter[name][le]", p) },
			want: sqlIDs("name <= ?")},
		{name: "filter-value-like", path: func(p string) string { return injQuery(people, "filter[name][like]", p) },
			want: sqlIDs("name LIKE ?")},
		{name: "filter-value-not-like", path: func(p string) string { return injQuery(people, "filter[name][not_like]", p) },
			want: sqlIDs("name NOT LIKE ?")},
		{name: "filter-value-two", path: func(p string) string { return injQuery(people, "filter[name]", p, "filter[age][ge]", "0") }},
		{name: "filter-value-integer", path: func(p string) string { return injQuery(people, "filter[age]", p) },
			param: injParam("filter[age]")},
		{name: "filter-value-integer-gt", path: func(p string) string { return injQuery(people, "filter[age][gt]", p) },
			param: injParam("filter[age][gt]")},
		{name: "filter-value-id", path: func(p string) string { return injQuery(people, "filter[id]", p) },
			param: injParam("filter[id]")},
		{name: "filter-value-date", path: func(p string) string { return injQuery(people, "filter[birth_date]", p) },
			param: injParam("filter[birth_date]")},
		{name: "filter-value-to-one", path: func(p string) string { return injQuery(computers, "filter[owner]", p) },
			param: injParam("filter[owner]")},
		{name: "filter-single", path: func(p string) string { return injQuery(people, "filter[single]", p) },
			param: injParam("filter[single]")},

		// Sorting.
		{name: "sort", path: func(p string) string { return injQuery(people, "sort", p) }, param: injParam("sort")},
		{name: "sort-desc", path: func(p string) string { return injQuery(people, "sort", "-"+p) }, param: injParam("sort")},
		{name: "sort-second-key", path: func(p string) string { return injQuery(people, "sort", "name,"+p) }, param: injParam("sort")},
		{name: "sort-relation", path: func(p string) string { return injQuery(computers, "sort", p+".name") }, param: injParam("sort")},
		{name: "sort-related-field", path: func(p string) string { return injQuery(computers, "sort", "owner."+p) }, param: injParam("sort")},

		// Sparse fieldsets and include.
		{name: "fields", path: func(p string) string { return injQuery(people, "fields[person]", p) }, param: injParam("fields[person]")},
		{name: "fields-second", path: func(p string) string { return injQuery(people, "fields[person]", "name,"+p) }, param: injParam("fields[person]")},
		{name: "fields-other-type", path: func(p string) string { return injQuery(people, "fields[computer]", p) }, param: injParam("fields[computer]")},
		{name: "fields-item", path: func(p string) string { return injQuery(people+"/1", "fields[person]", p) }, param: injParam("fields[person]")},
		{name: "include", path: func(p string) string { return injQuery(people, "include", p) }, param: injParam("include")},

		// Function evaluation.
		{name: "function-name", path: func(p string) string {
			return injQuery(eval, "functions", injJSON([]injF{{"name": p, "field": "age"}}))
		}, param: injParam("functions")},
		{name: "function-field", path: func(p string) string {
			return injQuery(eval, "functions", injJSON([]injF{{"name": "sum", "field": p}}))
		}, param: injParam("functions")},
		{name: "function-member", path: func(p string) string {
			return injQuery(eval, "functions", injJSON([]injF{{"name": "sum", "field": "age", p: "x"}}))
		}, param: injParam("functions")},
		{name: "function-raw", path: func(p string) string { return injQuery(eval, "functions", p) }, param: injParam("functions")},
		{name: "function-legacy-name", path: func(p string) string {
			return injQuery(eval, "q", injJSON(injF{"functions": []injF{{"name": p, "field": "age"}}}))
		}, param: injParam("q")},
		{name: "function-legacy-field", path: func(p string) string {
			return injQuery(eval, "q", injJSON(injF{"functions": []injF{{"name": "max", "field": p}}}))
		}, param: injParam("q")},
		{name: "function-filter-value", path: func(p string) string {
			return injQuery(eval, "functions", count, "filter[name]", p)
		}, meta: func(string) map[string]any { return map[string]any{"count__id": 0.0} }},
		{name: "function-objects-value", path: func(p string) string {
			return injQuery(eval, "functions", count, "filter[objects]", injObjects(injF{"name": "name", "op": "eq", "val": p}))
		}, meta: func(string) map[string]any { return map[string]any{"count__id": 0.0} }},

		// Page values.
		{name: "page-number", path: func(p string) string { return injQuery(people, "page[number]", p) }, param: injParam("page[number]")},
		{name: "page-size", path: func(p string) string { return injQuery(people, "page[size]", p) }, param: injParam("page[size]")},
		{name: "page-offset", path: func(p string) string { return injQuery(people, "page[offset]", p) }, param: injParam("page[offset]")},
		{name: "page-limit", path: func(p string) string { return injQuery(people, "page[limit]", p) }, param: injParam("page[limit]")},
		{name: "page-after", path: func(p string) string { return injQuery(people, "page[after]", p) }, param: injParam("page[after]")},
		{name: "page-before", path: func(p string) string { return injQuery(people, "page[before]", p) }, param: injParam("page[before]")},
		{name: "page-after-base64", path: func(p string) string {
			// A well-formed cursor whose values are the payload.
			c := base64URL(injJSON(injF{"s": "id", "v": []string{p}}))
			return injQuery(people, "page[after]", c)
		}, param: injParam("page[after]")},
		{name: "page-after-sort-name", path: func(p string) string {
			c := base64URL(injJSON(injF{"s": p, "v": []int{1}}))
			return injQuery(people, "page[after]", c)
		}, param: injParam("page[after]")},

		// The legacy q parameter.
		{name: "legacy-raw", path: func(p string) string { return injQuery(people, "q", p) }, param: injParam("q")},
		{name: "legacy-member", path: func(p string) string { return injQuery(people, "q", injJSON(injF{p: 1})) }, param: injParam("q")},
		{name: "legacy-filter-name", path: func(p string) string {
			return injQuery(people, "q", injJSON(injF{"filters": []injF{{"name": p, "op": "eq", "val": 1}}}))
		}, param: injParam("q")},
		{name: "legacy-filter-op", path: func(p string) string {
			return injQuery(people, "q", injJSON(injF{"filters": []injF{{"name": "name", "op": p, "val": 1}}}))
		}, param: injParam("q")},
		{name: "legacy-filter-val", path: func(p string) string {
			return injQuery(people, "q", injJSON(injF{"filters": []injF{{"name": "name", "op": "==", "val": p}}}))
		}},
		{name: "legacy-filter-val-disjunction", path: func(p string) string {
			return injQuery(people, "q", injJSON(injF{"disjunction": true, "filters": []injF{
				{"name": "name", "op": "==", "val": p}, {"name": "name", "op": "like", "val": p},
			}}))
		}, want: sqlIDs("name LIKE ?")},
		{name: "legacy-order-by-field", path: func(p string) string {
			return injQuery(people, "q", injJSON(injF{"order_by": []injF{{"field": p, "direction": "asc"}}}))
		}, param: injParam("q")},
		{name: "legacy-order-by-direction", path: func(p string) string {
			return injQuery(people, "q", injJSON(injF{"order_by": []injF{{"field": "name", "direction": p}}}))
		}, param: injParam("q")},
		{name: "legacy-limit", path: func(p string) string { return injQuery(people, "q", injJSON(injF{"limit": p})) }, param: injParam("q")},
		{name: "legacy-offset", path: func(p string) string { return injQuery(people, "q", injJSON(injF{"offset": p})) }, param: injParam("q")},

		// The id in the path.
		{name: "item-id", path: func(p string) string { return people + "/" + url.PathEscape(p) }, status: http.StatusNotFound,
			param: injParam("")},
	}
}

// base64URL encodes s as the cursors are.
func base64URL(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// TestInjection feeds SQL-injection payloads into every query parameter,
// the item path and request bodies. Every reply must be a 4xx error
// document naming the place, or the right answer with the payload taken as
// data; never a 500, never SQL text, and the database must be unchanged
// (except for the rows a write stores the payload in).
func TestInjection(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		payloads := injPayloads()
		for _, place := range injReads() {
			t.Run(place.name, func(t *testing.T) {
				// Reads share one database: each checks that it changed
				// nothing.
				shared := newEnv(t)
				for _, pl := range payloads {
					t.Run(pl.label, func(t *testing.T) { injCheckRead(t, shared.on(t), place, pl.s) })
				}
			})
		}
		t.Run("write", func(t *testing.T) {
			for _, pl := range payloads {
				t.Run(pl.label, func(t *testing.T) { injWrites(t, pl.s) })
			}
		})
	})
}

// injCheckRead sends the read of place with payload p to e and checks the
// reply: a 400 (or place.status) naming the parameter, or the right
// answer with the payload taken as data; never a 5xx or SQL text, and the
// database unchanged.
func injCheckRead(t *testing.T, e *env, place injRead, p string) {
	t.Helper()
	path := place.path(p)
	master := injMaster(t, e)
	var res *response
	e.unchanged(func() { res = e.do("GET", path, "") }, "person", "computer")
	if diff := cmp.Diff(master, injMaster(t, e)); diff != "" {
		t.Errorf("catalog changed (-before +after):\n%s", diff)
	}
	injSafe(t, p, res)
	if e.backend == "postgres" && place.param == nil && injUnstorable(p) && res.Code == http.StatusBadRequest {
		// PostgreSQL text cannot hold U+0000 or bytes
		// that are not UTF-8: where SQLite compares such
		// a value, PostgreSQL refuses the parameter.
		var doc struct {
			Errors []struct {
				Source struct{ Parameter string }
			}
		}
		if err := json.Unmarshal(res.Body, &doc); err != nil || len(doc.Errors) == 0 || doc.Errors[0].Source.Parameter == "" {
			t.Errorf("400 names no parameter: %s", injShort(string(res.Body)))
		}
		return
	}
	switch {
	case place.param != nil:
		status := place.status
		if status == 0 {
			status = http.StatusBadRequest
		}
		source := ""
		if param := place.param(p); param != "" {
			source = "?" + injRound(param)
		}
		wantError(t, res, status, source)
	case place.meta != nil:
		if res.Code != http.StatusOK {
			t.Fatalf("status = %d, want 200\n%s", res.Code, injShort(string(res.Body)))
		}
		var doc struct {
			Meta map[string]any `json:"meta"`
		}
		if err := json.Unmarshal(res.Body, &doc); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(place.meta(p), doc.Meta); diff != "" {
			t.Errorf("meta (-want +got):\n%s", diff)
		}
	default:
		if res.Code != http.StatusOK {
			t.Fatalf("status = %d, want 200\n%s", res.Code, injShort(string(res.Body)))
		}
		want := []string{}
		if place.want != nil {
			want = place.want(t, e, p)
		}
		if diff := cmp.Diff(want, injDataIDs(t, res)); diff != "" {
			t.Errorf("ids (-want +got):\n%s", diff)
		}
	}
}

// injWrites puts the payload p into request bodies and the item path of
// writes.
func injWrites(t *testing.T, p string) {
	// The rejected writes share one database: each checks that it
	// changed nothing.
	shared := newEnv(t)
	person := func(attrs injF) string {
		return injJSON(injF{"data": injF{"type": "person", "attributes": attrs}})
	}
	// rejected checks that a write is refused with status at pointer and
	// changes nothing.
	rejected := func(t *testing.T, method, path, body string, status int, pointer string) {
		t.Helper()
		e := shared.on(t)
		master := injMaster(t, e)
		var res *response
		e.unchanged(func() { res = e.do(method, path, body) }, "person", "computer")
		if diff := cmp.Diff(master, injMaster(t, e)); diff != "" {
			t.Errorf("catalog changed (-before +after):\n%s", diff)
		}
		injSafe(t, p, res)
		wantError(t, res, status, pointer)
	}
	// stored checks that a write of the name p succeeds and stores it
	// verbatim in the row id (empty for a new row), changing nothing else.
	stored := func(t *testing.T, method, path, body string, status int, id string) {
		t.Helper()
		e := newEnv(t)
		master := injMaster(t, e)
		before := e.rows("person")
		computers := e.rows("computer")
		res := e.do(method, path, body)
		injSafe(t, p, res)
		if e.backend == "postgres" && injUnstorable(injRound(p)) {
			// PostgreSQL text cannot hold U+0000: the name is refused
			// and nothing changes.
			wantError(t, res, http.StatusBadRequest, "/data/attributes/name")
			if diff := cmp.Diff(before, e.rows("person")); diff != "" {
				t.Errorf("person changed (-before +after):\n%s", diff)
			}
			return
		}
		if res.Code != status {
			t.Fatalf("status = %d, want %d\n%s", res.Code, status, injShort(string(res.Body)))
		}
		var doc struct {
			Data struct {
				ID         string         `json:"id"`
				Attributes map[string]any `json:"attributes"`
			} `json:"data"`
		}
		if err := json.Unmarshal(res.Body, &doc); err != nil {
			t.Fatal(err)
		}
		want := injRound(p)
		if got := doc.Data.Attributes["name"]; got != want {
			t.Errorf("attributes.name = %q, want %q", injShort(fmt.Sprint(got)), injShort(want))
		}
		if id != "" && doc.Data.ID != id {
			t.Errorf("data.id = %q, want %q", doc.Data.ID, id)
		}
		var name string
		var n int
		if err := e.query(e.pick(`SELECT name, length(CAST(name AS BLOB)) FROM person WHERE id = ?`, `SELECT name, octet_length(name) FROM person WHERE id = ?`), doc.Data.ID).Scan(&name, &n); err != nil {
			t.Fatal(err)
		}
		if name != want || n != len(want) {
			t.Errorf("stored name = %q (%d bytes), want %q (%d bytes)", injShort(name), n, injShort(want), len(want))
		}
		if got := injIDs(t, e, `SELECT id FROM person WHERE name = ?`, want); !cmp.Equal(got, []string{doc.Data.ID}) {
			t.Errorf("rows named by the payload: %v, want [%s]", got, doc.Data.ID)
		}
		// Only the written row differs.
		removed, added := injDiff(before, e.rows("person"))
		if len(added) != 1 || id == "" && len(removed) != 0 || id != "" && len(removed) != 1 {
			t.Errorf("person rows removed %q and added %q; want one row added (and for an update one removed)", removed, added)
		}
		if diff := cmp.Diff(computers, e.rows("computer")); diff != "" {
			t.Errorf("computer changed (-before +after):\n%s", diff)
		}
		if diff := cmp.Diff(master, injMaster(t, e)); diff != "" {
			t.Errorf("catalog changed (-before +after):\n%s", diff)
		}
	}

	t.Run("post-name-value", func(t *testing.T) {
		stored(t, "POST", "/api/person", person(injF{"name": p, "age": 1}), http.StatusCreated, "")
	})
	t.Run("patch-name-value", func(t *testing.T) {
		body := injJSON(injF{"data": injF{"type": "person", "id": "2", "attributes": injF{"name": p}}})
		stored(t, "PATCH", "/api/person/2", body, http.StatusOK, "2")
	})
	t.Run("post-attribute-name", func(t *testing.T) {
		rejected(t, "POST", "/api/person", person(injF{"name": "Ada", p: "x"}), http.StatusBadRequest,
			"/data/attributes/"+injPointer(injRound(p)))
	})
	t.Run("patch-attribute-name", func(t *testing.T) {
		body := injJSON(injF{"data": injF{"type": "person", "id": "1", "attributes": injF{p: 1}}})
		rejected(t, "PATCH", "/api/person/1", body, http.StatusBadRequest, "/data/attributes/"+injPointer(injRound(p)))
	})
	t.Run("post-relationship-name", func(t *testing.T) {
		body := injJSON(injF{"data": injF{"type": "person", "attributes": injF{"name": "Ada"},
			"relationships": injF{p: injF{"data": nil}}}})
		rejected(t, "POST", "/api/person", body, http.StatusBadRequest, "/data/relationships/"+injPointer(injRound(p)))
	})
	t.Run("post-integer-value", func(t *testing.T) {
		rejected(t, "POST", "/api/person", person(injF{"name": "Ada", "age": p}), http.StatusBadRequest, "/data/attributes/age")
	})
	t.Run("post-date-value", func(t *testing.T) {
		rejected(t, "POST", "/api/person", person(injF{"name": "Ada", "birth_date": p}), http.StatusBadRequest, "/data/attributes/birth_date")
	})
	t.Run("post-timestamp-value", func(t *testing.T) {
		body := injJSON(injF{"data": injF{"type": "computer", "attributes": injF{"name": "zx81", "purchase_time": p}}})
		rejected(t, "POST", "/api/computer", body, http.StatusBadRequest, "/data/attributes/purchase_time")
	})
	t.Run("post-type", func(t *testing.T) {
		body := injJSON(injF{"data": injF{"type": p, "attributes": injF{"name": "Ada"}}})
		rejected(t, "POST", "/api/person", body, http.StatusConflict, "/data/type")
	})
	t.Run("post-id", func(t *testing.T) {
		body := injJSON(injF{"data": injF{"type": "person", "id": p, "attributes": injF{"name": "Ada"}}})
		rejected(t, "POST", "/api/person", body, http.StatusForbidden, "/data/id")
	})
	t.Run("patch-item-id", func(t *testing.T) {
		// The id in the body is the one in the URL (as JSON carries it).
		id := injRound(p)
		body := injJSON(injF{"data": injF{"type": "person", "id": id, "attributes": injF{"name": "Ada"}}})
		rejected(t, "PATCH", "/api/person/"+url.PathEscape(id), body, http.StatusNotFound, "")
	})
	t.Run("delete-item-id", func(t *testing.T) {
		rejected(t, "DELETE", "/api/person/"+url.PathEscape(p), "", http.StatusNotFound, "")
	})
	t.Run("post-query-param", func(t *testing.T) {
		rejected(t, "POST", injQuery("/api/person", "fields[person]", p), person(injF{"name": "Ada"}), http.StatusBadRequest,
			"?fields[person]")
	})
}

// injUnstorable reports whether p holds text PostgreSQL cannot store:
// U+0000 or bytes that are not UTF-8.
func injUnstorable(p string) bool {
	return strings.IndexByte(p, 0) >= 0 || !utf8.ValidString(p)
}

// injDiff returns the rows of before missing from after and those of after
// missing from before.
func injDiff(before, after []string) (removed, added []string) {
	n := map[string]int{}
	for _, r := range before {
		n[r]++
	}
	for _, r := range after {
		if n[r] > 0 {
			n[r]--
		} else {
			added = append(added, r)
		}
	}
	for _, r := range before {
		if n[r] > 0 {
			n[r]--
			removed = append(removed, r)
		}
	}
	return removed, added
}

// TestInjectionBindParameters checks that filter values reach the
// database as bind parameters: a name that would be a tautology if
// spliced into SQL matches exactly the row that holds it.
func TestInjectionBindParameters(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		const name = `x' OR '1'='1`
		res := e.do("POST", "/api/person", injJSON(injF{"data": injF{"type": "person", "attributes": injF{"name": name}}}))
		if res.Code != http.StatusCreated {
			t.Fatalf("POST: status = %d, want 201\n%s", res.Code, res.Body)
		}
		var doc struct {
			Data struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		if err := json.Unmarshal(res.Body, &doc); err != nil {
			t.Fatal(err)
		}
		id := doc.Data.ID
		var stored string
		if err := e.query(`SELECT name FROM person WHERE id = ?`, id).Scan(&stored); err != nil || stored != name {
			t.Fatalf("stored name = %q (%v), want %q", stored, err, name)
		}
		for _, tc := range []struct {
			path string
			want []string
		}{
			{injQuery("/api/person", "filter[name]", name), []string{id}},
			{injQuery("/api/person", "filter[name]", "x"), []string{}},
			{injQuery("/api/person", "filter[name]", "x'"), []string{}},
			{injQuery("/api/person", "filter[name][in]", name+",Hilda"), []string{"2", id}},
			{injQuery("/api/person", "filter[name][like]", "x' OR %"), []string{id}},
			{injQuery("/api/person", "filter[objects]", injObjects(injF{"name": "name", "op": "eq", "val": name})), []string{id}},
			{injQuery("/api/person", "filter[objects]", injObjects(injF{"name": "name", "op": "eq", "val": "x"})), []string{}},
			{injQuery("/api/person", "q", injJSON(injF{"filters": []injF{{"name": "name", "op": "==", "val": name}}})), []string{id}},
			{injQuery("/api/person", "filter[name]", name, "page[size]", "1"), []string{id}},
		} {
			t.Run(tc.path, func(t *testing.T) {
				res := e.do("GET", tc.path, "")
				if res.Code != http.StatusOK {
					t.Fatalf("status = %d, want 200\n%s", res.Code, res.Body)
				}
				if diff := cmp.Diff(tc.want, injDataIDs(t, res)); diff != "" {
					t.Errorf("ids (-want +got):\n%s", diff)
				}
			})
		}
	})
}
