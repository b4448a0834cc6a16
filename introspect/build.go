package introspect

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/gorestless/restless/jsonapi"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/resource"
)

// column is one column as the database declares it.
type column struct {
	name      string
	typ       resource.ValueType
	generated bool // computed by the database, never written
	uuid      bool // a PostgreSQL uuid, so only UUIDs can be keys
}

// foreignKey is a single-column foreign key.
type foreignKey struct {
	column, refTable, refColumn string
}

// table is one table as the database declares it.
type table struct {
	name    string
	columns []column
	pk      []string
	// autoKey says the database gives the key a value when an insert
	// names none.
	autoKey bool
	fks     []foreignKey
}

func (t *table) column(name string) (*column, bool) {
	for i := range t.columns {
		if t.columns[i].name == name {
			return &t.columns[i], true
		}
	}
	return nil, false
}

func (t *table) foreignKey(col string) (foreignKey, bool) {
	for _, fk := range t.fks {
		if fk.column == col {
			return fk, true
		}
	}
	return foreignKey{}, false
}

// skipped reports whether a table belongs to the database or to restless.
func skipped(name string) bool {
	return strings.HasPrefix(name, "sqlite_") || strings.HasPrefix(name, "restless_")
}

// trimID drops a trailing "_id".
func trimID(col string) string {
	if s, ok := strings.CutSuffix(col, "_id"); ok && s != "" {
		return s
	}
	return col
}

// builder turns tables into resources.
type builder struct {
	opts     Options
	tables   map[string]*table
	exclude  map[string]bool // "table.column"
	writeOnl map[string]bool
	renamed  map[string]bool // Rename keys used
	res      map[string]*resource.Table
	warnings []string
}

func (b *builder) warnf(format string, args ...any) {
	b.warnings = append(b.warnings, fmt.Sprintf(format, args...))
}

// rename returns the name Rename gives key, or name.
func (b *builder) rename(key, name string) string {
	if n, ok := b.opts.Rename[key]; ok {
		b.renamed[key] = true
		return n
	}
	return name
}

// columnSet checks a list of "table.column" entries and returns it as a
// set.
func (b *builder) columnSet(field string, list []string) (map[string]bool, error) {
	set := make(map[string]bool, len(list))
	for _, e := range list {
		t, c, ok := b.splitColumn(e)
		if !ok {
			return nil, fmt.Errorf("introspect: %s: %q names no column (want table.column)", field, e)
		}
		if _, ok := t.column(c); !ok {
			return nil, fmt.Errorf("introspect: %s: table %q has no column %q", field, t.name, c)
		}
		set[t.name+"."+c] = true
	}
	return set, nil
}

// splitColumn splits "table.column", trying every dot, since table names
// may hold dots.
func (b *builder) splitColumn(s string) (*table, string, bool) {
	for i := strings.LastIndexByte(s, '.'); i > 0; i = strings.LastIndexByte(s[:i], '.') {
		if t, ok := b.tables[s[:i]]; ok {
			return t, s[i+1:], true
		}
	}
	return nil, "", false
}

// build applies the package's rules to the tables of a database.
func build(all []*table, opts Options) (*Result, error) {
	b := &builder{opts: opts, tables: map[string]*table{}, renamed: map[string]bool{}, res: map[string]*resource.Table{}}
	for _, t := range all {
		if !skipped(t.name) {
			b.tables[t.name] = t
		}
	}
	if len(opts.Tables) > 0 {
		keep := map[string]*table{}
		for _, n := range opts.Tables {
			t, ok := b.tables[n]
			if !ok {
				return nil, fmt.Errorf("introspect: Tables: no table %q", n)
			}
			keep[n] = t
		}
		b.tables = keep
	}
	var err error
	if b.exclude, err = b.columnSet("ExcludeColumns", opts.ExcludeColumns); err != nil {
		return nil, err
	}
	if b.writeOnl, err = b.columnSet("WriteOnly", opts.WriteOnly); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(b.tables))
	for n := range b.tables {
		names = append(names, n)
	}
	sort.Strings(names)

	// Resources first: tables with a single-column key.
	types := map[string]string{} // type → table
	var joins []*table
	for _, n := range names {
		t := b.tables[n]
		if len(t.pk) != 1 {
			if b.isJoin(t) {
				joins = append(joins, t)
				continue
			}
			b.warnf("table %q is not exposed: it has no single-column primary key", n)
			continue
		}
		typ := b.rename(n, n)
		if err := checkType(n, typ); err != nil {
			return nil, err
		}
		if other, ok := types[typ]; ok {
			return nil, fmt.Errorf("introspect: tables %q and %q would both be type %q; rename one", other, n, typ)
		}
		types[typ] = n
		b.res[n] = b.resource(t, typ)
	}
	for _, n := range names {
		b.toOnes(b.tables[n])
	}
	for _, n := range names {
		b.inverses(b.tables[n])
	}
	for _, t := range joins {
		b.join(t)
	}
	if err := b.extras(); err != nil {
		return nil, err
	}
	out := &Result{Warnings: b.warnings}
	for _, n := range names {
		if r, ok := b.res[n]; ok {
			out.Tables = append(out.Tables, r)
		}
	}
	return out, nil
}

// checkType refuses a type that cannot be a URL segment or that would
// shadow one of restless's own paths.
func checkType(tableName, typ string) error {
	if slices.Contains(restless.ReservedPaths, typ) {
		return fmt.Errorf("introspect: table %q would be served at /%s, a path restless reserves; rename it (such as -rename %s=%s_)", tableName, typ, tableName, typ)
	}
	if typ == "" || strings.ContainsAny(typ, "/?#%\\ \t\r\n") || typ == "." || typ == ".." {
		return fmt.Errorf("introspect: table %q: type %q cannot be a URL segment; rename it", tableName, typ)
	}
	return nil
}

// isJoin reports whether t is a join table between two resources.
func (b *builder) isJoin(t *table) bool {
	if len(t.pk) != 2 {
		return false
	}
	for _, c := range t.pk {
		fk, ok := t.foreignKey(c)
		if !ok {
			return false
		}
		ref, ok := b.tables[fk.refTable]
		if !ok || len(ref.pk) != 1 || ref.pk[0] != fk.refColumn {
			return false
		}
	}
	return true
}

// resource declares t's id and attributes; relationships come later.
func (b *builder) resource(t *table, typ string) *resource.Table {
	key, _ := t.column(t.pk[0])
	r := &resource.Table{
		Name:      t.name,
		Type:      typ,
		IDColumn:  key.name,
		StringIDs: key.typ != resource.Integer,
		UUIDs:     key.uuid,
		ClientIDs: b.opts.ClientIDs || !t.autoKey,
		ReadOnly:  b.opts.ReadOnly,
	}
	if !t.autoKey {
		r.Before = requireID(typ)
	}
	for _, c := range t.columns {
		if c.name == key.name || b.exclude[t.name+"."+c.name] {
			continue
		}
		if _, ok := b.toOneTarget(t, c.name); ok {
			continue
		}
		if fk, ok := t.foreignKey(c.name); ok {
			b.warnf("foreign key %q of table %q refers to %s.%s, which is no exposed table's key: it is a plain attribute", c.name, t.name, fk.refTable, fk.refColumn)
		}
		name := b.rename(t.name+"."+c.name, c.name)
		if name == "id" || name == "type" {
			b.warnf("column %q of table %q is left out: %q cannot be an attribute; rename it (%s.%s=NAME)", c.name, t.name, name, t.name, c.name)
			continue
		}
		if b.taken(r, name) {
			b.warnf("column %q of table %q is left out: the name %q is taken; rename it", c.name, t.name, name)
			continue
		}
		r.Attributes = append(r.Attributes, resource.Attribute{
			Name: name, Column: c.name, Type: c.typ,
			ReadOnly:  c.generated,
			WriteOnly: b.writeOnl[t.name+"."+c.name],
		})
	}
	return r
}

// toOneTarget returns the foreign key of column col of t when it refers
// to the key of an exposed table, so becomes a to-one.
func (b *builder) toOneTarget(t *table, col string) (foreignKey, bool) {
	fk, ok := t.foreignKey(col)
	if !ok || (len(t.pk) == 1 && t.pk[0] == col) {
		return foreignKey{}, false
	}
	ref, ok := b.tables[fk.refTable]
	if !ok || len(ref.pk) != 1 || ref.pk[0] != fk.refColumn {
		return foreignKey{}, false
	}
	return fk, true
}

// taken reports whether r already has a member called name.
func (b *builder) taken(r *resource.Table, name string) bool {
	if name == "id" || name == "type" {
		return true
	}
	for _, a := range r.Attributes {
		if a.Name == name {
			return true
		}
	}
	for _, rel := range r.Relationships {
		if rel.Name == name {
			return true
		}
	}
	return false
}

// toOnes adds t's to-one relationships.
func (b *builder) toOnes(t *table) {
	r, ok := b.res[t.name]
	if !ok {
		return
	}
	for _, c := range t.columns {
		if b.exclude[t.name+"."+c.name] {
			continue
		}
		fk, ok := b.toOneTarget(t, c.name)
		if !ok {
			continue
		}
		name := b.rename(t.name+"."+c.name, trimID(c.name))
		if b.taken(r, name) {
			b.warnf("foreign key %q of table %q is left out: the name %q is taken; rename it (%s.%s=NAME)", c.name, t.name, name, t.name, c.name)
			continue
		}
		r.Relationships = append(r.Relationships, resource.Relationship{
			Name: name, Type: b.res[fk.refTable].Type, Kind: resource.ToOne,
			ForeignKey: c.name, ReadOnly: b.opts.ReadOnly,
		})
	}
}

// inverses adds, to each table t refers to, the to-many back to t.
func (b *builder) inverses(t *table) {
	r, ok := b.res[t.name]
	if !ok {
		return
	}
	count := map[string]int{}
	for _, rel := range r.Relationships {
		if rel.Kind == resource.ToOne {
			count[rel.Type]++
		}
	}
	for _, rel := range r.Relationships {
		if rel.Kind != resource.ToOne {
			continue
		}
		fk, _ := t.foreignKey(rel.ForeignKey)
		target := b.res[fk.refTable]
		name := t.name
		if count[rel.Type] > 1 {
			name = t.name + "_" + rel.Name
		}
		name = b.rename(target.Name+"."+name, name)
		if b.taken(target, name) {
			b.warnf("the inverse of %s.%s is left out: table %q already has a member %q; rename it (%s.%s=NAME)", t.name, rel.Name, target.Name, name, target.Name, name)
			continue
		}
		target.Relationships = append(target.Relationships, resource.Relationship{
			Name: name, Type: r.Type, Kind: resource.ToMany,
			ForeignKey: rel.ForeignKey, ReadOnly: b.opts.ReadOnly,
		})
	}
}

// join adds the many-to-many relationships of join table t.
func (b *builder) join(t *table) {
	var meta []resource.Attribute
	for _, c := range t.columns {
		if slices.Contains(t.pk, c.name) || b.exclude[t.name+"."+c.name] {
			continue
		}
		name := b.rename(t.name+"."+c.name, c.name)
		meta = append(meta, resource.Attribute{
			Name: name, Column: c.name, Type: c.typ,
			ReadOnly:  c.generated,
			WriteOnly: b.writeOnl[t.name+"."+c.name],
		})
	}
	for i, key := range t.pk {
		other := t.pk[1-i]
		fk, _ := t.foreignKey(key)
		ofk, _ := t.foreignKey(other)
		side, target := b.res[fk.refTable], b.res[ofk.refTable]
		if side == nil || target == nil {
			b.warnf("join table %q is not used: it refers to a table that is not exposed", t.name)
			return
		}
		name := b.rename(t.name+"."+other, trimID(other))
		if b.taken(side, name) {
			b.warnf("join table %q: relationship %q of table %q is left out: the name is taken; rename it (%s.%s=NAME)", t.name, name, side.Name, t.name, other)
			continue
		}
		side.Relationships = append(side.Relationships, resource.Relationship{
			Name: name, Type: target.Type, Kind: resource.ManyToMany,
			JoinTable: t.name, JoinKey: key, JoinTargetKey: other,
			JoinAttributes: slices.Clone(meta), ReadOnly: b.opts.ReadOnly,
		})
	}
}

// extras applies soft delete and bulk and checks every Rename key was
// used.
func (b *builder) extras() error {
	for tn, col := range b.opts.SoftDelete {
		t, ok := b.tables[tn]
		if !ok {
			return fmt.Errorf("introspect: SoftDelete: no table %q", tn)
		}
		r, ok := b.res[tn]
		if !ok {
			return fmt.Errorf("introspect: SoftDelete: table %q is not exposed", tn)
		}
		c, ok := t.column(col)
		if !ok {
			return fmt.Errorf("introspect: SoftDelete: table %q has no column %q", tn, col)
		}
		r.SoftDelete = &resource.SoftDelete{Column: c.name, Timestamp: c.typ == resource.Timestamp || c.typ == resource.Date}
	}
	for _, tn := range b.opts.Bulk {
		r, ok := b.res[tn]
		if !ok {
			if _, ok := b.tables[tn]; ok {
				return fmt.Errorf("introspect: Bulk: table %q is not exposed", tn)
			}
			return fmt.Errorf("introspect: Bulk: no table %q", tn)
		}
		r.Bulk = true
	}
	var unused []string
	for k := range b.opts.Rename {
		if !b.renamed[k] {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		sort.Strings(unused)
		return fmt.Errorf("introspect: Rename: %q names no exposed table, column or relationship", unused[0])
	}
	return nil
}

// requireID refuses a create without a client-generated id on a table
// whose key the database does not fill in: SQLite would store a NULL key,
// a row no URL can name.
func requireID(typ string) func(context.Context, *resource.Write) error {
	return func(_ context.Context, w *resource.Write) error {
		if w.Op == resource.OpCreate && w.ID == nil {
			return &jsonapi.Error{Status: http.StatusBadRequest, Title: "Missing ID",
				Detail: fmt.Sprintf("A new %q resource needs a client-generated id: the database does not assign one.", typ),
				Source: jsonapi.Pointer("/data")}
		}
		return nil
	}
}
