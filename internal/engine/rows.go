package engine

import (
	"database/sql"
	"fmt"
	"net/url"
	"strconv"

	"github.com/gorestless/restless/internal/jsontext"
	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/resource"
)

// rowReader scans rows of a plan's columns into objects. extra is the
// number of columns after the plan's (such as sort keys). It allocates
// the objects, links and relationship objects of its rows in blocks, and
// the links of each row in one string, so a page of rows costs a few
// allocations per row instead of several per relationship.
type rowReader struct {
	p     *Type
	l     *Linker
	vals  []any
	ptrs  []any
	arena []byte
	nOne  int // to-one linkage columns
	extra int
	// prefix is the item link of the type without the id: base, "/",
	// the escaped collection path and "/".
	prefix string
	// scratch builds the links of a row.
	scratch []byte
	// The blocks the next rows take their parts from, and the size of
	// the next block.
	objs  []jsonapi.Object
	links []jsonapi.Links
	ros   []jsonapi.RelationshipObject
	roPtr []*jsonapi.RelationshipObject
	keys  []any
	block int
}

func (p *Type) reader(l *Linker, extra int) *rowReader {
	nOne := len(p.toOne())
	n := len(p.cols) + nOne + extra
	rr := &rowReader{p: p, l: l, vals: make([]any, n), ptrs: make([]any, n), nOne: nOne, extra: extra, block: 1,
		prefix: l.itemPrefix(p.schema)}
	for i := range rr.vals {
		rr.ptrs[i] = &rr.vals[i]
	}
	return rr
}

// maxBlock bounds the number of rows a reader allocates at once.
const maxBlock = 64

// take makes sure the blocks hold the parts of one more row.
func (rr *rowReader) take() {
	if len(rr.objs) > 0 {
		return
	}
	n := rr.block
	rr.block = min(rr.block*4, maxBlock)
	nRels := len(rr.p.rels)
	rr.objs = make([]jsonapi.Object, n)
	rr.links = make([]jsonapi.Links, n*(1+nRels))
	if nRels > 0 {
		rr.ros = make([]jsonapi.RelationshipObject, n*nRels)
		rr.roPtr = make([]*jsonapi.RelationshipObject, n*nRels)
	}
	if rr.extra > 0 {
		rr.keys = make([]any, n*rr.extra)
	}
}

// scan reads the current row into a new Object.
func (rr *rowReader) scan(rows *sql.Rows) (*jsonapi.Object, error) {
	for i := range rr.vals {
		rr.vals[i] = nil
	}
	if err := rows.Scan(rr.ptrs...); err != nil {
		return nil, fmt.Errorf("restless: scan %s: %w", rr.p.schema.Type, err)
	}
	p := rr.p
	rr.take()
	o := &rr.objs[0]
	rr.objs = rr.objs[1:]

	// The row's links in one string: self, then each relationship's
	// self and related links.
	b := append(rr.scratch[:0], rr.prefix...)
	var id string
	if n, ok := rr.vals[0].(int64); ok {
		b = strconv.AppendInt(b, n, 10)
	} else {
		id = formatID(rr.vals[0])
		b = append(b, url.PathEscape(id)...)
	}
	selfEnd := len(b)
	for _, rel := range p.rels {
		b = append(b, b[:selfEnd]...)
		b = append(b, "/relationships/"...)
		b = append(b, rel.Name...)
		b = append(b, b[:selfEnd]...)
		b = append(b, '/')
		b = append(b, rel.Name...)
	}
	rr.scratch = b
	all := string(b)
	self := all[:selfEnd]
	if id == "" && rr.vals[0] != nil {
		id = self[len(rr.prefix):]
	}
	o.Type, o.ID = p.schema.Type, id

	if len(p.attrs) > 0 {
		start := len(rr.arena)
		b := append(rr.arena, '{')
		for i, a := range p.attrs {
			b = append(b, p.keys[i]...)
			b = appendValue(b, a.Type, rr.vals[i+1])
		}
		b = append(b, '}')
		rr.arena = b
		o.Attributes = b[start:len(b):len(b)]
	}
	links := rr.links[: 1+len(p.rels) : 1+len(p.rels)]
	rr.links = rr.links[1+len(p.rels):]
	links[0].Self = self
	o.Links = &links[0]
	if len(p.rels) > 0 {
		nRels := len(p.rels)
		o.Relationships = rr.roPtr[:nRels:nRels]
		rr.roPtr = rr.roPtr[nRels:]
		ros := rr.ros[:nRels]
		rr.ros = rr.ros[nRels:]
		col := len(p.cols)
		at := selfEnd
		for i, rel := range p.rels {
			l := &links[1+i]
			n := selfEnd + len("/relationships/") + len(rel.Name)
			l.Self = all[at : at+n]
			at += n
			n = selfEnd + 1 + len(rel.Name)
			l.Related = all[at : at+n]
			at += n
			ro := &ros[i]
			ro.Name, ro.Links = rel.Name, l
			if rel.Kind == resource.ToOne {
				ro.Data = rr.identifier(rel.Type, rr.vals[col])
				col++
			}
			o.Relationships[i] = ro
		}
	}
	if len(p.hiddenOne) > 0 {
		col := len(p.cols) + rr.nOne - len(p.hiddenOne)
		hidden := make([]*jsonapi.RelationshipObject, len(p.hiddenOne))
		for i, rel := range p.hiddenOne {
			hidden[i] = &jsonapi.RelationshipObject{Name: rel.Name, Data: identifier(rel.Type, rr.vals[col+i])}
		}
		rr.l.hide(o, hidden)
	}
	return o, nil
}

// rowKeys returns a copy of the extra columns of the current row.
func (rr *rowReader) rowKeys() []any {
	k := rr.keys[:rr.extra:rr.extra]
	rr.keys = rr.keys[rr.extra:]
	copy(k, rr.vals[len(rr.vals)-rr.extra:])
	return k
}

// identifier is the package's identifier, encoded into the reader's
// arena.
func (rr *rowReader) identifier(typ string, id any) []byte {
	if id == nil {
		return []byte("null")
	}
	start := len(rr.arena)
	b := append(rr.arena, `{"type":`...)
	b = jsontext.AppendString(b, typ)
	b = append(b, `,"id":`...)
	b = jsontext.AppendString(b, formatID(id))
	b = append(b, '}')
	rr.arena = b
	return b[start:len(b):len(b)]
}

// identifier encodes the linkage of one related id, or null.
func identifier(typ string, id any) []byte {
	if id == nil {
		return []byte("null")
	}
	b := append([]byte(`{"type":`), jsontext.AppendString(nil, typ)...)
	b = append(b, `,"id":`...)
	b = jsontext.AppendString(b, formatID(id))
	return append(b, '}')
}
