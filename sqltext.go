package restless

import (
	"context"
	"reflect"
	"strings"
	"sync"

	sq "github.com/Masterminds/squirrel"
)

// maxSQLTexts bounds an API's cache of SQL texts; a full cache starts
// over.
const maxSQLTexts = 1024

// sqlTexts caches the SQL text of reads, so a request whose query has a
// shape seen before skips building it with squirrel. Only reads of a
// registered plan whose base query, and the base query of each type its
// to-one linkage reads, is plain (see plainBase) are cached: their text
// then depends on nothing but the plan, the kind of read and the parts
// named in the key, and their arguments are exactly the arguments of
// those parts, in order. A text is stored only after checking that.
type sqlTexts struct {
	mu sync.RWMutex
	m  map[sqlKey]string
}

type sqlKey struct {
	p     *plan
	shape string // the kind of read and the SQL of the parts that vary
}

func (a *API) sqlTexts() *sqlTexts {
	reg := a.registry()
	reg.mu.Lock()
	defer reg.mu.Unlock()
	if reg.texts == nil {
		reg.texts = &sqlTexts{m: map[sqlKey]string{}}
	}
	return reg.texts
}

// cacheable reports whether reads of p may use the SQL text cache.
func (a *API) cacheable(ctx context.Context, p *plan) bool {
	if reg, ok := a.lookupType(p.schema.Type); !ok || reg != p || !a.plainBase(ctx, p) {
		return false
	}
	for _, rel := range p.toOne() {
		target, ok := a.lookupType(rel.Type)
		if ok && !a.plainBase(ctx, target) {
			return false
		}
	}
	return true
}

// text returns the cached SQL text of k.
func (c *sqlTexts) text(k sqlKey) (string, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	t, ok := c.m[k]
	return t, ok
}

// store caches text for k if the statement's arguments are the parts'
// arguments, want, in order.
func (c *sqlTexts) store(k sqlKey, text string, args, want []any) {
	if len(args) != len(want) || (len(args) > 0 && !reflect.DeepEqual(args, want)) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxSQLTexts {
		clear(c.m)
	}
	c.m[k] = text
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

// cachedSQL returns the SQL text and arguments of a read of p: from the
// cache when its base queries allow (see cacheable) and the shape was
// built before, otherwise from build. shape names the kind of read and
// holds the SQL of every part that may vary from request to request;
// want are the arguments of those parts, in order. Anything build
// depends on must be in p or in shape.
func (a *API) cachedSQL(ctx context.Context, p *plan, shape string, want []any, build func() (string, []any, error)) (string, []any, error) {
	if !a.cacheable(ctx, p) {
		return build()
	}
	c := a.sqlTexts()
	k := sqlKey{p: p, shape: shape}
	if t, ok := c.text(k); ok {
		return t, want, nil
	}
	t, args, err := build()
	if err == nil {
		c.store(k, t, args, want)
	}
	return t, args, err
}
