package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// list is a flag holding comma-separated values; repeating the flag adds
// to them.
type list []string

func (l *list) String() string { return strings.Join(*l, ",") }

func (l *list) Set(s string) error {
	for v := range strings.SplitSeq(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}

// ParseFlags reads the command line into m; usage and errors go to out.
func (m *Main) ParseFlags(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("restless", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: restless [-db FILE | -dsn postgres://...] [flags]\n\nWith neither -db nor -dsn it serves the built-in demo.\n\nFlags:")
		fs.PrintDefaults()
	}
	fs.StringVar(&m.Addr, "addr", m.Addr, "`address` to listen on")
	fs.StringVar(&m.Prefix, "prefix", m.Prefix, "URL `path` of the API")
	fs.StringVar(&m.DBFile, "db", m.DBFile, "SQLite `file` to serve")
	fs.StringVar(&m.DSN, "dsn", m.DSN, "PostgreSQL `URL` to serve, such as postgres://user@host:5432/db?sslmode=disable")
	fs.StringVar(&m.Schema, "schema", m.Schema, "PostgreSQL `schema` to serve; it is put first on the search_path (default: the DSN's search_path, usually public)")
	fs.Var((*list)(&m.Tables), "tables", "serve only these `tables` (comma-separated, join tables included)")
	fs.Var((*list)(&m.ExcludeColumns), "exclude-columns", "`table.column,...` never readable nor writable, such as password hashes")
	fs.Var((*list)(&m.WriteOnly), "write-only", "`table.column,...` accepted on writes and never shown")
	fs.Var((*list)(&m.Rename), "rename", "`table=type` or table.column=name (comma-separated or repeated): override a name introspection gives")
	fs.BoolVar(&m.ReadOnly, "read-only", m.ReadOnly, "refuse every write")
	fs.BoolVar(&m.ClientIDs, "client-ids", m.ClientIDs, "let clients choose ids on create for every table")
	fs.Var((*list)(&m.SoftDelete), "soft-delete", "`table.column,...`: DELETE deactivates rows through this column (a timestamp column gets the deletion time, another a false flag)")
	fs.Var((*list)(&m.Bulk), "bulk", "`tables` on which PATCH and DELETE on the collection change every row a filter selects")
	fs.IntVar(&m.PageSize, "page-size", m.PageSize, "default page `size`")
	fs.IntVar(&m.MaxPageSize, "max-page-size", m.MaxPageSize, "largest page `size` clients may ask for")
	fs.Int64Var(&m.MaxBodyBytes, "max-body-bytes", m.MaxBodyBytes, "largest request body in `bytes`")
	fs.Var((*list)(&m.CORSOrigins), "cors-origin", "`origins` whose web pages may call the API (comma-separated; * for any, https://*.example.com patterns)")
	fs.BoolVar(&m.JSONP, "jsonp", m.JSONP, "answer GET requests with a callback parameter with JSONP")
	fs.BoolVar(&m.TrustForwarded, "trust-forwarded", m.TrustForwarded, "build links from X-Forwarded-Proto and X-Forwarded-Host (only behind a proxy that sets them)")
	fs.StringVar(&m.LogFormat, "log-format", m.LogFormat, "log `format`: text or json")
	fs.DurationVar(&m.ReadHeaderTimeout, "read-header-timeout", m.ReadHeaderTimeout, "longest `time` to read a request's headers")
	fs.DurationVar(&m.ReadTimeout, "read-timeout", m.ReadTimeout, "longest `time` to read a whole request")
	fs.DurationVar(&m.WriteTimeout, "write-timeout", m.WriteTimeout, "longest `time` from the end of a request's headers to the end of its response")
	fs.DurationVar(&m.IdleTimeout, "idle-timeout", m.IdleTimeout, "longest `time` a keep-alive connection waits for the next request")
	fs.DurationVar(&m.ShutdownTimeout, "shutdown-timeout", m.ShutdownTimeout, "on SIGTERM or SIGINT, longest `time` to let requests in flight finish")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return m.usageError(out, "unexpected argument %q", fs.Arg(0))
	}
	if m.DBFile != "" && m.DSN != "" {
		return m.usageError(out, "-db and -dsn exclude each other")
	}
	if m.Schema != "" && m.DSN == "" {
		return m.usageError(out, "-schema needs -dsn")
	}
	if m.LogFormat != "text" && m.LogFormat != "json" {
		return m.usageError(out, "-log-format must be text or json, not %q", m.LogFormat)
	}
	if m.PageSize < 0 || m.MaxPageSize < 0 || m.MaxBodyBytes < 0 {
		return m.usageError(out, "-page-size, -max-page-size and -max-body-bytes cannot be negative")
	}
	if m.PageSize > 0 && m.MaxPageSize > 0 && m.PageSize > m.MaxPageSize {
		return m.usageError(out, "-page-size %d is larger than -max-page-size %d", m.PageSize, m.MaxPageSize)
	}
	for _, d := range []time.Duration{m.ReadHeaderTimeout, m.ReadTimeout, m.WriteTimeout, m.IdleTimeout, m.ShutdownTimeout} {
		if d < 0 {
			return m.usageError(out, "timeouts cannot be negative")
		}
	}
	if _, err := m.renames(); err != nil {
		return m.usageError(out, "%v", err)
	}
	if _, err := m.softDeletes(); err != nil {
		return m.usageError(out, "%v", err)
	}
	return nil
}

func (m *Main) usageError(out io.Writer, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	fmt.Fprintln(out, "restless:", err)
	return err
}

// renames turns -rename's entries into introspect's Rename map.
func (m *Main) renames() (map[string]string, error) {
	if len(m.Rename) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(m.Rename))
	for _, e := range m.Rename {
		from, to, ok := strings.Cut(e, "=")
		if !ok || from == "" || to == "" {
			return nil, fmt.Errorf("-rename %q: want table=type or table.column=name", e)
		}
		if _, dup := out[from]; dup {
			return nil, fmt.Errorf("-rename names %q twice", from)
		}
		out[from] = to
	}
	return out, nil
}

// softDeletes turns -soft-delete's entries into a map of table to column.
func (m *Main) softDeletes() (map[string]string, error) {
	if len(m.SoftDelete) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(m.SoftDelete))
	for _, e := range m.SoftDelete {
		i := strings.LastIndexByte(e, '.')
		if i <= 0 || i == len(e)-1 {
			return nil, fmt.Errorf("-soft-delete %q: want table.column", e)
		}
		if _, dup := out[e[:i]]; dup {
			return nil, fmt.Errorf("-soft-delete names table %q twice", e[:i])
		}
		out[e[:i]] = e[i+1:]
	}
	return out, nil
}

var errDemoOnly = errors.New("-tables, -exclude-columns, -write-only and -rename need -db or -dsn; the demo's resources are declared in Go")
