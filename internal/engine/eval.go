package engine

import (
	"context"
	"fmt"

	"github.com/gorestless/restless/query"
	"github.com/gorestless/restless/resource"
)

// Evaluate runs the functions of params over the resources of p its
// filters select and returns the results by key, such as "sum__age".
func (e *Engine) Evaluate(ctx context.Context, p *Type, params query.Params) (map[string]any, error) {
	meta, err := e.evaluate(ctx, p, params)
	return meta, e.readFailure(p.schema, err)
}

func (e *Engine) evaluate(ctx context.Context, p *Type, params query.Params) (map[string]any, error) {
	meta := map[string]any{}
	if len(params.Functions) == 0 {
		return meta, nil
	}
	base, err := e.rowsOf(ctx, p)
	if err != nil {
		return nil, err
	}
	cols := make([]string, len(params.Functions))
	for i, f := range params.Functions {
		cols[i] = f.SQL
	}
	text, args, err := where(base.Columns(cols...), params.Filter).PlaceholderFormat(e.d.Placeholder()).ToSql()
	if err != nil {
		return nil, fmt.Errorf("restless: build evaluation: %w", err)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := e.scanOne(ctx, text, args, ptrs...); err != nil {
		return nil, err
	}
	for i, f := range params.Functions {
		var raw []byte
		switch f.Name {
		case "count", "count_distinct":
			raw = appendValue(nil, resource.Integer, vals[i])
		case "sum", "avg":
			raw = appendValue(nil, resource.Float, vals[i])
		default:
			raw = f.Field.AppendJSON(nil, vals[i])
		}
		meta[f.Key] = rawJSON(raw)
	}
	return meta, nil
}

// rawJSON is encoded JSON kept as is in a meta map.
type rawJSON []byte

func (r rawJSON) MarshalJSON() ([]byte, error) { return r, nil }
