package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/introspect"
	"github.com/gorestless/restless/jsonp"
	"github.com/gorestless/restless/middleware"
	"github.com/gorestless/restless/openapi"
	"github.com/gorestless/restless/postgres"
	"github.com/gorestless/restless/resource"
	"github.com/gorestless/restless/sqlite"
)

// handler opens the database and returns the whole service: the API with
// its middleware.
func (m *Main) handler(ctx context.Context) (http.Handler, error) {
	api := &restless.API{
		Prefix:         m.Prefix,
		PageSize:       m.PageSize,
		MaxPageSize:    m.MaxPageSize,
		MaxBodyBytes:   m.MaxBodyBytes,
		TrustForwarded: m.TrustForwarded,
		Logger:         m.logger(),
	}
	m.api = api
	// The API's default page size is 10: a smaller maximum lowers it.
	if api.PageSize == 0 && api.MaxPageSize > 0 && api.MaxPageSize < 10 {
		api.PageSize = api.MaxPageSize
	}
	tables, err := m.resources(ctx, api)
	if err != nil {
		return nil, err
	}
	res := make([]resource.Resource, len(tables))
	for i, t := range tables {
		res[i] = t
	}
	if api.Description, err = openapi.Handler(api, res...); err != nil {
		return nil, err
	}
	h, err := api.Handler(res...)
	if err != nil {
		return nil, err
	}
	// RequestID first so every later layer logs and reports the id; the
	// logger outside Recover so it records the 500 a panic becomes; CORS
	// outside JSONP so preflights never reach it.
	mws := []func(http.Handler) http.Handler{
		middleware.RequestID,
		middleware.Logger(m.logger()),
		middleware.Recover,
	}
	if len(m.CORSOrigins) > 0 {
		c, err := middleware.NewCORS(middleware.CORSOptions{AllowedOrigins: m.CORSOrigins})
		if err != nil {
			return nil, fmt.Errorf("-cors-origin: %w", err)
		}
		mws = append(mws, c.Handler)
	}
	if m.JSONP {
		mws = append(mws, jsonp.New(jsonp.Options{ErrorHandler: restless.WriteError}))
	}
	maxBody := m.MaxBodyBytes
	if maxBody == 0 {
		maxBody = restless.DefaultMaxBodyBytes
	}
	mws = append(mws, middleware.MaxBytes(maxBody))
	return middleware.Chain(mws...)(h), nil
}

// resources opens the database into api and returns its resources: the
// introspected tables of -db or -dsn, or the demo's.
func (m *Main) resources(ctx context.Context, api *restless.API) ([]*resource.Table, error) {
	renames, err := m.renames()
	if err != nil {
		return nil, err
	}
	softDelete, err := m.softDeletes()
	if err != nil {
		return nil, err
	}
	opts := introspect.Options{
		Tables:         m.Tables,
		ExcludeColumns: m.ExcludeColumns,
		WriteOnly:      m.WriteOnly,
		Rename:         renames,
		ReadOnly:       m.ReadOnly,
		ClientIDs:      m.ClientIDs,
		SoftDelete:     softDelete,
		Bulk:           m.Bulk,
	}
	var result *introspect.Result
	switch {
	case m.DBFile != "":
		// sqlite.Open would create a missing file: refuse a mistyped name.
		if _, err := os.Stat(m.DBFile); err != nil {
			return nil, fmt.Errorf("-db: %w", err)
		}
		db, err := sqlite.Open(ctx, m.DBFile)
		if err != nil {
			return nil, err
		}
		m.closeDB = db.Close
		api.DB, api.WriteDB, api.Dialect = db.Reader, db.Writer, sqlite.Dialect
		if result, err = introspect.SQLite(ctx, db.Reader, opts); err != nil {
			return nil, err
		}
	case m.DSN != "":
		dsn, err := withSearchPath(m.DSN, m.Schema)
		if err != nil {
			return nil, err
		}
		db, err := postgres.Open(ctx, dsn)
		if err != nil {
			return nil, err
		}
		m.closeDB = db.Close
		api.DB, api.Dialect = db, postgres.Dialect
		if result, err = introspect.Postgres(ctx, db, m.Schema, opts); err != nil {
			return nil, err
		}
	default:
		return m.demo(ctx, api)
	}
	for _, w := range result.Warnings {
		m.logger().Warn("restless: " + w)
	}
	if len(result.Tables) == 0 {
		return nil, fmt.Errorf("the database has no table to serve")
	}
	return result.Tables, nil
}

// demo opens the demo database into api and returns its resources, with
// users soft-deleted through "active" as in seed 004.
func (m *Main) demo(ctx context.Context, api *restless.API) ([]*resource.Table, error) {
	if len(m.Tables)+len(m.ExcludeColumns)+len(m.WriteOnly)+len(m.Rename) > 0 {
		return nil, errDemoOnly
	}
	db, err := demo.OpenAll(ctx)
	if err != nil {
		return nil, err
	}
	m.closeDB = db.Close
	api.DB, api.WriteDB, api.Dialect = db.Reader, db.Writer, sqlite.Dialect
	tables := demo.All()
	byName := map[string]*resource.Table{}
	for _, t := range tables {
		byName[t.Name] = t
		t.ReadOnly = m.ReadOnly
		t.ClientIDs = t.ClientIDs || m.ClientIDs
	}
	byName["users"].SoftDelete = &resource.SoftDelete{Column: "active"}
	for _, n := range m.Bulk {
		t, ok := byName[n]
		if !ok {
			return nil, fmt.Errorf("-bulk: the demo has no table %q", n)
		}
		t.Bulk = true
	}
	sd, _ := m.softDeletes()
	for n, col := range sd {
		t, ok := byName[n]
		if !ok {
			return nil, fmt.Errorf("-soft-delete: the demo has no table %q", n)
		}
		i := slices.IndexFunc(t.Attributes, func(a resource.Attribute) bool { return a.Name == col })
		if i < 0 {
			return nil, fmt.Errorf("-soft-delete: the demo's table %q has no column %q", n, col)
		}
		a := t.Attributes[i]
		t.SoftDelete = &resource.SoftDelete{Column: col, Timestamp: a.Type == resource.Timestamp || a.Type == resource.Date}
	}
	if m.ReadOnly {
		for _, t := range tables {
			for i := range t.Relationships {
				t.Relationships[i].ReadOnly = true
			}
		}
	}
	return tables, nil
}

// withSearchPath puts schema first on the search_path of dsn, a URL or a
// keyword/value string.
func withSearchPath(dsn, schema string) (string, error) {
	if schema == "" {
		return dsn, nil
	}
	quoted := `"` + strings.ReplaceAll(schema, `"`, `""`) + `"`
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("-dsn: %w", err)
		}
		q := u.Query()
		q.Set("search_path", quoted)
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return dsn + " search_path='" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(quoted) + "'", nil
}
