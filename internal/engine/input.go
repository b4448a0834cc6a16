package engine

import "github.com/gorestless/restless/resource"

// An Input is a decoded resource object from a POST or PATCH body.
type Input struct {
	// ID is the object's id, or nil when it has none.
	ID *string
	// LID is the object's local id (atomic operations), or "".
	LID string
	// IfMatch is the request's If-Match header: the write checks it
	// against the row under the row's lock.
	IfMatch string

	values resource.Values
	links  []*Linkage
}

// A Linkage is a decoded relationship object of a request: the related
// resources it names, each checked to be an id of the related type.
type Linkage struct {
	rel     *resource.Relationship
	toOne   *member // nil with null
	members []member
	ptr     string
}

// member is one resource identifier of a request's linkage.
type member struct {
	id   any
	meta resource.Values // join-table attributes, for many-to-many
	ptr  string          // pointer to the identifier
}

// changes returns the to-many changes of a body for the hooks.
func (in *Input) changes() []resource.LinkChange {
	var out []resource.LinkChange
	for _, lk := range in.links {
		if lk.rel.Kind == resource.ToOne {
			continue
		}
		ids := make([]any, len(lk.members))
		for i, m := range lk.members {
			ids[i] = m.id
		}
		out = append(out, resource.LinkChange{Name: lk.rel.Name, Op: resource.LinkReplace, IDs: ids})
	}
	return out
}
