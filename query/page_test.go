package query_test

// Unit tests of pagination, sorting and cursors: the page styles Parse
// chooses, EncodeCursor and its decoding, and Seek, whose conditions are
// run on an in-memory SQLite database over rows with many equal sort
// values and NULLs.

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"
	"github.com/google/go-cmp/cmp"

	"github.com/gorestless/restless/query"
)

func fkPage(pairs []string, c query.Config) (query.Params, error) {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	return query.Parse(context.Background(), v, c)
}

// fkCursorOf returns the cursor of a row of person whose sort values are
// vals, for the sort parameter s.
func fkCursorOf(t *testing.T, s string, vals ...any) string {
	t.Helper()
	person, _ := fkTypes()
	p, err := fkParse(person, "sort", s)
	if err != nil {
		t.Fatal(err)
	}
	return query.EncodeCursor(p.Sort, vals)
}

func TestPageStyles(t *testing.T) {
	person, _ := fkTypes()
	coll := query.Config{Resolver: person, Collection: true}
	cursor := query.Config{Resolver: person, Collection: true, Cursor: true}
	tests := []struct {
		name   string
		pairs  []string
		c      query.Config
		style  query.PageStyle
		number int
		size   int
		start  int
	}{
		{"default", nil, coll, query.PageNumber, 1, 10, 0},
		{"number", []string{"page[number]", "3", "page[size]", "7"}, coll, query.PageNumber, 3, 7, 14},
		{"number only", []string{"page[number]", "2"}, coll, query.PageNumber, 2, 10, 10},
		{"size only", []string{"page[size]", "4"}, coll, query.PageNumber, 1, 4, 0},
		{"configured size", nil, query.Config{Resolver: person, Collection: true, PageSize: 25}, query.PageNumber, 1, 25, 0},
		{"offset", []string{"page[offset]", "5", "page[limit]", "3"}, coll, query.PageOffset, 0, 3, 5},
		{"offset zero", []string{"page[offset]", "0"}, coll, query.PageOffset, 0, 10, 0},
		{"limit only", []string{"page[limit]", "2"}, coll, query.PageOffset, 0, 2, 0},
		{"cursor by Accept", nil, cursor, query.PageCursor, 0, 10, 0},
		{"cursor by Accept with size", []string{"page[size]", "100"}, cursor, query.PageCursor, 0, 100, 0},
		{"cursor by page[after]", []string{"page[after]", fkCursorOf(t, "id", int64(3))}, coll, query.PageCursor, 0, 10, 0},
		{"cursor by page[before]", []string{"page[before]", fkCursorOf(t, "id", int64(3)), "page[size]", "2"}, coll, query.PageCursor, 0, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := fkPage(tt.pairs, tt.c)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			g := p.Page
			if g.Style != tt.style || g.Size != tt.size || g.Start != tt.start || g.Offset() != tt.start {
				t.Errorf("Page = %+v, want style %d size %d start %d", g, tt.style, tt.size, tt.start)
			}
			if tt.style == query.PageNumber && g.Number != tt.number {
				t.Errorf("Page.Number = %d, want %d", g.Number, tt.number)
			}
			cursorProfile := slices.Contains(p.Profiles, query.CursorProfile)
			if cursorProfile != (tt.style == query.PageCursor) {
				t.Errorf("Profiles = %v for style %d", p.Profiles, g.Style)
			}
			if len(p.Sort) == 0 || p.Sort[len(p.Sort)-1].Name != "id" {
				t.Errorf("Sort = %v, want the id last", p.Sort)
			}
		})
	}
	t.Run("cursor values", func(t *testing.T) {
		c := fkCursorOf(t, "-age,name", nil, "Hilda", int64(2))
		p, err := fkPage([]string{"sort", "-age,name", "page[after]", c}, coll)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]any{nil, "Hilda", int64(2)}, p.Page.After); diff != "" {
			t.Errorf("After (-want +got):\n%s", diff)
		}
		if p.Page.Before != nil {
			t.Errorf("Before = %v, want nil", p.Page.Before)
		}
		p, err = fkPage([]string{"sort", "-age,name", "page[before]", c}, coll)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]any{nil, "Hilda", int64(2)}, p.Page.Before); diff != "" {
			t.Errorf("Before (-want +got):\n%s", diff)
		}
	})
	t.Run("item", func(t *testing.T) {
		p, err := fkPage(nil, query.Config{Resolver: person})
		if err != nil || p.Sort != nil {
			t.Errorf("item: Sort = %v, err %v; want nil", p.Sort, err)
		}
	})
	t.Run("cursor profile asked for outside a collection", func(t *testing.T) {
		// Config.Cursor says the Accept header names the profile; on an
		// item or evaluation request there is nothing to paginate.
		for _, c := range []query.Config{{Resolver: person, Cursor: true}, {Resolver: person, Cursor: true, Functions: true}} {
			p, err := fkPage(nil, c)
			if err != nil {
				t.Errorf("Parse with %+v: %v", c, err)
				continue
			}
			if slices.Contains(p.Profiles, query.CursorProfile) {
				t.Errorf("Profiles = %v outside a collection", p.Profiles)
			}
		}
	})
}

func TestPageErrors(t *testing.T) {
	person, _ := fkTypes()
	coll := query.Config{Resolver: person, Collection: true}
	cursor := query.Config{Resolver: person, Collection: true, Cursor: true}
	after := fkCursorOf(t, "age", int64(30), int64(4))
	tests := []struct {
		name    string
		pairs   []string
		c       query.Config
		param   []string // any of these
		typ     string
		maxSize bool
	}{
		{"size over max", []string{"page[size]", "101"}, coll, []string{"page[size]"}, "", true},
		{"size over configured max", []string{"page[size]", "11"}, query.Config{Resolver: person, Collection: true, MaxPageSize: 10}, []string{"page[size]"}, "", true},
		{"limit over max", []string{"page[limit]", "101"}, coll, []string{"page[limit]"}, "", true},
		{"cursor size over max", []string{"page[size]", "101"}, cursor, []string{"page[size]"}, query.ErrTypeMaxSize, true},
		{"cursor size over max with after", []string{"sort", "age", "page[size]", "101", "page[after]", after}, coll, []string{"page[size]"}, query.ErrTypeMaxSize, true},
		{"number with offset", []string{"page[number]", "1", "page[offset]", "1"}, coll, []string{"page[number]", "page[offset]"}, "", false},
		{"size with limit", []string{"page[size]", "1", "page[limit]", "1"}, coll, []string{"page[size]", "page[limit]"}, "", false},
		{"after with before", []string{"sort", "age", "page[after]", after, "page[before]", after}, coll, []string{"page[after]", "page[before]"}, query.ErrTypeRangeNotAllowed, false},
		{"cursor with number", []string{"page[number]", "1"}, cursor, []string{"page[number]"}, "", false},
		{"cursor with offset", []string{"sort", "age", "page[after]", after, "page[offset]", "1"}, coll, []string{"page[offset]"}, "", false},
		{"cursor of another sort", []string{"sort", "-age", "page[after]", after}, coll, []string{"page[after]"}, "", false},
		{"cursor of another sort before", []string{"sort", "age,name", "page[before]", after}, coll, []string{"page[before]"}, "", false},
		{"garbage cursor", []string{"page[after]", "%%%"}, coll, []string{"page[after]"}, "", false},
		{"cursor not JSON", []string{"page[after]", base64.RawURLEncoding.EncodeToString([]byte("nope"))}, coll, []string{"page[after]"}, "", false},
		{"cursor with a null id", []string{"page[after]", base64.RawURLEncoding.EncodeToString([]byte(`{"s":"id","v":[null]}`))}, coll, []string{"page[after]"}, "", false},
		{"cursor with a bad value", []string{"sort", "age", "page[after]", base64.RawURLEncoding.EncodeToString([]byte(`{"s":"age,id","v":["x",1]}`))}, coll, []string{"page[after]"}, "", false},
		{"cursor too long", []string{"page[after]", base64.RawURLEncoding.EncodeToString([]byte(`{"s":"id","v":[1],"x":"` + strings.Repeat("x", 5000) + `"}`))}, coll, []string{"page[after]"}, "", false},
		{"size zero", []string{"page[size]", "0"}, coll, []string{"page[size]"}, "", false},
		{"size with spaces", []string{"page[size]", " 5"}, coll, []string{"page[size]"}, "", false},
		{"size with leading zero", []string{"page[size]", "05"}, coll, []string{"page[size]"}, "", false},
		{"number beyond any result", []string{"page[number]", "9007199254740993", "page[size]", "100"}, coll, []string{"page[number]"}, "", false},
		{"offset beyond any result", []string{"page[offset]", "9007199254740993"}, coll, []string{"page[offset]"}, "", false},
		{"nested page parameter", []string{"page[size][x]", "1"}, coll, []string{"page[size][x]"}, "", false},
		{"unknown page parameter", []string{"page[cursor]", "1"}, coll, []string{"page[cursor]"}, "", false},
		{"not a collection", []string{"page[size]", "1"}, query.Config{Resolver: person}, []string{"page[size]"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := fkPage(tt.pairs, tt.c)
			var qe *query.Error
			if !errors.As(err, &qe) {
				t.Fatalf("error = %v, want a *query.Error", err)
			}
			if !slices.Contains(tt.param, qe.Param) {
				t.Errorf("error Param = %q, want one of %q (a parameter of the request)", qe.Param, tt.param)
			}
			if qe.Type != tt.typ {
				t.Errorf("error Type = %q, want %q", qe.Type, tt.typ)
			}
			page, _ := qe.Meta["page"].(map[string]any)
			if tt.maxSize && page["maxSize"] == nil {
				t.Errorf("error Meta = %v, want page.maxSize", qe.Meta)
			}
		})
	}
}

func TestSortParse(t *testing.T) {
	person, computer := fkTypes()
	tests := []struct {
		r    *fkType
		sort string
		want []string
	}{
		{person, "age", []string{"age", "id"}},
		{person, "-age", []string{"-age", "id"}},
		{person, "name,-age", []string{"name", "-age", "id"}},
		{person, "-id", []string{"-id"}},
		{person, "age,id", []string{"age", "id"}},
		{computer, "owner.name", []string{"owner.name", "id"}},
		{computer, "-owner.age,name", []string{"-owner.age", "name", "id"}},
	}
	for _, tt := range tests {
		t.Run(tt.sort, func(t *testing.T) {
			p, err := fkParse(tt.r, "sort", tt.sort)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, k := range p.Sort {
				n := k.Name
				if k.Desc {
					n = "-" + n
				}
				got = append(got, n)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Sort (-want +got):\n%s", diff)
			}
			if last := p.Sort[len(p.Sort)-1]; !last.NotNull {
				t.Errorf("the id key is not NotNull: %+v", last)
			}
		})
	}
	p, err := fkParse(person)
	if err != nil || len(p.Sort) != 1 || p.Sort[0].Name != "id" || p.Sort[0].Desc {
		t.Errorf("no sort: Sort = %+v, err %v; want id ascending", p.Sort, err)
	}
	for _, bad := range []struct {
		r    *fkType
		sort string
	}{
		{person, "shoe"}, {person, ""}, {person, "-"}, {person, "age,"}, {person, "age,-age"},
		{person, "computers.name"}, {computer, "owner"}, {computer, "owner.shoe"},
		{computer, "owner.computers.name"}, {computer, "shoe.name"}, {person, "age DESC"},
	} {
		_, err := fkParse(bad.r, "sort", bad.sort)
		var qe *query.Error
		if !errors.As(err, &qe) || qe.Param != "sort" {
			t.Errorf("sort=%q: error = %v, want one for sort", bad.sort, err)
		}
	}
}

// fkSeekRow is a row of the Seek tests.
type fkSeekRow struct {
	id   int64
	name any // nil or string
	age  any // nil or int64
}

// fkSeekDB returns a database of people with many equal names and ages
// and some NULLs, and its rows.
func fkSeekDB(t *testing.T) (*sql.DB, []fkSeekRow) {
	t.Helper()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT, age INTEGER)`); err != nil {
		t.Fatal(err)
	}
	names := []any{"b", "a", nil, "c", "a", "b", nil}
	ages := []any{int64(30), nil, int64(20), int64(30), int64(40), int64(20), nil, int64(30)}
	var rows []fkSeekRow
	for id := int64(1); id <= 30; id++ {
		r := fkSeekRow{id: id, name: names[(id*3)%int64(len(names))], age: ages[id%int64(len(ages))]}
		rows = append(rows, r)
		if _, err := db.Exec(`INSERT INTO person (id, name, age) VALUES (?, ?, ?)`, r.id, r.name, r.age); err != nil {
			t.Fatal(err)
		}
	}
	return db, rows
}

// fkModelOrder orders rows by a sort parameter in Go: NULLs last
// ascending, first descending, the id breaking ties.
func fkModelOrder(rows []fkSeekRow, s string) []int64 {
	var keys []string
	if s != "" {
		keys = strings.Split(s, ",")
	}
	val := func(r fkSeekRow, name string) any {
		switch name {
		case "name":
			return r.name
		case "age":
			return r.age
		}
		return r.id
	}
	sorted := slices.Clone(rows)
	slices.SortStableFunc(sorted, func(a, b fkSeekRow) int {
		for _, k := range keys {
			desc := strings.HasPrefix(k, "-")
			va, vb := val(a, strings.TrimPrefix(k, "-")), val(b, strings.TrimPrefix(k, "-"))
			c := 0
			switch {
			case va == nil && vb == nil:
			case va == nil:
				c = 1
			case vb == nil:
				c = -1
			default:
				switch x := va.(type) {
				case int64:
					c = int(x - vb.(int64))
				case string:
					c = strings.Compare(x, vb.(string))
				}
			}
			if desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return int(a.id - b.id)
	})
	ids := make([]int64, len(sorted))
	for i, r := range sorted {
		ids[i] = r.id
	}
	return ids
}

// fkRun runs a select of ids and sort-key values.
func fkRun(t *testing.T, db *sql.DB, keys []query.Sort, where sq.Sqlizer, reverse bool) (ids []int64, vals [][]any) {
	t.Helper()
	b := sq.Select("person.id").From("person")
	for _, k := range keys {
		b = b.Column(k.Key)
	}
	if where != nil {
		b = b.Where(where)
	}
	for _, o := range query.OrderBy(keys, reverse) {
		b = b.OrderByClause(o)
	}
	text, args, err := b.ToSql()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(text, args...)
	if err != nil {
		t.Fatalf("%s %v: %v", text, args, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		v := make([]any, len(keys))
		ptrs := []any{&id}
		for i := range v {
			ptrs = append(ptrs, &v[i])
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		vals = append(vals, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids, vals
}

func TestCursorSeek(t *testing.T) {
	db, rows := fkSeekDB(t)
	person, _ := fkTypes()
	for _, s := range []string{"", "-id", "age", "-age", "name", "-name", "age,name", "-age,name", "name,-age", "-name,-age,-id", "age,id"} {
		t.Run("sort="+s, func(t *testing.T) {
			pairs := []string{}
			if s != "" {
				pairs = append(pairs, "sort", s)
			}
			p, err := fkParse(person, pairs...)
			if err != nil {
				t.Fatal(err)
			}
			keys := p.Sort
			order, vals := fkRun(t, db, keys, nil, false)
			if diff := cmp.Diff(fkModelOrder(rows, s), order); diff != "" {
				t.Fatalf("OrderBy (-want +got):\n%s", diff)
			}
			reversed, _ := fkRun(t, db, keys, nil, true)
			slices.Reverse(reversed)
			if diff := cmp.Diff(order, reversed); diff != "" {
				t.Errorf("reversed OrderBy (-want +got):\n%s", diff)
			}
			for i := range order {
				// Seek with the values read from the database.
				after, _ := fkRun(t, db, keys, query.Seek(keys, vals[i], false), false)
				if diff := cmp.Diff(order[i+1:], after, cmpEmpty); diff != "" {
					t.Errorf("after row %d (id %d, %v) (-want +got):\n%s", i, order[i], vals[i], diff)
				}
				before, _ := fkRun(t, db, keys, query.Seek(keys, vals[i], true), true)
				slices.Reverse(before)
				if diff := cmp.Diff(order[:i], before, cmpEmpty); diff != "" {
					t.Errorf("before row %d (id %d, %v) (-want +got):\n%s", i, order[i], vals[i], diff)
				}

				// The same through an opaque cursor.
				cur := query.EncodeCursor(keys, vals[i])
				q := append(slices.Clone(pairs), "page[after]", cur)
				pc, err := fkParse(person, q...)
				if err != nil {
					t.Fatalf("Parse of the cursor of row %d: %v", i, err)
				}
				if diff := cmp.Diff(vals[i], pc.Page.After); diff != "" {
					t.Errorf("cursor of row %d decodes to (-want +got):\n%s", i, diff)
				}
				after, _ = fkRun(t, db, pc.Sort, query.Seek(pc.Sort, pc.Page.After, false), false)
				if diff := cmp.Diff(order[i+1:], after, cmpEmpty); diff != "" {
					t.Errorf("after the cursor of row %d (-want +got):\n%s", i, diff)
				}
			}
		})
	}
}

// cmpEmpty makes nil and empty slices equal.
var cmpEmpty = cmp.Comparer(func(a, b []int64) bool { return slices.Equal(a, b) })

func TestCursorEncode(t *testing.T) {
	person, computer := fkTypes()
	p, err := fkParse(computer, "sort", "-owner.name,name")
	if err != nil {
		t.Fatal(err)
	}
	vals := []any{"Hilda \"H\" ☃", nil, int64(7)}
	c := query.EncodeCursor(p.Sort, vals)
	if strings.ContainsAny(c, "+/=%&") {
		t.Errorf("cursor %q is not URL-safe", c)
	}
	if strings.Contains(c, "Hilda") {
		t.Errorf("cursor %q is not opaque", c)
	}
	got, err := fkParse(computer, "sort", "-owner.name,name", "page[after]", c)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(vals, got.Page.After); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if _, err := fkParse(computer, "sort", "owner.name,name", "page[after]", c); err == nil {
		t.Errorf("a cursor of -owner.name,name was accepted for owner.name,name")
	}
	if _, err := fkParse(person, "sort", "-owner.name,name", "page[after]", c); err == nil {
		t.Errorf("a cursor was accepted for a sort that does not parse")
	}
	// Same values, same cursor: cursors are deterministic.
	if c2 := query.EncodeCursor(p.Sort, vals); c2 != c {
		t.Errorf("EncodeCursor is not deterministic: %q, %q", c, c2)
	}
}

func TestQueryValues(t *testing.T) {
	tests := []struct {
		raw  string
		want url.Values
	}{
		{"", url.Values{}},
		{"a=1&b=2", url.Values{"a": {"1"}, "b": {"2"}}},
		{"filter%5Bname%5D=J%25", url.Values{"filter[name]": {"J%"}}},
		{"filter[name]=a+b", url.Values{"filter[name]": {"a b"}}},
		{"a=1&a=2", url.Values{"a": {"1", "2"}}},
		{"&&a=1&", url.Values{"a": {"1"}}},
		{"flag", url.Values{"flag": {""}}},
		{"a=x=y", url.Values{"a": {"x=y"}}},
	}
	for _, tt := range tests {
		got, err := query.Values(tt.raw)
		if err != nil {
			t.Errorf("Values(%q): %v", tt.raw, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Values(%q) (-want +got):\n%s", tt.raw, diff)
		}
	}
	bad := []struct {
		raw, param string
	}{
		{"filter%5Bname%5D=%ZZ", "filter[name]"},
		{"a=1&b=50%", "b"},
		{"a=%", "a"},
		{"a%ZZ=1", "a%ZZ"},
		{"a=1;b=2", "a"},
		{"sort=age;drop", "sort"},
	}
	for _, tt := range bad {
		_, err := query.Values(tt.raw)
		var qe *query.Error
		if !errors.As(err, &qe) {
			t.Errorf("Values(%q) error = %v, want a *query.Error", tt.raw, err)
			continue
		}
		if qe.Param != tt.param {
			t.Errorf("Values(%q) error Param = %q, want %q", tt.raw, qe.Param, tt.param)
		}
	}
	// Parse refuses what Values keeps twice.
	v, _ := query.Values("page[size]=1&page[size]=2")
	_, err := query.Parse(context.Background(), v, query.Config{Collection: true})
	var qe *query.Error
	if !errors.As(err, &qe) || qe.Param != "page[size]" {
		t.Errorf("repeated parameter: error = %v, want one for page[size]", err)
	}
}
