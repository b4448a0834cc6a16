package jsonapi

import (
	"encoding/json"
	"sort"

	"github.com/gorestless/restless/internal/jsontext"
)

// A Document is a JSON:API top-level document with primary data.
type Document struct {
	// Data is the primary data: *Object, []*Object, or nil for null.
	Data any
	// Included holds the included resources of a compound document.
	Included []*Object
	// Links are the top-level links.
	Links *Links
	// Meta is the top-level meta.
	Meta map[string]any
	// Profile lists the URIs of the profiles applied to the document,
	// named in jsonapi.profile and in the response's Content-Type.
	Profile []string
}

// An Object is a JSON:API resource object.
type Object struct {
	// Type is the resource type.
	Type string
	// ID is the resource id; empty only in requests for new resources.
	ID string
	// LID is the local id of a resource that has no id yet.
	LID string
	// Attributes is the encoded attributes object, or nil for none.
	Attributes json.RawMessage
	// Relationships are the relationship objects, in order.
	Relationships []*RelationshipObject
	// Links are the resource's links.
	Links *Links
	// Meta is the resource's meta.
	Meta map[string]any
}

// A RelationshipObject is a JSON:API relationship object.
type RelationshipObject struct {
	// Name is the relationship's member name.
	Name string
	// Data is the encoded resource linkage: null, an identifier or an
	// array of them. Nil means the member is absent.
	Data json.RawMessage
	// Links are the relationship's self and related links.
	Links *Links
	// Meta is the relationship's meta.
	Meta map[string]any
}

// Links holds the links restless emits. Empty members are omitted.
type Links struct {
	Self        string `json:"self,omitempty"`
	Related     string `json:"related,omitempty"`
	DescribedBy string `json:"describedby,omitempty"`
	First       string `json:"first,omitempty"`
	Last        string `json:"last,omitempty"`
	Prev        string `json:"prev,omitempty"`
	Next        string `json:"next,omitempty"`
	// NullPrevNext writes empty prev and next links as null instead of
	// leaving them out, as the cursor pagination profile requires.
	NullPrevNext bool `json:"-"`
	// Others are further links by name, written in name order after the
	// ones above.
	Others map[string]string `json:"-"`
}

// MarshalJSON encodes the document.
func (d *Document) MarshalJSON() ([]byte, error) { return d.AppendJSON(nil) }

// AppendJSON appends the encoded document to b.
func (d *Document) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"data":`...)
	var err error
	switch data := d.Data.(type) {
	case nil:
		b = append(b, "null"...)
	case *Object:
		if data == nil {
			b = append(b, "null"...)
		} else if b, err = data.AppendJSON(b); err != nil {
			return nil, err
		}
	case []*Object:
		b = append(b, '[')
		for i, o := range data {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = o.AppendJSON(b); err != nil {
				return nil, err
			}
		}
		b = append(b, ']')
	default:
		raw, err := json.Marshal(data)
		if err != nil {
			return nil, err
		}
		b = append(b, raw...)
	}
	if d.Included != nil {
		b = append(b, `,"included":[`...)
		for i, o := range d.Included {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = o.AppendJSON(b); err != nil {
				return nil, err
			}
		}
		b = append(b, ']')
	}
	if d.Links != nil {
		b = append(b, `,"links":`...)
		b = d.Links.appendJSON(b)
	}
	if len(d.Meta) > 0 {
		raw, err := json.Marshal(d.Meta)
		if err != nil {
			return nil, err
		}
		b = append(b, `,"meta":`...)
		b = append(b, raw...)
	}
	b = append(b, `,"jsonapi":{"version":"1.1"`...)
	if len(d.Profile) > 0 {
		b = append(b, `,"profile":[`...)
		for i, p := range d.Profile {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsontext.AppendString(b, p)
		}
		b = append(b, ']')
	}
	return append(b, "}}"...), nil
}

// MarshalJSON encodes the resource object.
func (o *Object) MarshalJSON() ([]byte, error) { return o.AppendJSON(nil) }

// AppendJSON appends the encoded resource object to b.
func (o *Object) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"type":`...)
	b = jsontext.AppendString(b, o.Type)
	if o.ID != "" {
		b = append(b, `,"id":`...)
		b = jsontext.AppendString(b, o.ID)
	}
	if o.LID != "" {
		b = append(b, `,"lid":`...)
		b = jsontext.AppendString(b, o.LID)
	}
	if o.Attributes != nil {
		b = append(b, `,"attributes":`...)
		b = append(b, o.Attributes...)
	}
	if len(o.Relationships) > 0 {
		b = append(b, `,"relationships":{`...)
		for i, r := range o.Relationships {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsontext.AppendString(b, r.Name)
			b = append(b, ':')
			var err error
			if b, err = r.appendJSON(b); err != nil {
				return nil, err
			}
		}
		b = append(b, '}')
	}
	if o.Links != nil {
		b = append(b, `,"links":`...)
		b = o.Links.appendJSON(b)
	}
	if len(o.Meta) > 0 {
		raw, err := json.Marshal(o.Meta)
		if err != nil {
			return nil, err
		}
		b = append(b, `,"meta":`...)
		b = append(b, raw...)
	}
	return append(b, '}'), nil
}

// MarshalJSON encodes the relationship object.
func (r *RelationshipObject) MarshalJSON() ([]byte, error) { return r.appendJSON(nil) }

func (r *RelationshipObject) appendJSON(b []byte) ([]byte, error) {
	b = append(b, '{')
	n := len(b)
	if r.Links != nil {
		b = append(b, `"links":`...)
		b = r.Links.appendJSON(b)
	}
	if r.Data != nil {
		if len(b) > n {
			b = append(b, ',')
		}
		b = append(b, `"data":`...)
		b = append(b, r.Data...)
	}
	if len(r.Meta) > 0 {
		raw, err := json.Marshal(r.Meta)
		if err != nil {
			return nil, err
		}
		if len(b) > n {
			b = append(b, ',')
		}
		b = append(b, `"meta":`...)
		b = append(b, raw...)
	}
	return append(b, '}'), nil
}

func (l *Links) appendJSON(b []byte) []byte {
	b = append(b, '{')
	n := len(b)
	add := func(name, v string) {
		null := v == "" && l.NullPrevNext && (name == "prev" || name == "next")
		if v == "" && !null {
			return
		}
		if len(b) > n {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, `":`...)
		if null {
			b = append(b, "null"...)
		} else {
			b = jsontext.AppendString(b, v)
		}
	}
	add("self", l.Self)
	add("related", l.Related)
	add("describedby", l.DescribedBy)
	add("first", l.First)
	add("last", l.Last)
	add("prev", l.Prev)
	add("next", l.Next)
	if len(l.Others) > 0 {
		names := make([]string, 0, len(l.Others))
		for name := range l.Others {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if len(b) > n {
				b = append(b, ',')
			}
			b = jsontext.AppendString(b, name)
			b = append(b, ':')
			b = jsontext.AppendString(b, l.Others[name])
		}
	}
	return append(b, '}')
}

// Relationship returns o's relationship object called name, or nil.
func (o *Object) Relationship(name string) *RelationshipObject {
	for _, r := range o.Relationships {
		if r.Name == name {
			return r
		}
	}
	return nil
}
