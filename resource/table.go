package resource

import (
	"context"
	"sync"

	sq "github.com/Masterminds/squirrel"
)

// A Table is a Resource over one SQL table. Declare it with the
// table name and the attributes to expose; every other column stays
// hidden. A Table must not be copied after first use.
//
//	people := &resource.Table{
//		Name: "person",
//		Attributes: []Attribute{
//			{Name: "name"},
//			{Name: "age", Type: Integer},
//		},
//	}
type Table struct {
	// Name is the SQL table name.
	Name string
	// Type is the JSON:API type; empty means Name.
	Type string
	// Path is the URL segment of the collection; empty means Type.
	Path string
	// IDColumn is the primary-key column; empty means "id".
	IDColumn string
	// StringIDs says the key is text; by default it is an integer.
	StringIDs bool
	// UUIDs says the key is a UUID, so ids that are not UUIDs name no
	// resource. It implies StringIDs.
	UUIDs bool
	// ClientIDs lets clients choose the id on create.
	ClientIDs bool
	// Attributes lists the exposed attributes. An empty Column means the
	// column named like the attribute, unless Expr makes the attribute a
	// read-only computed one.
	Attributes []Attribute
	// Relationships lists the relationships to other types.
	Relationships []Relationship

	// ReadOnly refuses every write.
	ReadOnly bool
	// NoCreate, NoUpdate and NoDelete refuse one kind of write.
	NoCreate, NoUpdate, NoDelete bool
	// NoEval switches function evaluation (GET /eval/...) off.
	NoEval bool
	// Bulk allows PATCH and DELETE on the collection for every row a
	// filter selects; BulkUnfiltered also without a filter. See
	// [Schema].
	Bulk, BulkUnfiltered bool
	// SoftDelete makes DELETE deactivate rows instead of removing them.
	SoftDelete *SoftDelete

	// Filter returns the row filter for the request in ctx, such as the
	// current tenant's rows, or nil for none. It applies to reads and
	// writes: rows it hides cannot be fetched, changed or deleted, and a
	// write that would move a row outside it is refused.
	Filter func(ctx context.Context) (sq.Sqlizer, error)
	// Defaults returns column values set on every create for the request
	// in ctx, such as the tenant column. They override client values.
	Defaults func(ctx context.Context) (map[string]any, error)
	// Before runs inside each write's transaction before the statement;
	// an error (a *jsonapi.Error to control the reply) rolls it back.
	Before func(ctx context.Context, w *Write) error
	// After runs inside each write's transaction after the statement.
	After func(ctx context.Context, w *Write) error

	once   sync.Once
	schema *Schema
	base   sq.SelectBuilder  // SELECT FROM the table, shared: builders are immutable
	cols   map[string]string // attribute or to-one relationship name → column
}

var (
	_ Resource     = (*Table)(nil)
	_ Creator      = (*Table)(nil)
	_ Updater      = (*Table)(nil)
	_ Deleter      = (*Table)(nil)
	_ Allower      = (*Table)(nil)
	_ BeforeWriter = (*Table)(nil)
	_ AfterWriter  = (*Table)(nil)
	_ HookReporter = (*Table)(nil)
)

func (t *Table) init() {
	t.once.Do(func() {
		s := &Schema{
			Type:           t.Type,
			Path:           t.Path,
			Table:          t.Name,
			ID:             ID{Column: t.IDColumn, Type: Integer},
			ClientIDs:      t.ClientIDs,
			NoEval:         t.NoEval,
			Bulk:           t.Bulk,
			BulkUnfiltered: t.BulkUnfiltered,
			SoftDelete:     t.SoftDelete,
			Relationships:  append([]Relationship(nil), t.Relationships...),
		}
		if s.Type == "" {
			s.Type = t.Name
		}
		if s.ID.Column == "" {
			s.ID.Column = "id"
		}
		if t.StringIDs || t.UUIDs {
			s.ID.Type = String
		}
		s.ID.UUID = t.UUIDs
		t.cols = make(map[string]string, len(t.Attributes)+len(t.Relationships))
		for _, r := range t.Relationships {
			if r.Kind == ToOne {
				t.cols[r.Name] = r.ForeignKey
			}
		}
		for _, a := range t.Attributes {
			if a.Column == "" && a.Expr == "" {
				a.Column = a.Name
			}
			if a.Column != "" {
				t.cols[a.Name] = a.Column
			}
			s.Attributes = append(s.Attributes, a)
		}
		t.schema = s
		t.base = sq.Select().From(t.table())
	})
}

// Schema returns the schema the Table declares.
func (t *Table) Schema() *Schema {
	t.init()
	return t.schema
}

func (t *Table) table() string { return QuoteIdent(t.Name) }

func (t *Table) idColumn() string {
	t.init()
	return t.table() + "." + QuoteIdent(t.schema.ID.Column)
}

func (t *Table) filter(ctx context.Context) (sq.Sqlizer, error) {
	if t.Filter == nil {
		return nil, nil
	}
	return t.Filter(ctx)
}

// Select returns SELECT ... FROM the table, with the row filter.
func (t *Table) Select(ctx context.Context) (sq.SelectBuilder, error) {
	t.init()
	b := t.base
	f, err := t.filter(ctx)
	if err != nil || f == nil {
		return b, err
	}
	return b.Where(f), nil
}

// columns maps attribute and to-one relationship values to quoted
// columns.
func (t *Table) columns(v Values) map[string]any {
	t.init()
	m := make(map[string]any, len(v)+1)
	for name, val := range v {
		if col, ok := t.cols[name]; ok {
			m[QuoteIdent(col)] = val
		}
	}
	return m
}

// Insert returns the INSERT of v, the client id if any, and Defaults.
func (t *Table) Insert(ctx context.Context, id any, v Values) (sq.InsertBuilder, error) {
	m := t.columns(v)
	if id != nil {
		m[QuoteIdent(t.schema.ID.Column)] = id
	}
	if t.Defaults != nil {
		d, err := t.Defaults(ctx)
		if err != nil {
			return sq.InsertBuilder{}, err
		}
		for col, val := range d {
			m[QuoteIdent(col)] = val
		}
	}
	b := sq.Insert(t.table())
	if len(m) == 0 {
		// squirrel cannot write INSERT ... DEFAULT VALUES. A NULL key is
		// the next rowid in SQLite; where the key may not be NULL (a
		// PostgreSQL serial) the database refuses it as a missing value,
		// a 400, rather than the statement failing to build, a 500.
		return b.Columns(QuoteIdent(t.schema.ID.Column)).Values(nil), nil
	}
	return b.SetMap(m), nil
}

// Update returns the UPDATE of the row with key id, within the row filter.
func (t *Table) Update(ctx context.Context, id any, v Values) (sq.UpdateBuilder, error) {
	b := sq.Update(t.table()).SetMap(t.columns(v)).Where(sq.Eq{t.idColumn(): id})
	f, err := t.filter(ctx)
	if err != nil || f == nil {
		return b, err
	}
	return b.Where(f), nil
}

// Delete returns the DELETE of the row with key id, within the row filter.
func (t *Table) Delete(ctx context.Context, id any) (sq.DeleteBuilder, error) {
	b := sq.Delete(t.table()).Where(sq.Eq{t.idColumn(): id})
	f, err := t.filter(ctx)
	if err != nil || f == nil {
		return b, err
	}
	return b.Where(f), nil
}

// Allows reports whether the Table permits op.
func (t *Table) Allows(op Op) bool {
	if t.ReadOnly {
		return false
	}
	switch op {
	case OpCreate:
		return !t.NoCreate
	case OpUpdate:
		return !t.NoUpdate
	case OpDelete:
		return !t.NoDelete
	}
	return false
}

// BeforeWrite calls Before, if set.
func (t *Table) BeforeWrite(ctx context.Context, w *Write) error {
	if t.Before == nil {
		return nil
	}
	return t.Before(ctx, w)
}

// AfterWrite calls After, if set.
func (t *Table) AfterWrite(ctx context.Context, w *Write) error {
	if t.After == nil {
		return nil
	}
	return t.After(ctx, w)
}

// WriteHooks reports whether Before and After are set: the Table runs the
// same hooks for every operation.
func (t *Table) WriteHooks(Op) (before, after bool) {
	return t.Before != nil, t.After != nil
}
