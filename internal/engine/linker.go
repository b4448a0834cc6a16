package engine

import (
	"net/url"

	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/resource"
)

// A Linker builds the links of one response's objects, and remembers
// for that response the linkage of the to-one relationships its sparse
// fieldsets hide, which include still follows. A Linker serves one
// request at a time.
type Linker struct {
	base string // scheme://host + prefix
	// hidden holds, for objects read through a sparse fieldset, the
	// to-one relationships the fieldset leaves out; nil until one is.
	hidden map[*jsonapi.Object][]*jsonapi.RelationshipObject
}

// NewLinker returns the Linker of a request whose links start at base:
// the scheme, host and API prefix, such as "https://example.com/api".
func NewLinker(base string) *Linker { return &Linker{base: base} }

// Base returns the start of every link.
func (l *Linker) Base() string { return l.base }

// Collection returns the link of the collection of s.
func (l *Linker) Collection(s *resource.Schema) string {
	return l.base + "/" + url.PathEscape(s.CollectionPath())
}

// itemPrefix returns the link of s's resources without the escaped id.
func (l *Linker) itemPrefix(s *resource.Schema) string {
	return l.base + "/" + url.PathEscape(s.CollectionPath()) + "/"
}

// hide records the hidden to-one relationships of o.
func (l *Linker) hide(o *jsonapi.Object, rels []*jsonapi.RelationshipObject) {
	if l.hidden == nil {
		l.hidden = map[*jsonapi.Object][]*jsonapi.RelationshipObject{}
	}
	l.hidden[o] = rels
}

// relationshipOf returns o's relationship object called name, shown or
// hidden by a sparse fieldset, or nil.
func (l *Linker) relationshipOf(o *jsonapi.Object, name string) *jsonapi.RelationshipObject {
	if r := o.Relationship(name); r != nil {
		return r
	}
	for _, r := range l.hidden[o] {
		if r.Name == name {
			return r
		}
	}
	return nil
}
