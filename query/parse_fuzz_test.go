package query_test

// Fuzz targets of the query parameters. Each asserts properties rather
// than "did not crash": a failure is a *query.Error naming a parameter (a
// 400 for the client); a success renders to SQL that names only the
// fake schema's columns, carries every client value as a bind parameter
// (no string literal, no unknown word) and runs on SQLite; the page is
// within its bounds; include paths and sparse fieldsets name only
// relationships and members.

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/gorestless/restless/query"
)

// fuzzWords are the words SQL built from the fake types may contain:
// their columns and tables and the keywords the query package writes.
var fuzzWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`person.id person.name person.age computer.id computer.name computer.vendor
		computer.owner_id person computer SELECT FROM WHERE AND OR NOT IN IS NULL LIKE lower ASC DESC NULLS FIRST LAST
		ORDER BY LIMIT OFFSET count sum avg min max DISTINCT`) {
		fuzzWords[w] = true
	}
}

// fuzzToken splits SQL into words, placeholders and punctuation.
var fuzzToken = regexp.MustCompile(`[A-Za-z_][A-Za-z_0-9.]*|\?|[0-9]+|<>|<=|>=|[=<>(),*]|\s+|.`)

// fuzzCheckSQL fails unless text consists of known words, placeholders,
// numbers and operators.
func fuzzCheckSQL(t *testing.T, text string) {
	t.Helper()
	for _, tok := range fuzzToken.FindAllString(text, -1) {
		switch {
		case strings.TrimSpace(tok) == "":
		case tok == "?" || strings.ContainsAny(tok[:1], "0123456789=<>(),*"):
		case fuzzWords[tok]:
		default:
			t.Fatalf("SQL %q contains %q, which is not a schema name or keyword", text, tok)
		}
	}
}

var (
	fuzzOnce sync.Once
	fuzzDB   *sql.DB
	fuzzErr  error
)

// fuzzOpenDB opens the fake types' database once per process; it lives
// until the process ends.
func fuzzOpenDB(t *testing.T) *sql.DB {
	t.Helper()
	fuzzOnce.Do(func() {
		fuzzDB, fuzzErr = sql.Open("sqlite", ":memory:")
		if fuzzErr != nil {
			return
		}
		fuzzDB.SetMaxOpenConns(1)
		for _, stmt := range []string{
			`CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT, age INTEGER)`,
			`CREATE TABLE computer (id INTEGER PRIMARY KEY, name TEXT, vendor TEXT, owner_id INTEGER)`,
			`INSERT INTO person VALUES (1, 'Jeffrey', 35), (2, 'Hilda', 41), (3, 'Tomasz', 26)`,
			`INSERT INTO computer VALUES (1, 'lixie', 'Dell', 1), (2, 'foo', 'Apple', 1), (3, 'turing', 'Lenovo', 2)`,
		} {
			if _, fuzzErr = fuzzDB.Exec(stmt); fuzzErr != nil {
				return
			}
		}
	})
	if fuzzErr != nil {
		t.Fatal(fuzzErr)
	}
	return fuzzDB
}

// fuzzConfig is a collection of person with every feature on.
func fuzzConfig(cursor bool) query.Config {
	person, computer := fkTypes()
	return query.Config{
		Resolver: person,
		Types: func(typ string) (query.Resolver, bool) {
			switch typ {
			case "person":
				return person, true
			case "computer":
				return computer, true
			}
			return nil, false
		},
		Collection: true,
		Include:    true,
		Cursor:     cursor,
	}
}

// fuzzCheck asserts the properties of one Parse result.
func fuzzCheck(t *testing.T, db *sql.DB, v url.Values, c query.Config, p query.Params, err error) {
	t.Helper()
	if err != nil {
		var qe *query.Error
		if !errors.As(err, &qe) {
			t.Fatalf("error %v (%T) is not a *query.Error", err, err)
		}
		if _, ok := v[qe.Param]; !ok && qe.Param != "q" && !strings.HasPrefix(qe.Param, "page[") {
			t.Fatalf("error names parameter %q, which the request lacks (%v)", qe.Param, err)
		}
		if qe.Detail() == "" {
			t.Fatal("error has no detail")
		}
		return
	}
	b := sq.Select("person.id").From("person")
	if p.Filter != nil {
		b = b.Where(p.Filter)
	}
	for _, o := range query.OrderBy(p.Sort, false) {
		b = b.OrderByClause(o)
	}
	if p.Page.After != nil {
		b = b.Where(query.Seek(p.Sort, p.Page.After, false))
	}
	if p.Page.Before != nil {
		b = b.Where(query.Seek(p.Sort, p.Page.Before, true))
	}
	max := c.MaxPageSize
	if max == 0 {
		max = query.DefaultMaxPage
	}
	if p.Page.Size < 1 || p.Page.Size > max {
		t.Fatalf("page size %d outside [1, %d]", p.Page.Size, max)
	}
	if p.Page.Start < 0 || p.Page.Number < 0 {
		t.Fatalf("page start %d, number %d: negative", p.Page.Start, p.Page.Number)
	}
	b = b.Limit(uint64(p.Page.Size)).Offset(uint64(p.Page.Start))
	text, args, err := b.ToSql()
	if err != nil {
		t.Fatalf("ToSql: %v", err)
	}
	fuzzCheckSQL(t, text)
	for _, fn := range p.Functions {
		fuzzCheckSQL(t, fn.SQL)
	}
	depth := c.IncludeDepth
	if depth == 0 {
		depth = query.DefaultIncludeDepth
	}
	if len(p.Include) > query.DefaultIncludePaths {
		t.Fatalf("%d include paths, more than %d", len(p.Include), query.DefaultIncludePaths)
	}
	for _, path := range p.Include {
		if len(path) > depth {
			t.Fatalf("include path %v is longer than %d", path, depth)
		}
	}
	for typ, names := range p.Fields {
		r, ok := c.Types(typ)
		if !ok {
			t.Fatalf("fields of unknown type %q accepted", typ)
		}
		for _, n := range names {
			if !r.Member(n) {
				t.Fatalf("fields[%s] names %q, not a member", typ, n)
			}
		}
	}
	rows, err := db.Query(text, args...)
	if err != nil {
		t.Fatalf("the accepted query fails: %s %v: %v", text, args, err)
	}
	for rows.Next() {
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("the accepted query fails: %s %v: %v", text, args, err)
	}
	rows.Close()
}

// FuzzParseQuery fuzzes whole query strings.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"", "filter[name]=Jeffrey", "filter[age][gt]=30&sort=-age,name", "page[number]=2&page[size]=1",
		"page[offset]=1&page[limit]=2", "include=computers,computers.owner&fields[computer]=name",
		"filter[objects]=%5B%7B%22name%22%3A%22age%22%2C%22op%22%3A%22ge%22%2C%22val%22%3A30%7D%5D",
		"q=%7B%22filters%22%3A%5B%5D%2C%22limit%22%3A2%7D", "filter[single]=1&filter[name]=Hilda",
		"filter[name][in]=a,b,c", "filter[age][is_null]=", "sort=id&page[after]=eyJzIjoiaWQiLCJ2IjpbMV19",
		"withCount=computers", "filter[name][like]=J%25", "fields[person]=", "a;b=1", "%zz=1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		db := fuzzOpenDB(t)
		v, err := query.Values(raw)
		if err != nil {
			var qe *query.Error
			if !errors.As(err, &qe) {
				t.Fatalf("Values error %v is not a *query.Error", err)
			}
			return
		}
		for _, cursor := range []bool{false, true} {
			c := fuzzConfig(cursor)
			p, err := query.Parse(context.Background(), v, c)
			fuzzCheck(t, db, v, c, p, err)
		}
	})
}

// FuzzFilterObjects fuzzes the JSON of filter[objects] (and, the same
// compiler, the filters of the legacy q).
func FuzzFilterObjects(f *testing.F) {
	for _, s := range []string{
		`[{"name":"age","op":"ge","val":30}]`,
		`[{"name":"name","op":"like","val":"J%"}]`,
		`[{"or":[{"name":"age","op":"lt","val":30},{"not":{"name":"name","op":"eq","val":"Hilda"}}]}]`,
		`[{"name":"computers","op":"any","val":{"name":"vendor","op":"in","val":["Dell","Apple"]}}]`,
		`[{"name":"age","op":"is_null"}]`,
		`[{"name":"name","op":"eq","field":"name"}]`,
		`[{"and":[{"name":"id","op":"not_in","val":[1,null]}]}]`,
		`[{"name":"computers","op":"any"}]`,
		`[{"name":"name","op":"ilike","val":"%A%"}]`,
		`[{"not":{"not":{"not":{"name":"age","op":"==","val":35}}}}]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, js string) {
		db := fuzzOpenDB(t)
		c := fuzzConfig(false)
		v := url.Values{"filter[objects]": {js}}
		p, err := query.Parse(context.Background(), v, c)
		fuzzCheck(t, db, v, c, p, err)
		v = url.Values{"q": {`{"filters":` + js + `}`}}
		p, err = query.Parse(context.Background(), v, c)
		fuzzCheck(t, db, v, c, p, err)
	})
}

// FuzzLegacyQ fuzzes the whole legacy q object.
func FuzzLegacyQ(f *testing.F) {
	for _, s := range []string{
		`{"filters":[{"name":"age","op":">","val":30}],"order_by":[{"field":"name","direction":"desc"}],"limit":2,"offset":1}`,
		`{"filters":[{"name":"name","op":"==","val":"Hilda"}],"single":true}`,
		`{"disjunction":true,"filters":[{"name":"age","op":"<","val":30},{"name":"age","op":">","val":40}]}`,
		`{"functions":[{"name":"sum","field":"age"}]}`,
		`{}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, js string) {
		db := fuzzOpenDB(t)
		c := fuzzConfig(false)
		v := url.Values{"q": {js}}
		p, err := query.Parse(context.Background(), v, c)
		fuzzCheck(t, db, v, c, p, err)
		c.Collection, c.Functions = false, true
		p, err = query.Parse(context.Background(), v, c)
		if err == nil {
			for _, fn := range p.Functions {
				fuzzCheckSQL(t, fn.SQL)
			}
		}
	})
}

// FuzzSortIncludeFieldsPage fuzzes sort, include, fields, the simple
// filter form and page values together.
func FuzzSortIncludeFieldsPage(f *testing.F) {
	f.Add("-age,name", "computers.owner", "person", "name,computers", "name", "eq", "Jeffrey", "2", "1")
	f.Add("computers.name", "computers,computers.owner.computers", "computer", "vendor", "age", "ge", "30", "0", "-1")
	f.Add("id", "", "people", "", "computers", "", "1,2", "101", "9223372036854775807")
	f.Fuzz(func(t *testing.T, sort, include, fieldsType, fields, filterName, filterOp, filterVal, size, number string) {
		db := fuzzOpenDB(t)
		c := fuzzConfig(false)
		v := url.Values{}
		set := func(k, val string) {
			if val != "" {
				v.Set(k, val)
			}
		}
		set("sort", sort)
		set("include", include)
		if fieldsType != "" {
			v.Set("fields["+fieldsType+"]", fields)
		}
		name := "filter[" + filterName + "]"
		if filterOp != "" {
			name += "[" + filterOp + "]"
		}
		if filterName != "" {
			v.Set(name, filterVal)
		}
		set("page[size]", size)
		set("page[number]", number)
		p, err := query.Parse(context.Background(), v, c)
		fuzzCheck(t, db, v, c, p, err)
	})
}
