package resource_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/jsonapi"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/resource"
	"github.com/gorestless/restless/sqlite"
)

// Person has a field of every kind FromStruct knows.
type Person struct {
	ID       int64          `jsonapi:"primary,person"`
	Name     string         `jsonapi:"attr,name"`
	Age      *int           `jsonapi:"attr,age,omitempty"`
	Height   float64        `jsonapi:"attr,height"`
	Active   bool           `jsonapi:"attr,active"`
	Born     string         `jsonapi:"attr,born,omitempty" restless:"date"`
	Created  time.Time      `jsonapi:"attr,created,rfc3339,omitempty"`
	Updated  *time.Time     `jsonapi:"attr,updated,iso8601,omitempty" restless:"readonly"`
	Tags     []string       `jsonapi:"attr,tags"`
	Extra    map[string]any `jsonapi:"attr,extra,omitempty"`
	Address  Address        `jsonapi:"attr,address,omitempty"`
	Email    string         `jsonapi:"attr,email" db:"email_address"`
	Password string         `jsonapi:"attr,password,omitempty" restless:"writeonly"`
	Initial  string         `jsonapi:"attr,initial,omitempty" restless:"expr=substr(name, 1, 1)"`
	Manager  *Person        `jsonapi:"relation,manager,omitempty" db:"manager_id"`
	Reports  []*Person      `jsonapi:"relation,reports,omitempty" restless:"fk=manager_id"`
	Pets     []*Pet         `jsonapi:"relation,pets,omitempty"`
	Team     *Team          `jsonapi:"relation,team,omitempty" restless:"readonly"`
	Token    string         `jsonapi:"client-id"`
	Skipped  string         `jsonapi:"attr,skipped,omitempty" restless:"-"`
	Note     string         `json:"note"`
}

// Address is a struct attribute: google/jsonapi writes it with its json
// tags and reads it with its jsonapi tags.
type Address struct {
	Street string `json:"street" jsonapi:"attr,street"`
	City   string `json:"city" jsonapi:"attr,city"`
}

// Pet has a string id in its own column, chosen by clients.
type Pet struct {
	Name  string  `jsonapi:"primary,pet" db:"pet_name" restless:"clientids"`
	Owner *Person `jsonapi:"relation,owner" db:"person_id"`
	Vet   *Person `jsonapi:"relation,vet,omitempty" db:"-" restless:"fk=vet_id"`
}

// Team has an unsigned pointer id.
type Team struct {
	ID *uint16 `jsonapi:"primary,team"`
}

// level marshals as text.
type level int

func (l level) MarshalText() ([]byte, error) { return []byte(strings.Repeat("*", int(l))), nil }

// Values has fields whose type decides by its methods or kind.
type Values struct {
	ID    string          `jsonapi:"primary,value"`
	Raw   json.RawMessage `jsonapi:"attr,raw"`
	IP    netip.Addr      `jsonapi:"attr,ip"`
	IPPtr *netip.Addr     `jsonapi:"attr,ip_ptr"`
	Level level           `jsonapi:"attr,level"`
	Size  uint8           `jsonapi:"attr,size"`
	Ptr   **int32         `jsonapi:"attr,ptr"`
	Ratio float32         `jsonapi:"attr,ratio"`
	Any   any             `jsonapi:"attr,any"`
	List  [2]int          `jsonapi:"attr,list"`
	Bytes []byte          `jsonapi:"attr,bytes"`
	Code  string          `jsonapi:"attr,code" restless:"readonly, date"`
	Full  string          `jsonapi:"attr,full" restless:"expr=a || ',' || b"`
	Calc  int             `jsonapi:"attr,calc" db:"-" restless:"readonly,expr=1 + 2"`
}

var personSchema = &resource.Schema{
	Type:  "person",
	Table: "person",
	ID:    resource.ID{Column: "id", Type: resource.Integer},
	Attributes: []resource.Attribute{
		{Name: "name", Column: "name", Type: resource.String},
		{Name: "age", Column: "age", Type: resource.Integer},
		{Name: "height", Column: "height", Type: resource.Float},
		{Name: "active", Column: "active", Type: resource.Boolean},
		{Name: "born", Column: "born", Type: resource.Date},
		{Name: "created", Column: "created", Type: resource.Timestamp},
		{Name: "updated", Column: "updated", Type: resource.Timestamp, ReadOnly: true},
		{Name: "tags", Column: "tags", Type: resource.JSON},
		{Name: "extra", Column: "extra", Type: resource.JSON},
		{Name: "address", Column: "address", Type: resource.JSON},
		{Name: "email", Column: "email_address", Type: resource.String},
		{Name: "password", Column: "password", Type: resource.String, WriteOnly: true},
		{Name: "initial", Expr: "substr(name, 1, 1)", Type: resource.String, ReadOnly: true},
	},
	Relationships: []resource.Relationship{
		{Name: "manager", Type: "person", Kind: resource.ToOne, ForeignKey: "manager_id"},
		{Name: "reports", Type: "person", Kind: resource.ToMany, ForeignKey: "manager_id"},
		{Name: "pets", Type: "pet", Kind: resource.ToMany, ForeignKey: "person_id"},
		{Name: "team", Type: "team", Kind: resource.ToOne, ForeignKey: "team_id", ReadOnly: true},
	},
}

func TestFromStructSchema(t *testing.T) {
	tests := []struct {
		name  string
		model any
		table string
		want  *resource.Schema
	}{
		{name: "every kind of field", model: Person{}, table: "person", want: personSchema},
		{name: "nil pointer", model: (*Person)(nil), table: "person", want: personSchema},
		{
			name:  "string client ids",
			model: &Pet{},
			table: "pets",
			want: &resource.Schema{
				Type:      "pet",
				Table:     "pets",
				ID:        resource.ID{Column: "pet_name", Type: resource.String},
				ClientIDs: true,
				Relationships: []resource.Relationship{
					{Name: "owner", Type: "person", Kind: resource.ToOne, ForeignKey: "person_id"},
					{Name: "vet", Type: "person", Kind: resource.ToOne, ForeignKey: "vet_id"},
				},
			},
		},
		{
			name:  "empty table means the type",
			model: (*Team)(nil),
			want: &resource.Schema{
				Type:  "team",
				Table: "team",
				ID:    resource.ID{Column: "id", Type: resource.Integer},
			},
		},
		{
			name:  "types by method and kind",
			model: Values{},
			table: "vals",
			want: &resource.Schema{
				Type:  "value",
				Table: "vals",
				ID:    resource.ID{Column: "id", Type: resource.String},
				Attributes: []resource.Attribute{
					{Name: "raw", Column: "raw", Type: resource.JSON},
					{Name: "ip", Column: "ip", Type: resource.String},
					{Name: "ip_ptr", Column: "ip_ptr", Type: resource.String},
					{Name: "level", Column: "level", Type: resource.String},
					{Name: "size", Column: "size", Type: resource.Integer},
					{Name: "ptr", Column: "ptr", Type: resource.Integer},
					{Name: "ratio", Column: "ratio", Type: resource.Float},
					{Name: "any", Column: "any", Type: resource.JSON},
					{Name: "list", Column: "list", Type: resource.JSON},
					{Name: "bytes", Column: "bytes", Type: resource.JSON},
					{Name: "code", Column: "code", Type: resource.Date, ReadOnly: true},
					{Name: "full", Expr: "a || ',' || b", Type: resource.String, ReadOnly: true},
					{Name: "calc", Expr: "1 + 2", Type: resource.Integer, ReadOnly: true},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tbl, err := resource.FromStruct(tt.model, tt.table)
			if err != nil {
				t.Fatal(err)
			}
			got := tbl.Schema()
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("Schema() mismatch (-got +want):\n%s", diff)
			}
			if err := got.Validate(); err != nil {
				t.Errorf("Validate() = %v", err)
			}
		})
	}
}

// TestFromStructTableFields checks that the Table's other fields can be
// set after FromStruct, as with a Table declared by hand.
func TestFromStructTableFields(t *testing.T) {
	tbl, err := resource.FromStruct(Team{}, "teams")
	if err != nil {
		t.Fatal(err)
	}
	tbl.Path = "squads"
	if got, want := tbl.Schema().CollectionPath(), "squads"; got != want {
		t.Errorf("CollectionPath() = %q, want %q", got, want)
	}
}

type noPrimary struct {
	Name string `jsonapi:"attr,name"`
}

type badRelated struct {
	ID int `jsonapi:"primary"`
}

// loop is a pointer to itself.
type loop *loop

type twoPrimaries struct {
	ID  int `jsonapi:"primary,a"`
	Key int `jsonapi:"primary,b"`
}

func TestFromStructErrors(t *testing.T) {
	type id = int
	tests := []struct {
		name  string
		model any
		want  string
	}{
		{"nil", nil, "not nil"},
		{"not a struct", 42, "not int"},
		{"pointer to pointer", new(*Person), "not **resource_test.Person"},
		{"slice", []Person{}, "not []resource_test.Person"},
		{"no primary", noPrimary{}, "noPrimary has no field tagged `jsonapi:\"primary,TYPE\"`"},
		{"no fields", struct{}{}, "has no field tagged"},
		{"primary without type", struct {
			ID id `jsonapi:"primary"`
		}{}, `has no type`},
		{"primary with empty type", struct {
			ID id `jsonapi:"primary,"`
		}{}, `has no type`},
		{"primary option", struct {
			ID id `jsonapi:"primary,a,omitempty"`
		}{}, "primary takes no options"},
		{"second primary", twoPrimaries{}, "twoPrimaries.Key: second primary field; ID is the first"},
		{"float id", struct {
			ID float64 `jsonapi:"primary,a"`
		}{}, "primary field must be a string or an integer, not float64"},
		{"primary db dash", struct {
			ID id `jsonapi:"primary,a" db:"-"`
		}{}, "needs a key column"},
		{"primary readonly", struct {
			ID id `jsonapi:"primary,a" restless:"readonly"`
		}{}, `restless option "readonly" does not apply to a primary field`},
		{"unknown annotation", struct {
			ID   id     `jsonapi:"primary,a"`
			Name string `jsonapi:"attribute,name"`
		}{}, `unknown annotation "attribute"`},
		{"attr without name", struct {
			ID   id     `jsonapi:"primary,a"`
			Name string `jsonapi:"attr"`
		}{}, `has no name`},
		{"attr option typo", struct {
			ID   id     `jsonapi:"primary,a"`
			Name string `jsonapi:"attr,name,omitemtpy"`
		}{}, `unknown attr option "omitemtpy"`},
		{"duplicate attr", struct {
			ID   id     `jsonapi:"primary,a"`
			Name string `jsonapi:"attr,name"`
			Nick string `jsonapi:"attr,name"`
		}{}, `.Nick: member name "name" is already used by field Name`},
		{"attr and relation share a name", struct {
			ID    id      `jsonapi:"primary,a"`
			Owner string  `jsonapi:"attr,owner"`
			Boss  *Person `jsonapi:"relation,owner"`
		}{}, `member name "owner" is already used by field Owner`},
		{"reserved id", struct {
			ID  id     `jsonapi:"primary,a"`
			Key string `jsonapi:"attr,id"`
		}{}, `member name "id" is reserved`},
		{"reserved type", struct {
			ID   id      `jsonapi:"primary,a"`
			Kind *Person `jsonapi:"relation,type"`
		}{}, `member name "type" is reserved`},
		{"duplicate column", struct {
			ID   id     `jsonapi:"primary,a"`
			Name string `jsonapi:"attr,name"`
			Nick string `jsonapi:"attr,nick" db:"name"`
		}{}, `attribute "nick" writes column "name", as field Name does`},
		{"time without format", struct {
			ID   id        `jsonapi:"primary,a"`
			When time.Time `jsonapi:"attr,when"`
		}{}, "without the iso8601 or rfc3339 option"},
		{"time pointer without format", struct {
			ID   id         `jsonapi:"primary,a"`
			When *time.Time `jsonapi:"attr,when,omitempty"`
		}{}, "without the iso8601 or rfc3339 option"},
		{"channel", struct {
			ID id       `jsonapi:"primary,a"`
			C  chan int `jsonapi:"attr,c"`
		}{}, "chan int values have no JSON form"},
		{"pointer cycle", struct {
			ID id   `jsonapi:"primary,a"`
			P  loop `jsonapi:"attr,p"`
		}{}, "too many levels of pointers"},
		{"func", struct {
			ID id     `jsonapi:"primary,a"`
			F  func() `jsonapi:"attr,f"`
		}{}, "have no JSON form"},
		{"date on int", struct {
			ID  id  `jsonapi:"primary,a"`
			Day int `jsonapi:"attr,day" restless:"date"`
		}{}, "restless option date needs a string field"},
		{"date on time", struct {
			ID  id        `jsonapi:"primary,a"`
			Day time.Time `jsonapi:"attr,day,rfc3339" restless:"date"`
		}{}, "restless option date needs a string field"},
		{"readonly and writeonly", struct {
			ID   id     `jsonapi:"primary,a"`
			Name string `jsonapi:"attr,name" restless:"readonly,writeonly"`
		}{}, "both readonly and writeonly"},
		{"writeonly expr", struct {
			ID   id     `jsonapi:"primary,a"`
			Name string `jsonapi:"attr,name" restless:"writeonly,expr=x"`
		}{}, "cannot be writeonly"},
		{"expr and column", struct {
			ID   id     `jsonapi:"primary,a"`
			Name string `jsonapi:"attr,name" db:"name" restless:"expr=upper(name)"`
		}{}, `has both db column "name" and an expr`},
		{"attr db dash", struct {
			ID   id     `jsonapi:"primary,a"`
			Name string `jsonapi:"attr,name" db:"-"`
		}{}, `has db tag "-" and so no column`},
		{"empty expr", struct {
			ID   id     `jsonapi:"primary,a"`
			Name string `jsonapi:"attr,name" restless:"expr="`
		}{}, "option expr= needs a value"},
		{"unknown option", struct {
			ID   id     `jsonapi:"primary,a"`
			Name string `jsonapi:"attr,name" restless:"read-only"`
		}{}, `unknown option "read-only"`},
		{"empty option", struct {
			ID   id     `jsonapi:"primary,a"`
			Name string `jsonapi:"attr,name" restless:"readonly,"`
		}{}, "empty option"},
		{"repeated option", struct {
			ID   id     `jsonapi:"primary,a"`
			Name string `jsonapi:"attr,name" restless:"readonly,readonly"`
		}{}, `option "readonly" given twice`},
		{"option with value", struct {
			ID   id     `jsonapi:"primary,a"`
			Name string `jsonapi:"attr,name" restless:"readonly=true"`
		}{}, `option "readonly" takes no value`},
		{"fk on attr", struct {
			ID   id     `jsonapi:"primary,a"`
			Name string `jsonapi:"attr,name" restless:"fk=x"`
		}{}, `restless option "fk" does not apply to an attr field`},
		{"clientids on attr", struct {
			ID   id     `jsonapi:"primary,a"`
			Name string `jsonapi:"attr,name" restless:"clientids"`
		}{}, `restless option "clientids" does not apply`},
		{"restless tag without jsonapi tag", struct {
			ID   id     `jsonapi:"primary,a"`
			Name string `restless:"readonly"`
		}{}, "restless tag \"readonly\" on a field without a jsonapi tag"},
		{"unexported", struct {
			ID   id     `jsonapi:"primary,a"`
			name string `jsonapi:"attr,name"`
		}{}, "unexported field"},
		{"client-id with name", struct {
			ID  id     `jsonapi:"primary,a"`
			CID string `jsonapi:"client-id,cid"`
		}{}, "client-id takes no name or options"},
		{"client-id with option", struct {
			ID  id     `jsonapi:"primary,a"`
			CID string `jsonapi:"client-id" restless:"readonly"`
		}{}, `restless option "readonly" does not apply to a client-id field`},
		{"relation without name", struct {
			ID    id      `jsonapi:"primary,a"`
			Owner *Person `jsonapi:"relation,"`
		}{}, "has no name"},
		{"relation option", struct {
			ID    id      `jsonapi:"primary,a"`
			Owner *Person `jsonapi:"relation,owner,rfc3339"`
		}{}, `unknown relation option "rfc3339"`},
		{"relation to struct value", struct {
			ID    id     `jsonapi:"primary,a"`
			Owner Person `jsonapi:"relation,owner"`
		}{}, "must be a *T or a []*T field for a struct T, not resource_test.Person"},
		{"relation to slice of values", struct {
			ID     id       `jsonapi:"primary,a"`
			Owners []Person `jsonapi:"relation,owners"`
		}{}, "not []resource_test.Person"},
		{"relation to int", struct {
			ID    id   `jsonapi:"primary,a"`
			Owner *int `jsonapi:"relation,owner"`
		}{}, "not *int"},
		{"relation to interface", struct {
			ID    id  `jsonapi:"primary,a"`
			Owner any `jsonapi:"relation,owner"`
		}{}, "not interface {}"},
		{"relation to struct without primary", struct {
			ID    id         `jsonapi:"primary,a"`
			Owner *noPrimary `jsonapi:"relation,owner"`
		}{}, "relationship \"owner\": related struct noPrimary has no field tagged"},
		{"relation to struct with bad primary", struct {
			ID    id            `jsonapi:"primary,a"`
			Owner []*badRelated `jsonapi:"relation,owners"`
		}{}, "related struct badRelated: primary field ID has no type"},
		{"relation to struct with two primaries", struct {
			ID    id            `jsonapi:"primary,a"`
			Owner *twoPrimaries `jsonapi:"relation,owner"`
		}{}, "has two primary fields, ID and Key"},
		{"to-one db and fk differ", struct {
			ID    id      `jsonapi:"primary,a"`
			Owner *Person `jsonapi:"relation,owner" db:"owner_id" restless:"fk=boss_id"`
		}{}, `has db column "owner_id" and restless fk "boss_id"`},
		{"to-many db column", struct {
			ID   id        `jsonapi:"primary,a"`
			Pets []*Person `jsonapi:"relation,pets" db:"pet_id"`
		}{}, `use restless:"fk=COLUMN"`},
		{"date on relation", struct {
			ID   id        `jsonapi:"primary,a"`
			Pets []*Person `jsonapi:"relation,pets" restless:"date"`
		}{}, `restless option "date" does not apply to a relation field`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tbl, err := resource.FromStruct(tt.model, "t")
			if err == nil {
				t.Fatalf("FromStruct() = %+v, want an error containing %q", tbl.Schema(), tt.want)
			}
			if got := err.Error(); !strings.HasPrefix(got, "resource: ") || !strings.Contains(got, tt.want) {
				t.Errorf("FromStruct() error = %q, want one starting with \"resource: \" containing %q", got, tt.want)
			}
		})
	}
}

// TestFromStructOptionErrorWraps checks that a tag error wraps its cause.
func TestFromStructOptionErrorWraps(t *testing.T) {
	_, err := resource.FromStruct(struct {
		ID int `jsonapi:"primary,a" restless:"bogus"`
	}{}, "t")
	if err == nil {
		t.Fatal("FromStruct() = nil error")
	}
	if got, want := err.Error(), `resource: struct { ID int "jsonapi:\"primary,a\" restless:\"bogus\"" }.ID: restless tag "bogus": unknown option "bogus"; want date, readonly, writeonly, clientids, noreplace, noremove, fk=COLUMN, join=TABLE, joinkey=COLUMN, targetkey=COLUMN or expr=SQL`; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

const personTable = `
CREATE TABLE team (id INTEGER PRIMARY KEY);
CREATE TABLE person (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	age INTEGER,
	height REAL,
	active BOOLEAN,
	born TEXT,
	created TEXT,
	updated TEXT,
	tags TEXT,
	extra TEXT,
	address TEXT,
	email_address TEXT,
	password TEXT,
	manager_id INTEGER REFERENCES person (id),
	team_id INTEGER REFERENCES team (id)
);
CREATE TABLE pet (
	pet_name TEXT PRIMARY KEY,
	person_id INTEGER REFERENCES person (id)
);`

// TestFromStructHTTP serves a FromStruct table and uses the struct, with
// google/jsonapi, as the client.
func TestFromStructHTTP(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Exec(ctx, personTable); err != nil {
		t.Fatal(err)
	}
	tbl, err := resource.FromStruct((*Person)(nil), "person")
	if err != nil {
		t.Fatal(err)
	}
	api := &restless.API{DB: db.Reader, WriteDB: db.Writer, Dialect: sqlite.Dialect,
		Prefix: "/api", BaseURL: "http://example.com"}
	h, err := api.Handler(tbl)
	if err != nil {
		t.Fatal(err)
	}
	serve := func(method, target string, body []byte) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest(method, target, bytes.NewReader(body))
		req.Header.Set("Accept", jsonapi.MediaType)
		if body != nil {
			req.Header.Set("Content-Type", jsonapi.MediaType)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}

	age := 42
	in := &Person{
		Name:     "Alice",
		Age:      &age,
		Height:   1.75,
		Active:   true,
		Born:     "1983-04-05",
		Created:  time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC),
		Tags:     []string{"admin", "ops"},
		Extra:    map[string]any{"shoe": "42", "vip": true},
		Address:  Address{Street: "1 Main St", City: "Springfield"},
		Email:    "alice@example.com",
		Password: "secret",
		Note:     "not sent",
	}
	var buf bytes.Buffer
	if err := jsonapi.MarshalPayload(&buf, in); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	// MarshalPayload writes the zero int id as "0", a client-chosen id
	// the server refuses.
	if got, want := doc.Data["id"], "0"; got != want {
		t.Fatalf("MarshalPayload id = %#v, want %#v", got, want)
	}
	if rec := serve(http.MethodPost, "/api/person", buf.Bytes()); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), `"/data/id"`) {
		t.Errorf("POST with id \"0\": status %d, body %s; want 403 pointing at /data/id", rec.Code, rec.Body)
	}
	delete(doc.Data, "id")
	body, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	sent := doc.Data["attributes"].(map[string]any)

	rec := serve(http.MethodPost, "/api/person", body)
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST: status %d, body %s; want 201", rec.Code, rec.Body)
	}
	loc := rec.Header().Get("Location")
	if got, want := loc, "http://example.com/api/person/1"; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	created := attributes(t, rec.Body.Bytes())

	rec = serve(http.MethodGet, loc, nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: status %d, body %s; want 200", loc, rec.Code, rec.Body)
	}
	fetched := attributes(t, rec.Body.Bytes())
	want := map[string]any{"initial": "A", "updated": nil}
	for k, v := range sent {
		if k != "password" {
			want[k] = v
		}
	}
	if diff := cmp.Diff(fetched, want); diff != "" {
		t.Errorf("GET attributes mismatch (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(created, fetched); diff != "" {
		t.Errorf("POST and GET attributes differ (-POST +GET):\n%s", diff)
	}

	got := new(Person)
	if err := jsonapi.UnmarshalPayload(bytes.NewReader(rec.Body.Bytes()), got); err != nil {
		t.Fatal(err)
	}
	wantPerson := *in
	wantPerson.ID = 1
	wantPerson.Password = "" // writeonly
	wantPerson.Initial = "A" // computed
	wantPerson.Note = ""     // not a jsonapi field
	if diff := cmp.Diff(got, &wantPerson); diff != "" {
		t.Errorf("UnmarshalPayload mismatch (-got +want):\n%s", diff)
	}
}

// attributes returns the attributes of a document's primary data.
func attributes(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var doc struct {
		Data struct {
			Attributes map[string]any `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return doc.Data.Attributes
}

func TestFromStructManyToMany(t *testing.T) {
	type Tag struct {
		ID int `jsonapi:"primary,tag"`
	}
	type Post struct {
		ID   int    `jsonapi:"primary,post"`
		Tags []*Tag `jsonapi:"relation,tags" restless:"join=post_tag,joinkey=post_id,targetkey=tag_id,noremove"`
	}
	tbl, err := resource.FromStruct(Post{}, "post")
	if err != nil {
		t.Fatal(err)
	}
	got := tbl.Schema().Relationships
	want := []resource.Relationship{{Name: "tags", Type: "tag", Kind: resource.ManyToMany,
		JoinTable: "post_tag", JoinKey: "post_id", JoinTargetKey: "tag_id", NoRemove: true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("relationships (-want +got):\n%s", diff)
	}
	for _, bad := range []any{
		struct {
			ID   int    `jsonapi:"primary,post"`
			Tags []*Tag `jsonapi:"relation,tags" restless:"join=post_tag"`
		}{},
		struct {
			ID  int  `jsonapi:"primary,post"`
			Tag *Tag `jsonapi:"relation,tag" restless:"join=post_tag,joinkey=a,targetkey=b"`
		}{},
		struct {
			ID   int    `jsonapi:"primary,post"`
			Tags []*Tag `jsonapi:"relation,tags" restless:"joinkey=a"`
		}{},
	} {
		if _, err := resource.FromStruct(bad, "post"); err == nil {
			t.Errorf("FromStruct(%T): got no error", bad)
		}
	}
}
