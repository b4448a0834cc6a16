package query_test

// Unit tests of filter parsing (filter[objects], the simple form, legacy
// q, single and functions) with a fake Resolver. The conditions Parse
// builds are run on an in-memory SQLite database, so the tests check what
// they select, not how the SQL is spelt.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"
	"github.com/google/go-cmp/cmp"
	_ "modernc.org/sqlite"

	"github.com/gorestless/restless/query"
)

// fkType is a fake query.Resolver over one table.
type fkType struct {
	name   string
	fields map[string]query.Field
	rels   map[string]query.Relation
}

func (t *fkType) Type() string { return t.name }

func (t *fkType) Field(name string) (query.Field, bool) {
	f, ok := t.fields[name]
	return f, ok
}

func (t *fkType) Relation(name string) (query.Relation, bool) {
	r, ok := t.rels[name]
	return r, ok
}

func (t *fkType) Member(name string) bool {
	_, f := t.fields[name]
	_, r := t.rels[name]
	return name != "id" && (f || r)
}

func fkIsNull(raw json.RawMessage) bool { return strings.TrimSpace(string(raw)) == "null" }

// fkInt is an integer field read by expr.
func fkInt(name, expr string) query.Field {
	return query.Field{
		Name: name,
		Expr: expr,
		FromJSON: func(raw json.RawMessage) (any, error) {
			if fkIsNull(raw) {
				return nil, nil
			}
			var n int64
			if err := json.Unmarshal(raw, &n); err != nil {
				return nil, errors.New("must be an integer")
			}
			return n, nil
		},
		FromText: func(s string) (any, error) {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return nil, errors.New("must be an integer")
			}
			return n, nil
		},
		AppendJSON: fkAppend,
	}
}

// fkText is a text field read by expr.
func fkText(name, expr string) query.Field {
	return query.Field{
		Name: name,
		Expr: expr,
		Text: true,
		FromJSON: func(raw json.RawMessage) (any, error) {
			if fkIsNull(raw) {
				return nil, nil
			}
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, errors.New("must be a string")
			}
			return s, nil
		},
		FromText:   func(s string) (any, error) { return s, nil },
		AppendJSON: fkAppend,
	}
}

func fkAppend(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case string:
		return strconv.AppendQuote(b, x)
	case []byte:
		return strconv.AppendQuote(b, string(x))
	}
	panic(fmt.Sprintf("fkAppend: unexpected %T", v))
}

// fkTypes returns the fake person and computer types: person.computers is
// to-many, computer.owner to-one.
func fkTypes() (person, computer *fkType) {
	person = &fkType{name: "person", fields: map[string]query.Field{
		"id":   fkInt("id", "person.id"),
		"name": fkText("name", "person.name"),
		"age":  fkInt("age", "person.age"),
	}}
	computer = &fkType{name: "computer", fields: map[string]query.Field{
		"id":     fkInt("id", "computer.id"),
		"name":   fkText("name", "computer.name"),
		"vendor": fkText("vendor", "computer.vendor"),
	}}
	where := func(b sq.SelectBuilder, cond sq.Sqlizer) sq.SelectBuilder {
		if cond != nil {
			b = b.Where(cond)
		}
		return b
	}
	ownerID := fkInt("owner", "computer.owner_id")
	person.rels = map[string]query.Relation{
		"computers": {
			Name: "computers", ToMany: true, Target: computer, Key: "person.id",
			Matches: func(ctx context.Context, cond sq.Sqlizer) (sq.SelectBuilder, error) {
				return where(sq.Select("computer.owner_id").From("computer").Where("computer.owner_id IS NOT NULL"), cond), nil
			},
		},
	}
	computer.rels = map[string]query.Relation{
		"owner": {
			Name: "owner", Target: person, Key: "computer.owner_id", ID: &ownerID,
			Matches: func(ctx context.Context, cond sq.Sqlizer) (sq.SelectBuilder, error) {
				return where(sq.Select("person.id").From("person"), cond), nil
			},
			Lookup: func(ctx context.Context, f query.Field) (sq.Sqlizer, error) {
				return sq.Expr("(SELECT " + f.Expr + " FROM person WHERE person.id = computer.owner_id)"), nil
			},
		},
	}
	return person, computer
}

// fkDB returns an in-memory database with the fake types' tables.
func fkDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	for _, stmt := range []string{
		`CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT, age INTEGER)`,
		`CREATE TABLE computer (id INTEGER PRIMARY KEY, name TEXT, vendor TEXT, owner_id INTEGER)`,
		`INSERT INTO person VALUES (1, 'Jeffrey', 35), (2, 'Hilda', 41), (3, 'Tomasz', 26), (4, 'Dora', NULL), (5, 'eve', 3)`,
		`INSERT INTO computer VALUES (1, 'lixie', 'Dell', 1), (2, 'foo', 'Apple', 1), (3, 'turing', 'Lenovo', 2), (4, 'zx', 'Sinclair', NULL)`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// fkSelect runs the ids of table meeting cond, in id order.
func fkSelect(t *testing.T, db *sql.DB, table string, cond sq.Sqlizer) []string {
	t.Helper()
	b := sq.Select(table + ".id").From(table).OrderBy(table + ".id")
	if cond != nil {
		b = b.Where(cond)
	}
	text, args, err := b.ToSql()
	if err != nil {
		t.Fatalf("ToSql: %v", err)
	}
	rows, err := db.Query(text, args...)
	if err != nil {
		t.Fatalf("query %s %v: %v", text, args, err)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// fkParse parses pairs for a collection of r.
func fkParse(r query.Resolver, pairs ...string) (query.Params, error) {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	person, computer := fkTypes()
	types := func(typ string) (query.Resolver, bool) {
		switch typ {
		case "person":
			return person, true
		case "computer":
			return computer, true
		}
		return nil, false
	}
	return query.Parse(context.Background(), v, query.Config{Resolver: r, Types: types, Collection: true})
}

// fkWantParamErr checks err is a *query.Error naming param.
func fkWantParamErr(t *testing.T, err error, param string) *query.Error {
	t.Helper()
	var qe *query.Error
	if !errors.As(err, &qe) {
		t.Fatalf("error = %v, want a *query.Error for %s", err, param)
	}
	if qe.Param != param {
		t.Errorf("error Param = %q, want %q (%v)", qe.Param, param, err)
	}
	if qe.Detail() == "" || !strings.Contains(qe.Error(), param) {
		t.Errorf("error %v has no detail or does not name %s", err, param)
	}
	return qe
}

func TestFilterOperatorAliases(t *testing.T) {
	db := fkDB(t)
	person, _ := fkTypes()
	tests := []struct {
		ops  []string
		val  string
		want []string
	}{
		{[]string{"==", "eq", "equals", "equal_to"}, "35", []string{"1"}},
		{[]string{"!=", "ne", "neq", "not_equal_to", "does_not_equal"}, "35", []string{"2", "3", "5"}},
		{[]string{">", "gt"}, "35", []string{"2"}},
		{[]string{"<", "lt"}, "35", []string{"3", "5"}},
		{[]string{">=", "ge", "gte", "geq"}, "35", []string{"1", "2"}},
		{[]string{"<=", "le", "lte", "leq"}, "35", []string{"1", "3", "5"}},
		{[]string{"in"}, "[35,26]", []string{"1", "3"}},
		{[]string{"not_in"}, "[35,26]", []string{"2", "5"}},
	}
	for _, tt := range tests {
		for _, op := range tt.ops {
			t.Run(op, func(t *testing.T) {
				f := fmt.Sprintf(`[{"name":"age","op":%q,"val":%s}]`, op, tt.val)
				p, err := fkParse(person, "filter[objects]", f)
				if err != nil {
					t.Fatalf("Parse(%s): %v", f, err)
				}
				text, args, err := p.Filter.ToSql()
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(text, "35") || !slices.Contains(args, any(int64(35))) {
					t.Errorf("the value is not a bind parameter: %s %v", text, args)
				}
				if diff := cmp.Diff(tt.want, fkSelect(t, db, "person", p.Filter)); diff != "" {
					t.Errorf("ids (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestFilterObjects(t *testing.T) {
	db := fkDB(t)
	person, computer := fkTypes()
	deep := func(n int) string {
		return "[" + strings.Repeat(`{"not":`, n) + `{"name":"id","op":"eq","val":1}` + strings.Repeat("}", n) + "]"
	}
	tests := []struct {
		name   string
		r      *fkType
		filter string
		want   []string
	}{
		{"is_null", person, `[{"name":"age","op":"is_null"}]`, []string{"4"}},
		{"is_not_null", person, `[{"name":"age","op":"is_not_null"}]`, []string{"1", "2", "3", "5"}},
		{"eq null", person, `[{"name":"age","op":"eq","val":null}]`, []string{"4"}},
		{"ne null", person, `[{"name":"age","op":"!=","val":null}]`, []string{"1", "2", "3", "5"}},
		{"in with null", person, `[{"name":"age","op":"in","val":[null,41]}]`, []string{"2", "4"}},
		{"in empty", person, `[{"name":"age","op":"in","val":[]}]`, []string{}},
		{"not_in empty", person, `[{"name":"age","op":"not_in","val":[]}]`, []string{"1", "2", "3", "4", "5"}},
		{"like", person, `[{"name":"name","op":"like","val":"%e%"}]`, []string{"1", "5"}},
		{"ilike", person, `[{"name":"name","op":"ilike","val":"JEFF%"}]`, []string{"1"}},
		{"not_like", person, `[{"name":"name","op":"not_like","val":"%e%"}]`, []string{"2", "3", "4"}},
		{"field", person, `[{"name":"age","op":"gt","field":"id"}]`, []string{"1", "2", "3"}},
		{"field le", person, `[{"name":"age","op":"<=","field":"id"}]`, []string{"5"}},
		{"or", person, `[{"or":[{"name":"age","op":"lt","val":10},{"name":"name","op":"eq","val":"Hilda"}]}]`, []string{"2", "5"}},
		{"and", person, `[{"and":[{"name":"age","op":"gt","val":20},{"name":"age","op":"lt","val":40}]}]`, []string{"1", "3"}},
		{"not", person, `[{"not":{"name":"age","op":"gt","val":30}}]`, []string{"3", "5"}},
		{"empty list", person, `[]`, []string{"1", "2", "3", "4", "5"}},
		{"empty or", person, `[{"or":[]}]`, []string{}},
		{"empty and", person, `[{"and":[]}]`, []string{"1", "2", "3", "4", "5"}},
		{"not empty and", person, `[{"not":{"and":[]}}]`, []string{}},
		{"deep", person, `[{"not":{"or":[{"and":[{"name":"age","op":"ge","val":30},{"not":{"name":"name","op":"eq","val":"Hilda"}}]},{"name":"age","op":"is_null"}]}}]`, []string{"2", "3", "5"}},
		{"31 nots", person, deep(31), []string{"2", "3", "4", "5"}},
		{"has", computer, `[{"name":"owner","op":"has","val":{"name":"name","op":"eq","val":"Jeffrey"}}]`, []string{"1", "2"}},
		{"has without val", computer, `[{"name":"owner","op":"has"}]`, []string{"1", "2", "3"}},
		{"not has", computer, `[{"not":{"name":"owner","op":"has"}}]`, []string{"4"}},
		{"not has with val", computer, `[{"not":{"name":"owner","op":"has","val":{"name":"age","op":"gt","val":40}}}]`, []string{"1", "2", "4"}},
		{"any", person, `[{"name":"computers","op":"any","val":{"name":"vendor","op":"eq","val":"Lenovo"}}]`, []string{"2"}},
		{"any without val", person, `[{"name":"computers","op":"any"}]`, []string{"1", "2"}},
		{"not any", person, `[{"not":{"name":"computers","op":"any"}}]`, []string{"3", "4", "5"}},
		{"any of has", person, `[{"name":"computers","op":"any","val":{"name":"owner","op":"has","val":{"name":"age","op":"gt","val":40}}}]`, []string{"2"}},
		{"has nested or", computer, `[{"name":"owner","op":"has","val":{"or":[{"name":"name","op":"eq","val":"Hilda"},{"name":"age","op":"lt","val":30}]}}]`, []string{"3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := fkParse(tt.r, "filter[objects]", tt.filter)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, fkSelect(t, db, tt.r.name, p.Filter)); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFilterObjectErrors(t *testing.T) {
	person, computer := fkTypes()
	deep := func(n int) string {
		return "[" + strings.Repeat(`{"not":`, n) + `{"name":"id","op":"eq","val":1}` + strings.Repeat("}", n) + "]"
	}
	many := make([]string, query.MaxInValues+1)
	for i := range many {
		many[i] = strconv.Itoa(i)
	}
	tests := []struct {
		name   string
		r      *fkType
		filter string
	}{
		{"unknown field", person, `[{"name":"shoe","op":"eq","val":1}]`},
		{"unknown op", person, `[{"name":"age","op":"resembles","val":1}]`},
		{"gt null", person, `[{"name":"age","op":"gt","val":null}]`},
		{"lt null", person, `[{"name":"age","op":"lt","val":null}]`},
		{"no val", person, `[{"name":"age","op":"ge"}]`},
		{"like on integer", person, `[{"name":"age","op":"like","val":"3%"}]`},
		{"not_like with a number", person, `[{"name":"name","op":"not_like","val":3}]`},
		{"has on a to-many", person, `[{"name":"computers","op":"has"}]`},
		{"any on a to-one", computer, `[{"name":"owner","op":"any"}]`},
		{"relationship compared", computer, `[{"name":"owner","op":"eq","val":1}]`},
		{"malformed", person, `[{"name":"age"`},
		{"trailing", person, `[] x`},
		{"object", person, `{"name":"age","op":"eq","val":1}`},
		{"in with a non-list", person, `[{"name":"age","op":"in","val":35}]`},
		{"in with too many values", person, `[{"name":"age","op":"in","val":[` + strings.Join(many, ",") + `]}]`},
		{"wrong type", person, `[{"name":"age","op":"eq","val":"abc"}]`},
		{"wrong type nested", computer, `[{"name":"owner","op":"has","val":{"name":"age","op":"eq","val":"abc"}}]`},
		{"val and field", person, `[{"name":"age","op":"eq","val":1,"field":"id"}]`},
		{"unknown other field", person, `[{"name":"age","op":"eq","field":"shoe"}]`},
		{"in with field", person, `[{"name":"age","op":"in","field":"id"}]`},
		{"unknown member", person, `[{"name":"age","op":"eq","val":1,"value":2}]`},
		{"and with other members", person, `[{"and":[],"op":"eq"}]`},
		{"or not a list", person, `[{"or":{}}]`},
		{"32 nots", person, deep(query.MaxFilterDepth)},
		{"SQL in a name", person, `[{"name":"age; DROP TABLE person","op":"eq","val":1}]`},
		{"SQL in an op", person, `[{"name":"age","op":"= 1 OR 1","val":1}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := fkParse(tt.r, "filter[objects]", tt.filter)
			if err == nil {
				t.Fatalf("Parse(%s) = %+v, want an error", tt.filter, p.Filter)
			}
			fkWantParamErr(t, err, "filter[objects]")
			if errors.Is(err, query.ErrUnsupported) {
				t.Errorf("a bad filter is reported as unsupported: %v", err)
			}
		})
	}
	t.Run("in with MaxInValues values", func(t *testing.T) {
		f := `[{"name":"age","op":"in","val":[` + strings.Join(many[:query.MaxInValues], ",") + `]}]`
		if _, err := fkParse(person, "filter[objects]", f); err != nil {
			t.Errorf("Parse: %v", err)
		}
	})
}

func TestFilterSimple(t *testing.T) {
	db := fkDB(t)
	person, computer := fkTypes()
	tests := []struct {
		r     *fkType
		pairs []string
		want  []string
	}{
		{person, []string{"filter[name]", "Jeffrey"}, []string{"1"}},
		{person, []string{"filter[age]", "35,41"}, []string{"1", "2"}},
		{person, []string{"filter[age][in]", "35"}, []string{"1"}},
		{person, []string{"filter[age][gte]", "30"}, []string{"1", "2"}},
		{person, []string{"filter[age][lt]", "30"}, []string{"3", "5"}},
		{person, []string{"filter[age][ne]", "35,3"}, []string{"2", "3"}},
		{person, []string{"filter[age][is_null]", ""}, []string{"4"}},
		{person, []string{"filter[name][like]", "%o%"}, []string{"3", "4"}},
		{person, []string{"filter[name][ilike]", "JEFF%"}, []string{"1"}},
		{person, []string{"filter[age][gt]", "20", "filter[objects]", `[{"name":"name","op":"like","val":"%a%"}]`}, []string{"2", "3"}},
		{computer, []string{"filter[owner]", "1,2"}, []string{"1", "2", "3"}},
		{computer, []string{"filter[owner]", "2"}, []string{"3"}},
		{computer, []string{"filter[owner][is_null]", "1"}, []string{"4"}},
		{person, []string{"filter[name]", "a,b", "filter[single]", "0"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.pairs, "="), func(t *testing.T) {
			p, err := fkParse(tt.r, tt.pairs...)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if p.Single {
				t.Errorf("Single is set")
			}
			if diff := cmp.Diff(tt.want, fkSelect(t, db, tt.r.name, p.Filter)); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
	bad := []struct {
		r     *fkType
		pairs []string
		param string
	}{
		{person, []string{"filter[age]", "x"}, "filter[age]"},
		{person, []string{"filter[age][gt]", "1,2"}, "filter[age][gt]"},
		{person, []string{"filter[shoe]", "1"}, "filter[shoe]"},
		{person, []string{"filter[computers]", "1"}, "filter[computers]"},
		{person, []string{"filter[age][resembles]", "1"}, "filter[age][resembles]"},
		{person, []string{"filter[age][like]", "1%"}, "filter[age][like]"},
		{computer, []string{"filter[owner][has]", "1"}, "filter[owner][has]"},
		{person, []string{"filter[age][gt]x", "1"}, "filter[age][gt]x"},
		{person, []string{"filter[]", "1"}, "filter[]"},
		{person, []string{"filter[single]", "2"}, "filter[single]"},
	}
	for _, tt := range bad {
		t.Run("bad "+strings.Join(tt.pairs, "="), func(t *testing.T) {
			_, err := fkParse(tt.r, tt.pairs...)
			fkWantParamErr(t, err, tt.param)
		})
	}
}

func TestFilterSingle(t *testing.T) {
	person, _ := fkTypes()
	for _, v := range []string{"1", "true"} {
		p, err := fkParse(person, "filter[single]", v)
		if err != nil || !p.Single || p.Filter != nil {
			t.Errorf("filter[single]=%s: Single = %v, Filter = %v, err %v; want true, nil, nil", v, p.Single, p.Filter, err)
		}
	}
	p, err := fkParse(person, "q", `{"single":true}`)
	if err != nil || !p.Single {
		t.Errorf(`q={"single":true}: Single = %v, err %v`, p.Single, err)
	}
}

func TestFilterLegacy(t *testing.T) {
	db := fkDB(t)
	person, _ := fkTypes()
	p, err := fkParse(person, "q", `{"filters":[{"name":"age","op":"lt","val":30},{"name":"name","op":"eq","val":"Hilda"}],"disjunction":true,"order_by":[{"field":"age","direction":"desc"},{"field":"name"}],"limit":2,"offset":1}`)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"2", "3", "5"}, fkSelect(t, db, "person", p.Filter)); diff != "" {
		t.Errorf("disjunction ids (-want +got):\n%s", diff)
	}
	var keys []string
	for _, k := range p.Sort {
		keys = append(keys, fmt.Sprint(k.Name, " desc=", k.Desc))
	}
	if diff := cmp.Diff([]string{"age desc=true", "name desc=false", "id desc=false"}, keys); diff != "" {
		t.Errorf("sort (-want +got):\n%s", diff)
	}
	if p.Page.Style != query.PageOffset || p.Page.Size != 2 || p.Page.Offset() != 1 {
		t.Errorf("page = %+v, want offset 1, limit 2", p.Page)
	}

	p, err = fkParse(person, "q", `{"filters":[{"name":"age","op":"lt","val":30},{"name":"name","op":"eq","val":"Hilda"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{}, fkSelect(t, db, "person", p.Filter)); diff != "" {
		t.Errorf("conjunction ids (-want +got):\n%s", diff)
	}

	bad := [][]string{
		{"q", `{"filterz":[]}`},
		{"q", `[]`},
		{"q", `{"filters":[{"name":"shoe","op":"eq","val":1}]}`},
		{"q", `{"order_by":[{"field":"shoe"}]}`},
		{"q", `{"order_by":[{"field":"age","direction":"sideways"}]}`},
		{"q", `{"order_by":[{"field":"age"}]}`, "sort", "name"},
		{"q", `{"limit":0}`},
		{"q", `{"offset":-1}`},
		{"q", `{"limit":1}`, "page[limit]", "1"},
		{"q", `{"functions":[{"name":"sum","field":"age"}]}`},
	}
	for _, pairs := range bad {
		t.Run(strings.Join(pairs, " "), func(t *testing.T) {
			_, err := fkParse(person, pairs...)
			fkWantParamErr(t, err, "q")
		})
	}
}

func TestFilterEndpoints(t *testing.T) {
	person, _ := fkTypes()
	parse := func(c query.Config, pairs ...string) error {
		v := url.Values{}
		for i := 0; i+1 < len(pairs); i += 2 {
			v.Set(pairs[i], pairs[i+1])
		}
		_, err := query.Parse(context.Background(), v, c)
		return err
	}
	item := query.Config{Resolver: person}
	eval := query.Config{Resolver: person, Functions: true}
	noResolver := query.Config{Collection: true}
	for _, tt := range []struct {
		c     query.Config
		pairs []string
		param string
	}{
		{item, []string{"filter[name]", "x"}, "filter[name]"},
		{item, []string{"filter[objects]", "[]"}, "filter[objects]"},
		{item, []string{"q", "{}"}, "q"},
		{noResolver, []string{"filter[name]", "x"}, "filter[name]"},
		{eval, []string{"sort", "age"}, "sort"},
		{eval, []string{"page[size]", "1"}, "page[size]"},
		{eval, []string{"q", `{"order_by":[{"field":"age"}]}`}, "q"},
		{query.Config{Resolver: person, Collection: true}, []string{"functions", "[]"}, "functions"},
	} {
		err := parse(tt.c, tt.pairs...)
		var qe *query.Error
		if !errors.As(err, &qe) || qe.Param != tt.param {
			t.Errorf("%+v %v: error = %v, want one for %s", tt.c, tt.pairs, err, tt.param)
		}
	}
	if err := parse(eval, "filter[age][gt]", "3", "filter[objects]", "[]", "q", `{"filters":[]}`); err != nil {
		t.Errorf("filters on an evaluation: %v", err)
	}
}

func TestFilterFunctions(t *testing.T) {
	person, _ := fkTypes()
	v := url.Values{"functions": {`[{"name":"sum","field":"age"},{"name":"count_distinct","field":"name"}]`},
		"q": {`{"functions":[{"name":"min","field":"id"}]}`}}
	p, err := query.Parse(context.Background(), v, query.Config{Resolver: person, Functions: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range p.Functions {
		got = append(got, f.Key+" "+f.Name+" "+f.Field.Name)
	}
	slices.Sort(got)
	want := []string{"count_distinct__name count_distinct name", "min__id min id", "sum__age sum age"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("functions (-want +got):\n%s", diff)
	}
	db := fkDB(t)
	for _, f := range p.Functions {
		var n any
		if err := db.QueryRow("SELECT " + f.SQL + " FROM person").Scan(&n); err != nil {
			t.Errorf("%s: %v", f.SQL, err)
		}
	}
	for _, bad := range []string{
		`[{"name":"drop","field":"age"}]`,
		`[{"name":"sum","field":"shoe"}]`,
		`[{"name":"sum"}]`,
		`[{"name":"sum","field":"age","x":1}]`,
		`{}`,
		"[" + strings.Repeat(`{"name":"sum","field":"age"},`, query.MaxFunctions) + `{"name":"sum","field":"age"}]`,
	} {
		_, err := query.Parse(context.Background(), url.Values{"functions": {bad}}, query.Config{Resolver: person, Functions: true})
		var qe *query.Error
		if !errors.As(err, &qe) || qe.Param != "functions" {
			t.Errorf("functions=%s: error = %v, want one for functions", bad, err)
		}
	}
}
