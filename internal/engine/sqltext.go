package engine

import (
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	sq "github.com/Masterminds/squirrel"
)

// maxSQLTexts bounds an engine's cache of SQL texts; a full cache starts
// over.
const maxSQLTexts = 1024

// sqlTexts caches the SQL text of reads, so a request whose query has a
// shape seen before skips building it with squirrel. Only reads of a
// registered plan whose base query, and the base query of each type its
// to-one linkage reads, is plain (see plainBase) are cached: their text
// then depends on nothing but the plan, the kind of read and the parts
// named in the key, and their arguments are exactly the arguments of
// those parts, in order. A text is stored only after checking that.
//
// Reads of the cache take no lock (a sync.Map: each key is written once
// and read many times); n counts the keys so the cache stays bounded.
type sqlTexts struct {
	m sync.Map // sqlKey → string
	n atomic.Int64
}

type sqlKey struct {
	p     *Type
	shape string // the kind of read and the SQL of the parts that vary
}

func newSQLTexts() *sqlTexts { return &sqlTexts{} }

// text returns the cached SQL text of k.
func (c *sqlTexts) text(k sqlKey) (string, bool) {
	t, ok := c.m.Load(k)
	if !ok {
		return "", false
	}
	return t.(string), true
}

// store caches text for k if the statement's arguments are the parts'
// arguments, want, in order.
func (c *sqlTexts) store(k sqlKey, text string, args, want []any) {
	if len(args) != len(want) || (len(args) > 0 && !reflect.DeepEqual(args, want)) {
		return
	}
	if _, loaded := c.m.LoadOrStore(k, text); !loaded && c.n.Add(1) > maxSQLTexts {
		c.m.Clear()
		c.n.Store(0)
	}
}

// render returns the SQL and arguments of parts, such as a filter and
// sort keys, for a cache key: each part's text, separated by NULs.
func render(parts ...sq.Sqlizer) (string, []any, error) {
	var b strings.Builder
	var args []any
	for _, s := range parts {
		b.WriteByte(0)
		if s == nil {
			continue
		}
		t, a, err := s.ToSql()
		if err != nil {
			return "", nil, err
		}
		b.WriteString(t)
		args = append(args, a...)
	}
	return b.String(), args, nil
}
