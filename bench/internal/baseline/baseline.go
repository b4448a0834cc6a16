// Package baseline is the bench's hand-written JSON:API server: net/http,
// database/sql with modernc.org/sqlite and encoding/json, no restless code.
// It serves the person collection of the bench database (and includes
// their computers) with the same documents restless emits for the bench's
// scenarios: GET /api/person/{id}, GET /api/person with page[number],
// page[size], sort, filter[...] and include=computers, POST /api/person
// and PATCH /api/person/{id}.
//
// It is what a careful person writes by hand for these endpoints:
// prepared statements, one count for meta.total, one IN query for the
// include, INSERT and UPDATE with RETURNING, ETags on GET, content
// negotiation reduced to the checks JSON:API requires. It does not do what
// the scenarios do not need (sparse fieldsets, relationship endpoints,
// request ids, access logs).
package baseline

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
)

const (
	mediaType   = "application/vnd.api+json"
	maxBody     = 1 << 20
	defaultSize = 10
	maxSize     = 100
	prefix      = "/api"
)

// pragmas are restless's (package sqlite's DSN), copied.
const pragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_time_format=sqlite"

const personCols = "id, name, birth_date, age"

// Server serves the bench database.
type Server struct {
	reader, writer *sql.DB
	mux            *http.ServeMux

	item   *sql.Stmt
	insert *sql.Stmt
	// update holds UPDATE ... RETURNING by the set of attributes sent:
	// bit 0 name, bit 1 birth_date, bit 2 age.
	update [8]*sql.Stmt

	// stmts caches prepared reads whose text is built per request
	// (filters, sorts, IN lists); the text is built only from fixed
	// column names, so the set is bounded.
	stmts  sync.Map
	nstmts atomic.Int32
}

// Open opens the SQLite file at path: a writer with one connection whose
// transactions take the write lock at once, and a pool of readers.
func Open(ctx context.Context, path string) (*Server, error) {
	dsn := "file:" + strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path) + "?" + pragmas
	s := &Server{}
	var err error
	if s.writer, err = sql.Open("sqlite", dsn+"&_txlock=immediate"); err != nil {
		return nil, err
	}
	s.writer.SetMaxOpenConns(1)
	s.writer.SetMaxIdleConns(1)
	s.writer.SetConnMaxLifetime(0)
	if err := s.writer.PingContext(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if s.reader, err = sql.Open("sqlite", dsn); err != nil {
		s.Close()
		return nil, err
	}
	n := max(4, runtime.GOMAXPROCS(0))
	s.reader.SetMaxOpenConns(n)
	s.reader.SetMaxIdleConns(n)
	s.reader.SetConnMaxLifetime(0)
	if s.item, err = s.reader.PrepareContext(ctx, "SELECT "+personCols+" FROM person WHERE id = ?"); err != nil {
		s.Close()
		return nil, err
	}
	if s.insert, err = s.writer.PrepareContext(ctx, "INSERT INTO person (name, birth_date, age) VALUES (?, ?, ?) RETURNING "+personCols); err != nil {
		s.Close()
		return nil, err
	}
	for mask := 1; mask < 8; mask++ {
		var set []string
		for i, col := range []string{"name", "birth_date", "age"} {
			if mask&(1<<i) != 0 {
				set = append(set, col+" = ?")
			}
		}
		text := "UPDATE person SET " + strings.Join(set, ", ") + " WHERE id = ? RETURNING " + personCols
		if s.update[mask], err = s.writer.PrepareContext(ctx, text); err != nil {
			s.Close()
			return nil, err
		}
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET "+prefix+"/person/{id}", s.getPerson)
	s.mux.HandleFunc("PATCH "+prefix+"/person/{id}", s.patchPerson)
	s.mux.HandleFunc("GET "+prefix+"/person", s.listPersons)
	s.mux.HandleFunc("POST "+prefix+"/person", s.createPerson)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Not Found", "No endpoint exists at this path.", nil)
	})
	return s, nil
}

// Close closes the database.
func (s *Server) Close() error {
	var errs []error
	if s.reader != nil {
		errs = append(errs, s.reader.Close())
	}
	if s.writer != nil {
		errs = append(errs, s.writer.Close())
	}
	return errors.Join(errs...)
}

// ServeHTTP checks the Accept header, as JSON:API requires, and routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Accept")
	if !acceptable(r.Header.Get("Accept")) {
		writeError(w, http.StatusNotAcceptable, "Not Acceptable",
			"The Accept header does not allow the media type "+mediaType+".", &source{Header: "Accept"})
		return
	}
	s.mux.ServeHTTP(w, r)
}

// acceptable reports whether an Accept header allows plain JSON:API: a
// wildcard or an instance of the media type without parameters (q aside).
func acceptable(accept string) bool {
	if accept == "" {
		return true
	}
	for part := range strings.SplitSeq(accept, ",") {
		typ, params, _ := strings.Cut(part, ";")
		typ = strings.ToLower(strings.TrimSpace(typ))
		switch typ {
		case "*/*", "application/*":
			return true
		case mediaType:
			ok := true
			for p := range strings.SplitSeq(params, ";") {
				name, _, _ := strings.Cut(p, "=")
				if name = strings.ToLower(strings.TrimSpace(name)); name != "" && name != "q" && name != "profile" {
					ok = false
				}
			}
			if ok {
				return true
			}
		}
	}
	return false
}

// --- documents ---

type jsonapiObject struct {
	Version string `json:"version"`
}

var version11 = jsonapiObject{Version: "1.1"}

type selfLink struct {
	Self string `json:"self"`
}

type relLinks struct {
	Self    string `json:"self"`
	Related string `json:"related"`
}

type identifier struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type person struct {
	Type          string           `json:"type"`
	ID            string           `json:"id"`
	Attributes    personAttributes `json:"attributes"`
	Relationships struct {
		Computers struct {
			Links relLinks      `json:"links"`
			Data  *[]identifier `json:"data,omitempty"`
		} `json:"computers"`
	} `json:"relationships"`
	Links selfLink `json:"links"`

	id int64
}

type personAttributes struct {
	Name      string  `json:"name"`
	BirthDate *string `json:"birth_date"`
	Age       *int64  `json:"age"`
}

type computer struct {
	Type       string `json:"type"`
	ID         string `json:"id"`
	Attributes struct {
		Name         string  `json:"name"`
		Vendor       *string `json:"vendor"`
		PurchaseTime *string `json:"purchase_time"`
	} `json:"attributes"`
	Relationships struct {
		Owner struct {
			Links relLinks    `json:"links"`
			Data  *identifier `json:"data"`
		} `json:"owner"`
	} `json:"relationships"`
	Links selfLink `json:"links"`
}

type itemDocument struct {
	Data    *person       `json:"data"`
	Links   selfLink      `json:"links"`
	JSONAPI jsonapiObject `json:"jsonapi"`
}

type pageLinks struct {
	Self  string `json:"self"`
	First string `json:"first"`
	Last  string `json:"last"`
	Prev  string `json:"prev,omitempty"`
	Next  string `json:"next,omitempty"`
}

type listDocument struct {
	Data     []*person  `json:"data"`
	Included []computer `json:"included,omitzero"`
	Links    pageLinks  `json:"links"`
	Meta     struct {
		Total int64 `json:"total"`
	} `json:"meta"`
	JSONAPI jsonapiObject `json:"jsonapi"`
}

type source struct {
	Pointer   string `json:"pointer,omitempty"`
	Parameter string `json:"parameter,omitempty"`
	Header    string `json:"header,omitempty"`
}

type errorObject struct {
	Status string  `json:"status"`
	Title  string  `json:"title"`
	Detail string  `json:"detail,omitempty"`
	Source *source `json:"source,omitempty"`
}

type errorDocument struct {
	Errors  []errorObject `json:"errors"`
	JSONAPI jsonapiObject `json:"jsonapi"`
}

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeDocument encodes v and replies with it. A 200 to GET carries a
// strong ETag and becomes a 304 when If-None-Match names it.
func writeDocument(w http.ResponseWriter, r *http.Request, status int, v any) {
	buf := buffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 1<<20 {
			buffers.Put(buf)
		}
	}()
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		writeError(w, http.StatusInternalServerError, "Internal Server Error", "The response could not be encoded.", nil)
		return
	}
	h := w.Header()
	if status == http.StatusOK && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		f := fnv.New64a()
		f.Write(buf.Bytes())
		tag := `"` + strconv.FormatUint(f.Sum64(), 36) + `"`
		h.Set("ETag", tag)
		if inm := r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, tag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	h.Set("Content-Type", mediaType)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func writeError(w http.ResponseWriter, status int, title, detail string, src *source) {
	body, _ := json.Marshal(errorDocument{
		Errors:  []errorObject{{Status: strconv.Itoa(status), Title: title, Detail: detail, Source: src}},
		JSONAPI: version11,
	})
	h := w.Header()
	h.Set("Content-Type", mediaType)
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

func badParameter(w http.ResponseWriter, param, detail string) {
	writeError(w, http.StatusBadRequest, "Invalid Query Parameter", detail, &source{Parameter: param})
}

// --- links ---

// base returns scheme://host/api for the links of a response to r.
func base(r *http.Request) string {
	host := r.Host
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-.:[]_", c) >= 0) {
			host = ""
			break
		}
	}
	if host == "" {
		host = "localhost"
	}
	scheme := "http://"
	if r.TLS != nil {
		scheme = "https://"
	}
	return scheme + host + prefix
}

func withQuery(link string, q url.Values) string {
	if len(q) == 0 {
		return link
	}
	return link + "?" + q.Encode()
}

// --- rows ---

// nullTime scans a DATE or DATETIME column: the driver hands back a
// time.Time when the column is declared so, and text otherwise (as for
// RETURNING).
type nullTime struct {
	t     time.Time
	valid bool
}

func (n *nullTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		n.valid = false
		return nil
	case time.Time:
		n.t, n.valid = x, true
		return nil
	case []byte:
		v = string(x)
	}
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("baseline: cannot scan %T as a time", v)
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			n.t, n.valid = t, true
			return nil
		}
	}
	return fmt.Errorf("baseline: cannot parse time %q", s)
}

func (n nullTime) format(layout string) *string {
	if !n.valid {
		return nil
	}
	s := n.t.UTC().Format(layout)
	return &s
}

type scanner interface{ Scan(dest ...any) error }

// scanPerson reads one person row (personCols) into a resource object.
func scanPerson(row scanner, base string) (*person, error) {
	var (
		p     = &person{Type: "person"}
		birth nullTime
		age   sql.NullInt64
	)
	if err := row.Scan(&p.id, &p.Attributes.Name, &birth, &age); err != nil {
		return nil, err
	}
	p.ID = strconv.FormatInt(p.id, 10)
	p.Attributes.BirthDate = birth.format("2006-01-02")
	if age.Valid {
		p.Attributes.Age = &age.Int64
	}
	self := base + "/person/" + p.ID
	p.Links.Self = self
	p.Relationships.Computers.Links = relLinks{Self: self + "/relationships/computers", Related: self + "/computers"}
	return p, nil
}

// parseID is the key in a URL or document: a canonical decimal integer.
func parseID(s string) (int64, bool) {
	if s == "" || s[0] == '+' || len(s) > 1 && s[0] == '0' {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func (s *Server) readFailed(w http.ResponseWriter, err error) {
	if errors.Is(err, sql.ErrNoRows) {
		writeError(w, http.StatusNotFound, "Not Found", "The requested resource does not exist.", nil)
		return
	}
	writeError(w, http.StatusInternalServerError, "Internal Server Error", "The server could not read the resource.", nil)
}

// stmt returns the prepared read statement of text, preparing it once.
func (s *Server) stmt(ctx context.Context, text string) (*sql.Stmt, error) {
	if st, ok := s.stmts.Load(text); ok {
		return st.(*sql.Stmt), nil
	}
	if s.nstmts.Load() > 1000 {
		return nil, nil
	}
	st, err := s.reader.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	if old, loaded := s.stmts.LoadOrStore(text, st); loaded {
		st.Close()
		return old.(*sql.Stmt), nil
	}
	s.nstmts.Add(1)
	return st, nil
}

func (s *Server) query(ctx context.Context, text string, args ...any) (*sql.Rows, error) {
	st, err := s.stmt(ctx, text)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return s.reader.QueryContext(ctx, text, args...)
	}
	return st.QueryContext(ctx, args...)
}

// noQuery answers 400 to a request with query parameters, which the item
// endpoints and POST do not take; it reports whether it did.
func noQuery(w http.ResponseWriter, r *http.Request) bool {
	if r.URL.RawQuery == "" {
		return false
	}
	for name := range r.URL.Query() {
		badParameter(w, name, "This endpoint takes no query parameters.")
		return true
	}
	return false
}

// --- GET /api/person/{id} ---

func (s *Server) getPerson(w http.ResponseWriter, r *http.Request) {
	if noQuery(w, r) {
		return
	}
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		s.readFailed(w, sql.ErrNoRows)
		return
	}
	p, err := scanPerson(s.item.QueryRowContext(r.Context(), id), base(r))
	if err != nil {
		s.readFailed(w, err)
		return
	}
	writeDocument(w, r, http.StatusOK, &itemDocument{Data: p, Links: selfLink{Self: p.Links.Self}, JSONAPI: version11})
}

// --- GET /api/person ---

// columns are the person's fields that filters and sorts may name, and
// whether they can be NULL.
var columns = map[string]struct {
	nullable, integer bool
}{
	"id":         {integer: true},
	"name":       {},
	"birth_date": {nullable: true},
	"age":        {nullable: true, integer: true},
}

var operators = map[string]string{"eq": "=", "ne": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}

func filterValue(field, v string) (any, bool) {
	if columns[field].integer {
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	return v, true
}

func (s *Server) listPersons(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	number, size := 1, defaultSize
	var (
		where   []string
		args    []any
		order   []string
		include bool
		hasID   bool
	)
	for _, name := range slices.Sorted(maps.Keys(q)) {
		v := q.Get(name)
		switch {
		case name == "page[number]" || name == "page[size]":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || strconv.Itoa(n) != v || name == "page[size]" && n > maxSize {
				badParameter(w, name, fmt.Sprintf("The value must be a positive integer (at most %d for the size).", maxSize))
				return
			}
			if name == "page[number]" {
				number = n
			} else {
				size = n
			}
		case name == "include":
			for path := range strings.SplitSeq(v, ",") {
				if path != "computers" {
					badParameter(w, name, fmt.Sprintf("The type \"person\" has no relationship %q to include.", path))
					return
				}
			}
			include = true
		case name == "sort":
			seen := map[string]bool{}
			for key := range strings.SplitSeq(v, ",") {
				field, desc := strings.CutPrefix(key, "-")
				col, ok := columns[field]
				if !ok || seen[field] {
					badParameter(w, name, fmt.Sprintf("The sort key %q is unknown or repeated.", key))
					return
				}
				seen[field] = true
				hasID = hasID || field == "id"
				term := field
				switch {
				case desc && col.nullable:
					term += " DESC NULLS FIRST"
				case desc:
					term += " DESC"
				case col.nullable:
					term += " ASC NULLS LAST"
				}
				order = append(order, term)
			}
		case strings.HasPrefix(name, "filter[") && strings.HasSuffix(name, "]"):
			field, op, hasOp := strings.Cut(name[len("filter["):len(name)-1], "][")
			if _, ok := columns[field]; !ok {
				badParameter(w, name, fmt.Sprintf("The type \"person\" has no field %q.", field))
				return
			}
			if hasOp {
				sqlOp, ok := operators[op]
				x, valid := filterValue(field, v)
				if !ok || !valid {
					badParameter(w, name, "The filter operator or value is invalid.")
					return
				}
				where = append(where, field+" "+sqlOp+" ?")
				args = append(args, x)
				continue
			}
			in := ""
			for item := range strings.SplitSeq(v, ",") {
				x, valid := filterValue(field, item)
				if !valid {
					badParameter(w, name, "The filter value is invalid.")
					return
				}
				in += ",?"
				args = append(args, x)
			}
			where = append(where, field+" IN ("+in[1:]+")")
		default:
			badParameter(w, name, fmt.Sprintf("The query parameter %q is not supported.", name))
			return
		}
	}
	if !hasID {
		order = append(order, "id")
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	ctx := r.Context()
	start := (number - 1) * size
	rows, err := s.query(ctx, "SELECT "+personCols+" FROM person"+cond+" ORDER BY "+strings.Join(order, ", ")+" LIMIT ? OFFSET ?",
		append(args, size, start)...)
	if err != nil {
		s.readFailed(w, err)
		return
	}
	b := base(r)
	doc := &listDocument{Data: make([]*person, 0, size), JSONAPI: version11}
	for rows.Next() {
		p, err := scanPerson(rows, b)
		if err != nil {
			rows.Close()
			s.readFailed(w, err)
			return
		}
		doc.Data = append(doc.Data, p)
	}
	if err := rows.Close(); err != nil {
		s.readFailed(w, err)
		return
	}
	total := int64(len(doc.Data))
	if start > 0 || len(doc.Data) == size {
		rows, err := s.query(ctx, "SELECT count(*) FROM person"+cond, args...)
		if err == nil {
			if rows.Next() {
				err = rows.Scan(&total)
			}
			if cerr := rows.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			s.readFailed(w, err)
			return
		}
	}
	doc.Meta.Total = total
	self := b + "/person"
	doc.Links = links(self, q, int64(start), int64(size), total)
	if include {
		if doc.Included, err = s.computersOf(ctx, b, doc.Data); err != nil {
			s.readFailed(w, err)
			return
		}
	}
	writeDocument(w, r, http.StatusOK, doc)
}

// links returns the self and pagination links of a page.
func links(self string, q url.Values, start, size, total int64) pageLinks {
	lastStart := max((total-1)/size*size, 0)
	at := func(start int64) string {
		v := make(url.Values, len(q)+2)
		for k, vals := range q {
			v[k] = vals
		}
		v.Set("page[number]", strconv.FormatInt(start/size+1, 10))
		v.Set("page[size]", strconv.FormatInt(size, 10))
		return withQuery(self, v)
	}
	l := pageLinks{Self: withQuery(self, q), First: at(0), Last: at(lastStart)}
	if start > 0 {
		l.Prev = at(min(max(start-size, 0), lastStart))
	}
	if start+size < total {
		l.Next = at(start + size)
	}
	return l
}

// computersOf reads the computers of people with one IN query, sets the
// people's full linkage and returns the computers to include.
func (s *Server) computersOf(ctx context.Context, base string, people []*person) ([]computer, error) {
	included := []computer{}
	if len(people) == 0 {
		return included, nil
	}
	byID := make(map[int64]*person, len(people))
	args := make([]any, len(people))
	for i, p := range people {
		byID[p.id] = p
		args[i] = p.id
		p.Relationships.Computers.Data = &[]identifier{}
	}
	text := "SELECT id, name, vendor, owner_id, purchase_time FROM computer WHERE owner_id IN (?" +
		strings.Repeat(",?", len(people)-1) + ") ORDER BY owner_id, id"
	rows, err := s.query(ctx, text, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			c        = computer{Type: "computer"}
			id       int64
			vendor   sql.NullString
			owner    sql.NullInt64
			purchase nullTime
		)
		if err := rows.Scan(&id, &c.Attributes.Name, &vendor, &owner, &purchase); err != nil {
			return nil, err
		}
		c.ID = strconv.FormatInt(id, 10)
		if vendor.Valid {
			c.Attributes.Vendor = &vendor.String
		}
		c.Attributes.PurchaseTime = purchase.format(time.RFC3339Nano)
		self := base + "/computer/" + c.ID
		c.Links.Self = self
		c.Relationships.Owner.Links = relLinks{Self: self + "/relationships/owner", Related: self + "/owner"}
		if owner.Valid {
			ownerID := strconv.FormatInt(owner.Int64, 10)
			c.Relationships.Owner.Data = &identifier{Type: "person", ID: ownerID}
			if p := byID[owner.Int64]; p != nil {
				*p.Relationships.Computers.Data = append(*p.Relationships.Computers.Data, identifier{Type: "computer", ID: c.ID})
			}
		}
		included = append(included, c)
	}
	return included, rows.Close()
}

// --- POST and PATCH ---

// input is a request document; DisallowUnknownFields turns unknown
// attributes into 400s.
type input struct {
	Data *struct {
		Type          *string         `json:"type"`
		ID            *string         `json:"id"`
		LID           *string         `json:"lid"`
		Attributes    *attributesIn   `json:"attributes"`
		Relationships json.RawMessage `json:"relationships"`
		Meta          json.RawMessage `json:"meta"`
		Links         json.RawMessage `json:"links"`
	} `json:"data"`
	Meta    json.RawMessage `json:"meta"`
	JSONAPI json.RawMessage `json:"jsonapi"`
}

type attributesIn struct {
	Name      json.RawMessage `json:"name"`
	BirthDate json.RawMessage `json:"birth_date"`
	Age       json.RawMessage `json:"age"`
}

// values are the columns a body sets, by bit (as in Server.update).
type values struct {
	mask int
	args []any
}

// readInput checks the Content-Type and decodes the body. It writes the
// error reply itself and returns nil then.
func readInput(w http.ResponseWriter, r *http.Request) *input {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if _, hasProfile := params["profile"]; err != nil || mt != mediaType || len(params) > 1 || len(params) == 1 && !hasProfile {
		writeError(w, http.StatusUnsupportedMediaType, "Unsupported Media Type",
			"The Content-Type of a request body must be "+mediaType+".", &source{Header: "Content-Type"})
		return nil
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	var in input
	if err := dec.Decode(&in); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large", "The request body is too large.", nil)
			return nil
		}
		writeError(w, http.StatusBadRequest, "Invalid Document", "The request body is not a valid document: "+err.Error()+".", nil)
		return nil
	}
	if dec.More() {
		writeError(w, http.StatusBadRequest, "Invalid Document", "Data follows the JSON value.", nil)
		return nil
	}
	switch {
	case in.Data == nil:
		writeError(w, http.StatusBadRequest, "Invalid Document", `The "data" member must be a resource object.`, &source{Pointer: "/data"})
		return nil
	case in.Data.Type == nil:
		writeError(w, http.StatusBadRequest, "Invalid Document", `The resource object has no "type" member.`, &source{Pointer: "/data"})
		return nil
	case *in.Data.Type != "person":
		writeError(w, http.StatusConflict, "Type Mismatch",
			fmt.Sprintf("The type %q does not match this endpoint's type \"person\".", *in.Data.Type), &source{Pointer: "/data/type"})
		return nil
	case in.Data.Relationships != nil:
		writeError(w, http.StatusForbidden, "Relationships Not Supported",
			"This server does not take relationships in bodies.", &source{Pointer: "/data/relationships"})
		return nil
	}
	return &in
}

// attributeValues converts the attributes of in into bind values. It
// writes the error reply itself and reports false then.
func attributeValues(w http.ResponseWriter, in *input) (values, bool) {
	var v values
	a := in.Data.Attributes
	if a == nil {
		return v, true
	}
	invalid := func(name, detail string) (values, bool) {
		writeError(w, http.StatusBadRequest, "Invalid Attribute Value",
			fmt.Sprintf("The attribute %q %s.", name, detail), &source{Pointer: "/data/attributes/" + name})
		return values{}, false
	}
	if a.Name != nil {
		var s *string
		if err := json.Unmarshal(a.Name, &s); err != nil {
			return invalid("name", "must be a string")
		}
		v.mask |= 1
		if s == nil {
			v.args = append(v.args, nil)
		} else {
			v.args = append(v.args, *s)
		}
	}
	if a.BirthDate != nil {
		var s *string
		if err := json.Unmarshal(a.BirthDate, &s); err != nil {
			return invalid("birth_date", "must be a date string such as \"2006-01-02\"")
		}
		v.mask |= 2
		if s == nil {
			v.args = append(v.args, nil)
		} else {
			d, err := time.Parse("2006-01-02", *s)
			if err != nil {
				return invalid("birth_date", "must be a date such as \"2006-01-02\"")
			}
			v.args = append(v.args, d.Format("2006-01-02"))
		}
	}
	if a.Age != nil {
		var n *int64
		if err := json.Unmarshal(a.Age, &n); err != nil {
			return invalid("age", "must be an integer")
		}
		v.mask |= 4
		if n == nil {
			v.args = append(v.args, nil)
		} else {
			v.args = append(v.args, *n)
		}
	}
	return v, true
}

// writeFailed answers a failed write, mapping SQLite's constraint errors.
func writeFailed(w http.ResponseWriter, err error) {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case 2067, 1555: // SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY
			writeError(w, http.StatusConflict, "Conflict", "Another resource already has this value.", nil)
			return
		case 1299: // SQLITE_CONSTRAINT_NOTNULL
			writeError(w, http.StatusBadRequest, "Missing Value", "A required value is missing.", nil)
			return
		case 5, 6, 261, 517: // busy, locked
			writeError(w, http.StatusServiceUnavailable, "Service Unavailable", "The database is busy; try again shortly.", nil)
			return
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		writeError(w, http.StatusNotFound, "Not Found", "The requested resource does not exist.", nil)
		return
	}
	writeError(w, http.StatusInternalServerError, "Internal Server Error", "The server could not complete the write.", nil)
}

func (s *Server) createPerson(w http.ResponseWriter, r *http.Request) {
	if noQuery(w, r) {
		return
	}
	in := readInput(w, r)
	if in == nil {
		return
	}
	if in.Data.ID != nil {
		writeError(w, http.StatusForbidden, "Client-Generated ID Not Allowed",
			"The server assigns the ids of \"person\" resources.", &source{Pointer: "/data/id"})
		return
	}
	v, ok := attributeValues(w, in)
	if !ok {
		return
	}
	// Every column, NULL where the body has no value.
	args := make([]any, 3)
	j := 0
	for i := range 3 {
		if v.mask&(1<<i) != 0 {
			args[i] = v.args[j]
			j++
		}
	}
	p, err := scanPerson(s.insert.QueryRowContext(r.Context(), args...), base(r))
	if err != nil {
		writeFailed(w, err)
		return
	}
	w.Header().Set("Location", p.Links.Self)
	writeDocument(w, r, http.StatusCreated, &itemDocument{Data: p, Links: selfLink{Self: p.Links.Self}, JSONAPI: version11})
}

func (s *Server) patchPerson(w http.ResponseWriter, r *http.Request) {
	if noQuery(w, r) {
		return
	}
	raw := r.PathValue("id")
	in := readInput(w, r)
	if in == nil {
		return
	}
	if in.Data.ID == nil {
		writeError(w, http.StatusBadRequest, "Invalid Document", `The resource object has no "id" member.`, &source{Pointer: "/data/id"})
		return
	}
	if *in.Data.ID != raw {
		writeError(w, http.StatusConflict, "ID Mismatch",
			fmt.Sprintf("The id %q does not match the id %q in the URL.", *in.Data.ID, raw), &source{Pointer: "/data/id"})
		return
	}
	id, ok := parseID(raw)
	if !ok {
		writeFailed(w, sql.ErrNoRows)
		return
	}
	v, ok := attributeValues(w, in)
	if !ok {
		return
	}
	var row *sql.Row
	if v.mask == 0 {
		row = s.item.QueryRowContext(r.Context(), id)
	} else {
		row = s.update[v.mask].QueryRowContext(r.Context(), append(v.args, id)...)
	}
	p, err := scanPerson(row, base(r))
	if err != nil {
		writeFailed(w, err)
		return
	}
	writeDocument(w, r, http.StatusOK, &itemDocument{Data: p, Links: selfLink{Self: p.Links.Self}, JSONAPI: version11})
}
