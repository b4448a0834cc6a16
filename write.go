package restless

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	sq "github.com/Masterminds/squirrel"
)

// allows reports whether res permits op: it implements the interface for
// op and, if it is an Allower, allows it.
func allows(res Resource, op Op) bool {
	var ok bool
	switch op {
	case OpCreate:
		_, ok = res.(Creator)
	case OpUpdate:
		_, ok = res.(Updater)
	case OpDelete:
		// A soft-deleting resource deactivates rows without a Deleter.
		_, ok = res.(Deleter)
		ok = ok || res.Schema().SoftDelete != nil
	}
	if a, isAllower := res.(Allower); ok && isAllower {
		ok = a.Allows(op)
	}
	return ok
}

// inTx runs fn in one write transaction, committing when it returns nil
// and rolling back otherwise.
func (a *API) inTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := a.writeDB().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer a.prepareAfterTx(ctx)
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// bindValues converts decoded values into SQL arguments.
func (a *API) bindValues(s *Schema, v Values) Values {
	d := a.dialect()
	out := make(Values, len(v))
	for name, val := range v {
		attr, ok := s.Attribute(name)
		if !ok {
			// A to-one relationship's key.
			out[name] = val
			continue
		}
		switch x := val.(type) {
		case SQLFunction:
			out[name] = sq.Expr(d.Function(x))
		case json.RawMessage:
			out[name] = string(x)
		default:
			out[name] = d.BindValue(attr.Type, x)
		}
	}
	return out
}

// writeError turns a failure of a write into the error the client sees:
// *Error and ErrNotFound pass through, classified database errors become
// 4xx or 503, and anything else a 500 whose cause is logged.
func (a *API) writeError(r *http.Request, s *Schema, in *input, err error) error {
	var e *Error
	if errors.As(err, &e) || errors.Is(err, ErrNotFound) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	c := a.dialect().Classify(err)
	ptr := func() *ErrorSource {
		if c.Column == "" {
			return nil
		}
		if c.Column == s.ID.Column {
			if in != nil && in.id != nil {
				return Pointer("/data/id")
			}
			return nil
		}
		for _, at := range s.Attributes {
			if at.Column == c.Column {
				if in != nil {
					if _, ok := in.values[at.Name]; ok {
						return Pointer("/data/attributes/" + escapePointer(at.Name))
					}
				}
				return Pointer("/data")
			}
		}
		for _, rel := range s.Relationships {
			if rel.Kind == ToOne && rel.ForeignKey == c.Column {
				if in != nil {
					if _, ok := in.values[rel.Name]; ok {
						return Pointer("/data/relationships/" + escapePointer(rel.Name))
					}
				}
				return Pointer("/data")
			}
		}
		return nil
	}
	name, member := c.Column, "attribute"
	for _, at := range s.Attributes {
		if at.Column == c.Column {
			name = at.Name
		}
	}
	for _, rel := range s.Relationships {
		if rel.Kind == ToOne && rel.ForeignKey == c.Column {
			name, member = rel.Name, "relationship"
		}
	}
	switch c.Kind {
	case DBUnique:
		if c.Column == s.ID.Column && c.Column != "" {
			return &Error{Status: http.StatusConflict, Title: "Conflict", Detail: "A resource with this id already exists.", Source: ptr()}
		}
		detail := "The value conflicts with an existing resource."
		if name != "" {
			detail = fmt.Sprintf("Another resource already has this value of %q.", name)
		}
		return &Error{Status: http.StatusConflict, Title: "Conflict", Detail: detail, Source: ptr()}
	case DBNotNull:
		detail := "A required value is missing."
		if name != "" {
			detail = fmt.Sprintf("The %s %q must have a value.", member, name)
		}
		return &Error{Status: http.StatusBadRequest, Title: "Missing Value", Detail: detail, Source: ptr()}
	case DBCheck:
		return &Error{Status: http.StatusBadRequest, Title: "Invalid Value", Detail: "A value breaks a rule of the database.", Source: ptr()}
	case DBForeignKey:
		if in == nil {
			return &Error{Status: http.StatusConflict, Title: "Conflict", Detail: "Other resources still refer to this resource."}
		}
		return &Error{Status: http.StatusNotFound, Title: "Related Resource Not Found",
			Detail: "A related resource the document refers to does not exist.", Source: in.foreignKeyPointer(s, c.Column)}
	case DBBusy:
		return &Error{Status: http.StatusServiceUnavailable, Title: "Service Unavailable", Detail: "The database is busy; try again shortly."}
	}
	a.logger().ErrorContext(r.Context(), "restless: write failed", "type", s.Type, "method", r.Method, "err", err, "request_id", RequestIDFromContext(r.Context()))
	return &Error{Status: http.StatusInternalServerError, Title: "Internal Server Error", Detail: "The server could not complete the write."}
}

// foreignKeyPointer points at the member of the document that set the
// foreign key column col: the to-one relationship or attribute writing it,
// or, when the database does not name the column (SQLite), the document's
// only to-one relationship. It is nil when no member can be named.
func (in *input) foreignKeyPointer(s *Schema, col string) *ErrorSource {
	var only *linkage
	n := 0
	for _, lk := range in.links {
		if lk.rel.Kind != ToOne {
			continue
		}
		if col != "" && lk.rel.ForeignKey == col {
			return Pointer(lk.ptr)
		}
		only = lk
		n++
	}
	if col != "" {
		for _, at := range s.Attributes {
			if _, ok := in.values[at.Name]; ok && at.Column == col {
				return Pointer("/data/attributes/" + escapePointer(at.Name))
			}
		}
		return nil
	}
	if n == 1 {
		return Pointer(only.ptr)
	}
	// An attribute that writes a to-one relationship's foreign key.
	var ptr *ErrorSource
	for _, at := range s.Attributes {
		if _, ok := in.values[at.Name]; !ok || at.Column == "" {
			continue
		}
		for _, r := range s.Relationships {
			if r.Kind == ToOne && r.ForeignKey == at.Column {
				if ptr != nil {
					return nil
				}
				ptr = Pointer("/data/attributes/" + escapePointer(at.Name))
			}
		}
	}
	if n == 0 {
		return ptr
	}
	return nil
}

// readError turns a failure of a read into the error the client sees.
func (a *API) readError(r *http.Request, s *Schema, err error) error {
	var e *Error
	if errors.As(err, &e) || errors.Is(err, ErrNotFound) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	switch a.dialect().Classify(err).Kind {
	case DBBusy:
		return &Error{Status: http.StatusServiceUnavailable, Title: "Service Unavailable", Detail: "The database is busy; try again shortly."}
	case DBCheck:
		// A read binds only values from the query, such as a filter's.
		return &Error{Status: http.StatusBadRequest, Title: "Invalid Value", Detail: "A value in the query does not fit the type of what it is compared with."}
	}
	a.logger().ErrorContext(r.Context(), "restless: read failed", "type", s.Type, "err", err, "request_id", RequestIDFromContext(r.Context()))
	return &Error{Status: http.StatusInternalServerError, Title: "Internal Server Error", Detail: "The server could not read the resource."}
}

// beforeWrite and afterWrite call the resource's hooks, if any.
func beforeWrite(ctx context.Context, w *Write) error {
	if h, ok := w.Resource.(BeforeWriter); ok {
		return h.BeforeWrite(ctx, w)
	}
	return nil
}

func afterWrite(ctx context.Context, w *Write) error {
	if h, ok := w.Resource.(AfterWriter); ok {
		return h.AfterWrite(ctx, w)
	}
	return nil
}

// errOutOfView is the answer to a write that would leave the row where
// the request cannot see it.
var errOutOfView = &Error{Status: http.StatusForbidden, Title: "Forbidden",
	Detail: "The write would move the resource outside what this request may see."}

func exec(ctx context.Context, tx *sql.Tx, ph sq.PlaceholderFormat, b sq.Sqlizer) (sql.Result, error) {
	text, args, err := b.ToSql()
	if err != nil {
		return nil, fmt.Errorf("restless: build statement: %w", err)
	}
	if ph != nil {
		if text, err = ph.ReplacePlaceholders(text); err != nil {
			return nil, err
		}
	}
	return tx.ExecContext(ctx, text, args...)
}

// create runs a POST inside one transaction and returns the new object.
func (a *API) create(ctx context.Context, p *plan, l *linker, in *input, id any) (*Object, error) {
	var obj *Object
	err := a.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		obj, err = a.createTx(ctx, tx, p, l, in, id)
		return err
	})
	return obj, err
}

// createTx creates the row of a POST inside tx and returns the new
// object, which must be visible to the request.
func (a *API) createTx(ctx context.Context, tx *sql.Tx, p *plan, l *linker, in *input, id any) (*Object, error) {
	c := p.res.(Creator)
	if err := a.checkLinks(ctx, tx, in); err != nil {
		return nil, err
	}
	w := &Write{Op: OpCreate, Resource: p.res, ID: id, Values: in.values, Tx: tx, Links: in.changes()}
	if err := beforeWrite(ctx, w); err != nil {
		return nil, err
	}
	ins, err := c.Insert(ctx, w.ID, a.bindValues(p.schema, w.Values))
	if err != nil {
		return nil, err
	}
	ret, err := a.returning(ctx, p, OpCreate, in)
	if err != nil {
		return nil, err
	}
	if ret != nil {
		// Nothing runs between the INSERT and the read back.
		return a.returnRow(ctx, tx, p, l, ins.SuffixExpr(ret).PlaceholderFormat(a.dialect().Placeholder()))
	}
	ins = ins.Suffix("RETURNING " + QuoteIdent(p.schema.ID.Column)).PlaceholderFormat(a.dialect().Placeholder())
	text, args, err := ins.ToSql()
	if err != nil {
		return nil, fmt.Errorf("restless: build insert: %w", err)
	}
	var key any
	if err := tx.QueryRowContext(ctx, text, args...).Scan(&key); err != nil {
		return nil, err
	}
	if b, ok := key.([]byte); ok {
		key = string(b)
	}
	if key == nil {
		// SQLite lets a key that is not an INTEGER PRIMARY KEY be NULL:
		// the row could never be addressed.
		return nil, &Error{Status: http.StatusBadRequest, Title: "Missing ID",
			Detail: fmt.Sprintf("A resource of type %q needs an \"id\"; the server does not generate one.", p.schema.Type), Source: Pointer("/data")}
	}
	w.ID = key
	if err := a.applyToMany(ctx, tx, key, in); err != nil {
		return nil, err
	}
	if err := afterWrite(ctx, w); err != nil {
		return nil, err
	}
	obj, err := a.findOne(ctx, tx, p, l, key)
	if errors.Is(err, ErrNotFound) {
		return nil, errOutOfView
	}
	return obj, err
}

// checkLinks checks that the resources a body's relationships name exist
// and are visible.
func (a *API) checkLinks(ctx context.Context, tx *sql.Tx, in *input) error {
	for _, lk := range in.links {
		target, _ := a.lookupType(lk.rel.Type)
		ms := lk.members
		if lk.toOne != nil {
			ms = []member{*lk.toOne}
		}
		if err := a.checkExists(ctx, tx, target, ms); err != nil {
			return err
		}
	}
	return nil
}

// applyToMany replaces the to-many relationships of a body.
func (a *API) applyToMany(ctx context.Context, tx *sql.Tx, parent any, in *input) error {
	for _, lk := range in.links {
		if lk.rel.Kind == ToOne {
			continue
		}
		target, _ := a.lookupType(lk.rel.Type)
		if err := a.changeToMany(ctx, tx, target, parent, lk, LinkReplace); err != nil {
			return err
		}
	}
	return nil
}

// changes returns the to-many changes of a body for the hooks.
func (in *input) changes() []LinkChange {
	var out []LinkChange
	for _, lk := range in.links {
		if lk.rel.Kind == ToOne {
			continue
		}
		ids := make([]any, len(lk.members))
		for i, m := range lk.members {
			ids[i] = m.id
		}
		out = append(out, LinkChange{Name: lk.rel.Name, Op: LinkReplace, IDs: ids})
	}
	return out
}

// update runs a PATCH inside one transaction and returns the object.
func (a *API) update(ctx context.Context, p *plan, l *linker, in *input, id any) (*Object, error) {
	var obj *Object
	err := a.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		obj, err = a.updateTx(ctx, tx, p, l, id, in)
		return err
	})
	return obj, err
}

// updateTx updates the row with key id inside tx: it must be visible
// before and after.
func (a *API) updateTx(ctx context.Context, tx *sql.Tx, p *plan, l *linker, id any, in *input) (*Object, error) {
	u, ok := p.res.(Updater)
	if !ok || !allows(p.res, OpUpdate) {
		return nil, &Error{Status: http.StatusForbidden, Title: "Update Not Allowed",
			Detail: fmt.Sprintf("Resources of type %q cannot be updated.", p.schema.Type)}
	}
	if !a.skipPreRead(ctx, p, in) {
		cur, err := a.lockOne(ctx, tx, p, l, id)
		if err != nil {
			return nil, err
		}
		if in.ifMatch != "" {
			if err := checkIfMatch(in.ifMatch, cur); err != nil {
				return nil, err
			}
		}
	}
	if err := a.checkLinks(ctx, tx, in); err != nil {
		return nil, err
	}
	w := &Write{Op: OpUpdate, Resource: p.res, ID: id, Values: in.values, Tx: tx, Links: in.changes()}
	if err := beforeWrite(ctx, w); err != nil {
		return nil, err
	}
	if len(w.Values) > 0 {
		up, err := u.Update(ctx, id, a.bindValues(p.schema, w.Values))
		if err != nil {
			return nil, err
		}
		ret, err := a.returning(ctx, p, OpUpdate, in)
		if err != nil {
			return nil, err
		}
		if ret != nil {
			// No AfterWrite hook and no relationship changes follow.
			return a.returnRow(ctx, tx, p, l, up.SuffixExpr(ret).PlaceholderFormat(a.dialect().Placeholder()))
		}
		res, err := exec(ctx, tx, a.dialect().Placeholder(), up)
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return nil, ErrNotFound
		}
	}
	if err := a.applyToMany(ctx, tx, id, in); err != nil {
		return nil, err
	}
	if err := afterWrite(ctx, w); err != nil {
		return nil, err
	}
	obj, err := a.findOne(ctx, tx, p, l, id)
	if errors.Is(err, ErrNotFound) {
		return nil, errOutOfView
	}
	return obj, err
}

// remove runs a DELETE inside one transaction.
func (a *API) remove(ctx context.Context, p *plan, l *linker, id any, ifMatch string) error {
	return a.inTx(ctx, func(tx *sql.Tx) error {
		return a.removeTx(ctx, tx, p, l, id, ifMatch)
	})
}

// removeTx deletes the row with key id inside tx, or deactivates it when
// the resource soft-deletes: it must be visible, and match ifMatch when
// that is not empty.
func (a *API) removeTx(ctx context.Context, tx *sql.Tx, p *plan, l *linker, id any, ifMatch string) error {
	cur, err := a.lockOne(ctx, tx, p, l, id)
	if err != nil {
		return err
	}
	if err := checkIfMatch(ifMatch, cur); err != nil {
		return err
	}
	w := &Write{Op: OpDelete, Resource: p.res, ID: id, Tx: tx}
	if err := beforeWrite(ctx, w); err != nil {
		return err
	}
	var stmt sq.Sqlizer
	if p.schema.SoftDelete != nil {
		stmt, err = a.deactivate(ctx, p, id)
	} else {
		stmt, err = p.res.(Deleter).Delete(ctx, id)
	}
	if err != nil {
		return err
	}
	res, err := exec(ctx, tx, a.dialect().Placeholder(), stmt)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return ErrNotFound
	}
	return afterWrite(ctx, w)
}
