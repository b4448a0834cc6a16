package resource

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
)

// FromStruct returns a Table over the SQL table named table, derived from
// model: a struct, or a pointer to one, tagged the way
// github.com/google/jsonapi reads its tags, so that a program that already
// has such structs need not declare its fields twice. Only model's type
// matters, so a nil pointer such as (*Person)(nil) will do. An empty
// table means the struct's JSON:API type.
//
//	type Person struct {
//		ID       int       `jsonapi:"primary,person"`
//		Name     string    `jsonapi:"attr,name"`
//		Email    string    `jsonapi:"attr,email" db:"email_address"`
//		Born     string    `jsonapi:"attr,born,omitempty" restless:"date"`
//		Created  time.Time `jsonapi:"attr,created,rfc3339,omitempty" restless:"readonly"`
//		Password string    `jsonapi:"attr,password,omitempty" restless:"writeonly"`
//		Initial  string    `jsonapi:"attr,initial,omitempty" restless:"expr=substr(name, 1, 1)"`
//		Manager  *Person   `jsonapi:"relation,manager,omitempty" db:"manager_id"`
//		Reports  []*Person `jsonapi:"relation,reports,omitempty" restless:"fk=manager_id"`
//		Friends  []*Person `jsonapi:"relation,friends,omitempty" restless:"join=friendship,joinkey=person_id,targetkey=friend_id"`
//		Pets     []*Pet    `jsonapi:"relation,pets,omitempty"`
//	}
//
//	people, err := resource.FromStruct((*Person)(nil), "person")
//
// The jsonapi tag says what a field is; fields without one are ignored:
//
//   - `jsonapi:"primary,TYPE"` marks the id field, of which there must be
//     exactly one. TYPE becomes the Table's Type. A string field gives
//     text keys (StringIDs) and an integer field integer keys. The id
//     column is the field's db tag, or "id". The restless option
//     clientids sets ClientIDs: `restless:"clientids"`.
//   - `jsonapi:"attr,NAME[,omitempty][,iso8601|rfc3339]"` is an
//     attribute. Its column is the field's db tag, or NAME. Its type
//     follows the Go type, pointers unwrapped: integers are
//     Integer, floats Float, bool Boolean, strings String and
//     time.Time Timestamp; a type with a MarshalJSON method is JSON, one
//     with only a MarshalText method String, and every other type (maps,
//     slices, structs) JSON. A time.Time needs iso8601 or rfc3339:
//     without them google/jsonapi sends Unix seconds, while restless
//     timestamps are RFC 3339 strings. The restless options are date (a
//     string field holding YYYY-MM-DD, of type Date), readonly,
//     writeonly, and expr=SQL, which makes a computed, read-only
//     attribute without a column. The SQL may hold commas, so expr comes
//     last: `restless:"readonly,expr=coalesce(nick, name)"`.
//   - `jsonapi:"relation,NAME[,omitempty]"` on a *T field is a ToOne
//     relationship whose foreign key, a column of this table, is the
//     field's db tag, the restless option fk=COLUMN, or NAME followed by
//     "_id". On a []*T field it is a ToMany relationship whose foreign
//     key, a column of T's table, is fk=COLUMN or this struct's TYPE
//     followed by "_id"; with `restless:"join=TABLE,joinkey=COLUMN,targetkey=COLUMN"`
//     it is a ManyToMany relationship through that join table, joinkey
//     referring to this resource and targetkey to T. T must be a struct
//     with a primary field, whose TYPE is the related type. The restless
//     options readonly, noreplace and noremove make the relationship
//     read-only, or refuse replacing or removing members of a to-many.
//   - `jsonapi:"client-id"` fields are ignored.
//
// The tag `restless:"-"` leaves a field out altogether. A db tag is read
// up to its first comma; `db:"-"` says the field is no column, which
// suits relationships and expr attributes.
//
// FromStruct reports what it cannot follow instead of guessing: a missing
// or second primary field, an unknown annotation or option, an option on
// a field it does not apply to, a member name used twice or named id or
// type, a tagged unexported field, and a field whose Go type the tag
// cannot describe.
//
// The same struct can build a client's request body with
// jsonapi.MarshalPayload, with two caveats. It writes a zero integer id as
// "id": "0", which the server refuses unless it takes client ids (remove
// the member, or use a string id, which it leaves out when empty). And it
// sends every attribute and relationship that is not omitempty, so fields
// the server refuses on writes (readonly, expr, relationships, fields left
// out with "-") need omitempty and a zero value.
//
// The Table is like one declared by hand: set its other fields, such as
// Path or Filter, before its first use.
func FromStruct(model any, table string) (*Table, error) {
	if model == nil {
		return nil, errors.New("resource: FromStruct needs a struct or a pointer to a struct, not nil")
	}
	t := reflect.TypeOf(model)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("resource: FromStruct needs a struct or a pointer to a struct, not %s", reflect.TypeOf(model))
	}
	p := &structParser{
		name:    typeName(t),
		members: map[string]string{},
		columns: map[string]string{},
	}
	for i := range t.NumField() {
		if err := p.field(t.Field(i)); err != nil {
			return nil, err
		}
	}
	if p.primary == "" {
		return nil, fmt.Errorf("resource: %s has no field tagged `jsonapi:\"primary,TYPE\"`", p.name)
	}
	for _, i := range p.ownFK {
		p.t.Relationships[i].ForeignKey = p.t.Type + "_id"
	}
	if table == "" {
		table = p.t.Type
	}
	p.t.Name = table
	return &p.t, nil
}

// structParser collects the Table of one struct type.
type structParser struct {
	name    string // the struct's name, for errors
	t       Table
	primary string            // the primary field's name; empty until found
	members map[string]string // member name → field name
	columns map[string]string // column of a writable attribute → field name
	ownFK   []int             // relationships whose foreign key is TYPE_id
}

// typeName names t in errors.
func typeName(t reflect.Type) string {
	if t.Name() != "" {
		return t.Name()
	}
	return t.String()
}

// errorf returns an error about field f.
func (p *structParser) errorf(f reflect.StructField, format string, args ...any) error {
	return fmt.Errorf("resource: %s.%s: "+format, append([]any{p.name, f.Name}, args...)...)
}

// field adds what field f declares.
func (p *structParser) field(f reflect.StructField) error {
	jtag := f.Tag.Get("jsonapi")
	rtag, hasR := f.Tag.Lookup("restless")
	if rtag == "-" {
		return nil
	}
	if jtag == "" {
		if hasR {
			return p.errorf(f, "restless tag %q on a field without a jsonapi tag", rtag)
		}
		return nil
	}
	if !f.IsExported() {
		return p.errorf(f, "jsonapi tag on an unexported field, which google/jsonapi cannot read")
	}
	opts, err := parseOptions(rtag)
	if err != nil {
		return p.errorf(f, "restless tag %q: %w", rtag, err)
	}
	args := strings.Split(jtag, ",")
	switch args[0] {
	case "primary":
		return p.primaryField(f, args, opts)
	case "attr":
		return p.attrField(f, args, opts)
	case "relation":
		return p.relationField(f, args, opts)
	case "client-id":
		if len(args) != 1 {
			return p.errorf(f, "jsonapi tag %q: client-id takes no name or options", jtag)
		}
		if err := opts.only("a client-id field"); err != nil {
			return p.errorf(f, "%w", err)
		}
		return nil
	}
	return p.errorf(f, "jsonapi tag %q: unknown annotation %q; want primary, attr, relation or client-id", jtag, args[0])
}

// primaryField handles `jsonapi:"primary,TYPE"`.
func (p *structParser) primaryField(f reflect.StructField, args []string, opts options) error {
	if p.primary != "" {
		return p.errorf(f, "second primary field; %s is the first", p.primary)
	}
	if len(args) < 2 || args[1] == "" {
		return p.errorf(f, "jsonapi tag %q has no type; want `jsonapi:\"primary,TYPE\"`", f.Tag.Get("jsonapi"))
	}
	if len(args) > 2 {
		return p.errorf(f, "jsonapi tag %q: primary takes no options", f.Tag.Get("jsonapi"))
	}
	if err := opts.only("a primary field", "clientids"); err != nil {
		return p.errorf(f, "%w", err)
	}
	ft := f.Type
	if ft.Kind() == reflect.Pointer {
		ft = ft.Elem()
	}
	switch ft.Kind() {
	case reflect.String:
		p.t.StringIDs = true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
	default:
		return p.errorf(f, "primary field must be a string or an integer, not %s", f.Type)
	}
	col := dbColumn(f)
	switch col {
	case "-":
		return p.errorf(f, "primary field has db tag \"-\"; it needs a key column")
	case "":
		col = "id"
	}
	p.primary = f.Name
	p.t.Type = args[1]
	p.t.IDColumn = col
	p.t.ClientIDs = opts.clientIDs
	return nil
}

// attrField handles `jsonapi:"attr,NAME,..."`.
func (p *structParser) attrField(f reflect.StructField, args []string, opts options) error {
	if len(args) < 2 || args[1] == "" {
		return p.errorf(f, "jsonapi tag %q has no name; want `jsonapi:\"attr,NAME\"`", f.Tag.Get("jsonapi"))
	}
	name := args[1]
	timeFormat := false
	for _, o := range args[2:] {
		switch o {
		case "omitempty":
		case "iso8601", "rfc3339":
			timeFormat = true
		default:
			return p.errorf(f, "jsonapi tag %q: unknown attr option %q; want omitempty, iso8601 or rfc3339", f.Tag.Get("jsonapi"), o)
		}
	}
	if err := opts.only("an attr field", "date", "readonly", "writeonly", "expr"); err != nil {
		return p.errorf(f, "%w", err)
	}
	if err := p.claim(f, name); err != nil {
		return err
	}
	vt, err := valueType(f.Type)
	if err != nil {
		return p.errorf(f, "attribute %q: %w", name, err)
	}
	if vt == Timestamp && !timeFormat {
		return p.errorf(f, "attribute %q is a time.Time without the iso8601 or rfc3339 option; google/jsonapi would send Unix seconds, and restless timestamps are RFC 3339 strings", name)
	}
	if opts.date {
		if vt != String {
			return p.errorf(f, "attribute %q: restless option date needs a string field holding YYYY-MM-DD, not %s", name, f.Type)
		}
		vt = Date
	}
	if opts.readOnly && opts.writeOnly {
		return p.errorf(f, "attribute %q cannot be both readonly and writeonly", name)
	}
	a := Attribute{Name: name, Type: vt, ReadOnly: opts.readOnly, WriteOnly: opts.writeOnly}
	col := dbColumn(f)
	if opts.expr != "" {
		if opts.writeOnly {
			return p.errorf(f, "attribute %q: a computed (expr) attribute cannot be writeonly", name)
		}
		if col != "" && col != "-" {
			return p.errorf(f, "attribute %q has both db column %q and an expr; a computed attribute has no column", name, col)
		}
		a.Expr = opts.expr
		a.ReadOnly = true
	} else {
		switch col {
		case "-":
			return p.errorf(f, "attribute %q has db tag \"-\" and so no column; give it restless:\"expr=SQL\" or restless:\"-\"", name)
		case "":
			col = name
		}
		a.Column = col
		if !a.ReadOnly {
			if other, ok := p.columns[col]; ok {
				return p.errorf(f, "attribute %q writes column %q, as field %s does", name, col, other)
			}
			p.columns[col] = f.Name
		}
	}
	p.t.Attributes = append(p.t.Attributes, a)
	return nil
}

// relationField handles `jsonapi:"relation,NAME[,omitempty]"`.
func (p *structParser) relationField(f reflect.StructField, args []string, opts options) error {
	if len(args) < 2 || args[1] == "" {
		return p.errorf(f, "jsonapi tag %q has no name; want `jsonapi:\"relation,NAME\"`", f.Tag.Get("jsonapi"))
	}
	name := args[1]
	for _, o := range args[2:] {
		if o != "omitempty" {
			return p.errorf(f, "jsonapi tag %q: unknown relation option %q; want omitempty", f.Tag.Get("jsonapi"), o)
		}
	}
	if err := opts.only("a relation field", "readonly", "fk", "join", "joinkey", "targetkey", "noreplace", "noremove"); err != nil {
		return p.errorf(f, "%w", err)
	}
	if err := p.claim(f, name); err != nil {
		return err
	}
	r := Relationship{Name: name, ReadOnly: opts.readOnly, NoReplace: opts.noReplace, NoRemove: opts.noRemove}
	var target reflect.Type
	switch ft := f.Type; {
	case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct:
		r.Kind, target = ToOne, ft.Elem()
	case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Pointer && ft.Elem().Elem().Kind() == reflect.Struct:
		r.Kind, target = ToMany, ft.Elem().Elem()
	default:
		return p.errorf(f, "relationship %q must be a *T or a []*T field for a struct T, not %s", name, ft)
	}
	typ, err := primaryType(target)
	if err != nil {
		return p.errorf(f, "relationship %q: %w", name, err)
	}
	r.Type = typ
	col := dbColumn(f)
	if r.Kind == ToOne && (opts.join != "" || opts.joinKey != "" || opts.targetKey != "" || opts.noReplace || opts.noRemove) {
		return p.errorf(f, "to-one relationship %q takes no join=, joinkey=, targetkey=, noreplace or noremove", name)
	}
	if r.Kind == ToOne {
		switch {
		case col != "" && col != "-":
			if opts.fk != "" && opts.fk != col {
				return p.errorf(f, "relationship %q has db column %q and restless fk %q; give one", name, col, opts.fk)
			}
			r.ForeignKey = col
		case opts.fk != "":
			r.ForeignKey = opts.fk
		default:
			r.ForeignKey = name + "_id"
		}
	} else if opts.join != "" {
		// Many-to-many through a join table.
		if opts.fk != "" || (col != "" && col != "-") {
			return p.errorf(f, "many-to-many relationship %q goes through join=%q; it takes joinkey= and targetkey=, not a foreign key", name, opts.join)
		}
		if opts.joinKey == "" || opts.targetKey == "" {
			return p.errorf(f, "many-to-many relationship %q needs restless:\"join=TABLE,joinkey=COLUMN,targetkey=COLUMN\"", name)
		}
		r.Kind, r.JoinTable, r.JoinKey, r.JoinTargetKey = ManyToMany, opts.join, opts.joinKey, opts.targetKey
	} else {
		if opts.joinKey != "" || opts.targetKey != "" {
			return p.errorf(f, "relationship %q: joinkey= and targetkey= need join=TABLE", name)
		}
		if col != "" && col != "-" {
			return p.errorf(f, "to-many relationship %q has db tag %q, but its foreign key is a column of the related table; use restless:\"fk=COLUMN\"", name, col)
		}
		if opts.fk != "" {
			r.ForeignKey = opts.fk
		} else {
			p.ownFK = append(p.ownFK, len(p.t.Relationships))
		}
	}
	p.t.Relationships = append(p.t.Relationships, r)
	return nil
}

// claim records that field f uses the member name.
func (p *structParser) claim(f reflect.StructField, name string) error {
	if name == "id" || name == "type" {
		return p.errorf(f, "member name %q is reserved by JSON:API", name)
	}
	if other, ok := p.members[name]; ok {
		return p.errorf(f, "member name %q is already used by field %s", name, other)
	}
	p.members[name] = f.Name
	return nil
}

// dbColumn returns the column of f's db tag, up to the first comma.
func dbColumn(f reflect.StructField) string {
	col, _, _ := strings.Cut(f.Tag.Get("db"), ",")
	return col
}

// primaryType returns the TYPE of struct t's primary field.
func primaryType(t reflect.Type) (string, error) {
	var typ, field string
	for i := range t.NumField() {
		f := t.Field(i)
		annotation, rest, _ := strings.Cut(f.Tag.Get("jsonapi"), ",")
		if annotation != "primary" {
			continue
		}
		if field != "" {
			return "", fmt.Errorf("related struct %s has two primary fields, %s and %s", typeName(t), field, f.Name)
		}
		typ, _, _ = strings.Cut(rest, ",")
		if typ == "" {
			return "", fmt.Errorf("related struct %s: primary field %s has no type", typeName(t), f.Name)
		}
		field = f.Name
	}
	if field == "" {
		return "", fmt.Errorf("related struct %s has no field tagged `jsonapi:\"primary,TYPE\"`", typeName(t))
	}
	return typ, nil
}

var (
	timeType          = reflect.TypeFor[time.Time]()
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// valueType returns the attribute type of values of Go type t, which
// google/jsonapi encodes with encoding/json.
func valueType(t reflect.Type) (ValueType, error) {
	base, ptr := t, false
	for n := 0; base.Kind() == reflect.Pointer; n++ {
		if n == 8 {
			// Such as type P *P, which never ends.
			return 0, fmt.Errorf("%s has too many levels of pointers", t)
		}
		base, ptr = base.Elem(), true
	}
	if base == timeType {
		return Timestamp, nil
	}
	// encoding/json uses the methods of the pointer when it has one.
	m := base
	if ptr {
		m = reflect.PointerTo(base)
	}
	if m.Implements(jsonMarshalerType) {
		return JSON, nil
	}
	if m.Implements(textMarshalerType) {
		return String, nil
	}
	switch base.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return Integer, nil
	case reflect.Float32, reflect.Float64:
		return Float, nil
	case reflect.Bool:
		return Boolean, nil
	case reflect.String:
		return String, nil
	case reflect.Chan, reflect.Func, reflect.Complex64, reflect.Complex128, reflect.UnsafePointer:
		return 0, fmt.Errorf("%s values have no JSON form", t)
	}
	return JSON, nil
}

// options holds the options of a restless tag.
type options struct {
	date, readOnly, writeOnly, clientIDs bool
	noReplace, noRemove                  bool
	fk, expr                             string
	join, joinKey, targetKey             string
	set                                  []string // option names in order
}

// parseOptions parses a restless tag: comma-separated options, of which
// expr=SQL, if present, is the last and takes the rest of the tag.
func parseOptions(tag string) (options, error) {
	var o options
	if tag == "" {
		return o, nil
	}
	rest := tag
	for {
		rest = strings.TrimLeft(rest, " ")
		var opt string
		found := false
		if strings.HasPrefix(rest, "expr=") {
			opt = rest
		} else {
			opt, rest, found = strings.Cut(rest, ",")
			opt = strings.TrimSpace(opt)
		}
		key, val, hasVal := strings.Cut(opt, "=")
		if slices.Contains(o.set, key) {
			return o, fmt.Errorf("option %q given twice", key)
		}
		switch {
		case opt == "":
			return o, errors.New("empty option")
		case key == "expr" || key == "fk" || key == "join" || key == "joinkey" || key == "targetkey":
			val = strings.TrimSpace(val)
			if val == "" {
				return o, fmt.Errorf("option %s= needs a value", key)
			}
			switch key {
			case "expr":
				o.expr = val
			case "fk":
				o.fk = val
			case "join":
				o.join = val
			case "joinkey":
				o.joinKey = val
			case "targetkey":
				o.targetKey = val
			}
		case hasVal:
			return o, fmt.Errorf("option %q takes no value", key)
		case key == "date":
			o.date = true
		case key == "readonly":
			o.readOnly = true
		case key == "writeonly":
			o.writeOnly = true
		case key == "clientids":
			o.clientIDs = true
		case key == "noreplace":
			o.noReplace = true
		case key == "noremove":
			o.noRemove = true
		default:
			return o, fmt.Errorf("unknown option %q; want date, readonly, writeonly, clientids, noreplace, noremove, fk=COLUMN, join=TABLE, joinkey=COLUMN, targetkey=COLUMN or expr=SQL", key)
		}
		o.set = append(o.set, key)
		if !found {
			return o, nil
		}
	}
}

// only reports the first option that is not allowed on field, such as
// "an attr field".
func (o options) only(field string, allowed ...string) error {
	for _, s := range o.set {
		if !slices.Contains(allowed, s) {
			return fmt.Errorf("restless option %q does not apply to %s", s, field)
		}
	}
	return nil
}
