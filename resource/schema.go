package resource

import "fmt"

// A Schema describes one JSON:API resource type and the SQL behind it.
type Schema struct {
	// Type is the JSON:API type name, such as "person".
	Type string
	// Path is the URL segment of the collection, such as "people".
	// Empty means Type.
	Path string
	// Table is the SQL table that holds the rows. Other resources' has/any
	// filters and relationship queries read it.
	Table string
	// ID describes the primary key.
	ID ID
	// Attributes lists the attributes clients may see or write. A column
	// that is not listed does not exist as far as clients can tell.
	Attributes []Attribute
	// Relationships lists the relationships to other resource types.
	Relationships []Relationship
	// ClientIDs allows clients to choose the id on create.
	ClientIDs bool
	// NoEval switches function evaluation off.
	NoEval bool
	// Bulk allows changing and deleting every row a filter selects with
	// PATCH and DELETE on the collection, answered with meta.num_modified
	// or meta.num_deleted. Each row is written as a PATCH or DELETE of that
	// one resource would be (row filter, hooks), all in one transaction,
	// at most the API's MaxBulk rows. PATCH needs an [Updater] and DELETE a
	// [Deleter] (or SoftDelete); without Bulk both answer 405. A bulk
	// request without a filter is refused (400) unless BulkUnfiltered is
	// set too.
	Bulk bool
	// BulkUnfiltered allows bulk changes without a filter, to every row
	// the resource's row filter lets the request see.
	BulkUnfiltered bool
	// SoftDelete, when set, makes DELETE deactivate rows instead of
	// removing them.
	SoftDelete *SoftDelete
}

// SoftDelete describes how a resource deactivates rows instead of deleting
// them (seed 004's "deactivate").
//
// DELETE, of one resource or in bulk, runs an UPDATE of Column limited to
// the rows the resource's Select shows (so its row filter applies), inside
// the write's transaction with BeforeWrite and AfterWrite seeing OpDelete.
// A resource with a SoftDelete answers DELETE even when it is not a
// [Deleter]; an [Allower] can still refuse it.
//
// Unless Visible is set, a deactivated row is gone from every read: its
// item, a PATCH of it and a second DELETE are 404; collections, their
// totals, related and relationship endpoints, include, withCount,
// evaluation and has/any filters skip it; a to-one relationship pointing at
// it reads null; and a write naming it as a related resource is a 404, as
// for a missing row.
//
// Column need not be an attribute. When it is a writable one, a PATCH can
// reactivate a Visible row; without Visible, a write that sets it to the
// deactivated value is refused like any write that moves a row out of view
// (403).
type SoftDelete struct {
	// Column is the column that marks a row deactivated. By default it is
	// a boolean flag such as "active": live rows hold true and DELETE sets
	// it to false.
	Column string
	// Timestamp makes Column a nullable timestamp such as "deleted_at":
	// live rows hold NULL and DELETE sets it to the current time.
	Timestamp bool
	// Visible keeps deactivated rows readable and writable: collections,
	// items, related endpoints and included resources still show them.
	// DELETE of a row already deactivated then succeeds and changes
	// nothing (a timestamp keeps the first deactivation's time), and a bulk
	// DELETE counts only the rows it deactivates.
	Visible bool
}

// ID describes a resource's primary key.
type ID struct {
	// Column is the key column, such as "id".
	Column string
	// Expr is the SQL expression that reads the key; empty means the
	// column qualified by the table.
	Expr string
	// Type is Integer or String. Integer keys reject ids that are not
	// decimal int64 values; such an id names no resource (404).
	Type ValueType
	// UUID says the String key is a UUID: ids that are not UUIDs in text
	// form (8-4-4-4-12 hexadecimal digits) name no resource either.
	UUID bool
}

// An Attribute is one attribute of a resource type.
type Attribute struct {
	// Name is the JSON member name.
	Name string
	// Column is the SQL column written on create and update. An attribute
	// with an Expr and no Column is computed and read-only.
	Column string
	// Expr is the SQL expression that reads the value; empty means the
	// column qualified by the table. Expr is trusted SQL from the program,
	// never from a request.
	Expr string
	// Type is the value type.
	Type ValueType
	// ReadOnly attributes are shown but refused on writes (403).
	ReadOnly bool
	// WriteOnly attributes are accepted on writes and never shown, such as
	// a password whose hash the database or a hook stores.
	WriteOnly bool
}

// Writable reports whether clients may write the attribute.
func (a *Attribute) Writable() bool { return !a.ReadOnly && a.Column != "" }

// Readable reports whether the attribute appears in documents.
func (a *Attribute) Readable() bool { return !a.WriteOnly }

// RelationshipKind says how a relationship is stored.
type RelationshipKind int

// The relationship kinds.
const (
	// ToOne relationships are a foreign-key column of this resource's
	// table.
	ToOne RelationshipKind = iota + 1
	// ToMany relationships are the inverse of a to-one: a foreign-key
	// column of the related table points back at this one.
	ToMany
	// ManyToMany relationships go through a join table.
	ManyToMany
)

// A Relationship is one relationship of a resource type.
type Relationship struct {
	// Name is the JSON member name, such as "owner".
	Name string
	// Type is the related resource type, such as "person".
	Type string
	// Kind says how the relationship is stored.
	Kind RelationshipKind
	// ForeignKey is the foreign-key column: in this table for ToOne, in
	// the related table for ToMany.
	ForeignKey string
	// JoinTable is the join table of a ManyToMany relationship.
	JoinTable string
	// JoinKey is the join-table column that refers to this resource.
	JoinKey string
	// JoinTargetKey is the join-table column that refers to the related
	// resource.
	JoinTargetKey string
	// JoinAttributes are extra join-table columns, shown as the linkage's
	// meta.
	JoinAttributes []Attribute
	// ReadOnly relationships cannot be changed by clients.
	ReadOnly bool
	// NoReplace refuses the full replacement of a to-many relationship
	// (PATCH) with 403.
	NoReplace bool
	// NoRemove refuses removing members from a to-many relationship
	// (DELETE) with 403.
	NoRemove bool
}

// CollectionPath returns the URL segment of the collection.
func (s *Schema) CollectionPath() string {
	if s.Path != "" {
		return s.Path
	}
	return s.Type
}

// Attribute returns the attribute called name.
func (s *Schema) Attribute(name string) (*Attribute, bool) {
	for i := range s.Attributes {
		if s.Attributes[i].Name == name {
			return &s.Attributes[i], true
		}
	}
	return nil, false
}

// Relationship returns the relationship called name.
func (s *Schema) Relationship(name string) (*Relationship, bool) {
	for i := range s.Relationships {
		if s.Relationships[i].Name == name {
			return &s.Relationships[i], true
		}
	}
	return nil, false
}

// Validate reports a schema that cannot be served.
func (s *Schema) Validate() error {
	if s.Type == "" {
		return fmt.Errorf("restless: schema has no type")
	}
	if s.ID.Column == "" && s.ID.Expr == "" {
		return fmt.Errorf("restless: type %q has no id column", s.Type)
	}
	if s.ID.Type != Integer && s.ID.Type != String {
		return fmt.Errorf("restless: type %q: id type must be Integer or String", s.Type)
	}
	if s.ID.UUID && s.ID.Type != String {
		return fmt.Errorf("restless: type %q: a UUID id must be of type String", s.Type)
	}
	if s.BulkUnfiltered && !s.Bulk {
		return fmt.Errorf("restless: type %q: BulkUnfiltered needs Bulk", s.Type)
	}
	if sd := s.SoftDelete; sd != nil {
		if sd.Column == "" {
			return fmt.Errorf("restless: type %q: SoftDelete needs a column", s.Type)
		}
		if s.Table == "" {
			return fmt.Errorf("restless: type %q: SoftDelete needs the schema's Table", s.Type)
		}
	}
	seen := map[string]bool{"id": true, "type": true}
	for _, a := range s.Attributes {
		if seen[a.Name] {
			return fmt.Errorf("restless: type %q: duplicate or reserved member %q", s.Type, a.Name)
		}
		if a.Column == "" && a.Expr == "" {
			return fmt.Errorf("restless: type %q: attribute %q has neither column nor expression", s.Type, a.Name)
		}
		seen[a.Name] = true
	}
	for _, r := range s.Relationships {
		if seen[r.Name] {
			return fmt.Errorf("restless: type %q: duplicate or reserved member %q", s.Type, r.Name)
		}
		seen[r.Name] = true
		if r.Type == "" || r.Kind == 0 {
			return fmt.Errorf("restless: type %q: relationship %q needs a type and a kind", s.Type, r.Name)
		}
	}
	return nil
}
