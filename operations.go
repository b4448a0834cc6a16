package restless

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"github.com/gorestless/restless/internal/engine"
	"github.com/gorestless/restless/internal/jsontext"
	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/negotiate"
	"github.com/gorestless/restless/resource"
)

// AtomicExt is the URI of the JSON:API Atomic Operations extension
// (https://jsonapi.org/ext/atomic), which the operations endpoint
// ([API.Operations]) implements.
const AtomicExt = "https://jsonapi.org/ext/atomic"

// atomicMediaType is the media type of requests to and responses from the
// operations endpoint.
var atomicMediaType = negotiate.FormatMediaType([]string{AtomicExt}, nil)

// operationsAllow is the Allow header of the operations endpoint.
const operationsAllow = "POST, OPTIONS"

// operationsHandler serves the operations endpoint over the types
// registered with the API.
type operationsHandler struct {
	api *API
	// post is serve behind the negotiation the extension requires.
	post http.Handler
}

func newOperations(a *API) *operationsHandler {
	h := &operationsHandler{api: a}
	n := &negotiate.Negotiator{Extensions: []string{AtomicExt}, Require: AtomicExt, ErrorHandler: a.writeError}
	h.post = n.Handler(http.HandlerFunc(h.serve))
	return h
}

func (h *operationsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		h.post.ServeHTTP(w, r)
	case http.MethodOptions:
		options(w, operationsAllow)
	default:
		methodNotAllowed(w, r, operationsAllow)
	}
}

// maxOperations returns the most operations of one request.
func (h *operationsHandler) maxOperations() int {
	if h.api.MaxOperations > 0 {
		return h.api.MaxOperations
	}
	return DefaultMaxOperations
}

// serve runs a negotiated POST of the operations endpoint.
func (h *operationsHandler) serve(w http.ResponseWriter, r *http.Request) {
	a := h.api
	if _, err := parseQuery(r, a.writeConfig(r, nil)); err != nil {
		a.writeError(w, r, err)
		return
	}
	body, err := a.readBody(w, r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	ops, err := h.decode(body)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	run := &atomicRun{api: a, e: a.engine(), ctx: r.Context(), l: a.linker(r), lids: map[string]string{}}
	results := make([]*jsonapi.Object, len(ops))
	err = run.e.InTx(r.Context(), func(tx *engine.Tx) error {
		for i, raw := range ops {
			obj, err := run.do(tx, i, raw)
			if err != nil {
				return err
			}
			results[i] = obj
		}
		return nil
	})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	h.writeResults(w, r, results)
}

// writeAtomicResults replies with the "atomic:results" of the operations, or
// 204 when none returned data.
func (h *operationsHandler) writeResults(w http.ResponseWriter, r *http.Request, results []*jsonapi.Object) {
	some := false
	for _, o := range results {
		some = some || o != nil
	}
	hdr := w.Header()
	if !some {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	b := []byte(`{"atomic:results":[`)
	for i, o := range results {
		if i > 0 {
			b = append(b, ',')
		}
		if o == nil {
			b = append(b, "{}"...)
			continue
		}
		b = append(b, `{"data":`...)
		var err error
		if b, err = o.AppendJSON(b); err != nil {
			h.api.writeError(w, r, err)
			return
		}
		b = append(b, '}')
	}
	b = append(b, `],"jsonapi":{"version":"1.1","ext":[`...)
	b = jsontext.AppendString(b, AtomicExt)
	b = append(b, "]}}\n"...)
	hdr.Set("Content-Type", atomicMediaType)
	hdr.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// decodeOperations checks the top level of an operations request and
// returns its operation objects.
func (h *operationsHandler) decode(body []byte) ([]json.RawMessage, error) {
	doc, err := engine.DecodeDocument(body)
	if err != nil {
		return nil, err
	}
	for _, m := range []string{"data", "included", "atomic:results", "errors"} {
		if _, ok := doc[m]; ok {
			return nil, badDocument("/"+m, fmt.Sprintf("An atomic operations request must not have a %q member.", m))
		}
	}
	raw, ok := doc["atomic:operations"]
	if !ok {
		return nil, badDocument("", `The request document has no "atomic:operations" member.`)
	}
	var ops []json.RawMessage
	if err := json.Unmarshal(raw, &ops); err != nil || ops == nil {
		return nil, badDocument("/atomic:operations", `The "atomic:operations" member must be an array of operation objects.`)
	}
	if len(ops) == 0 {
		return nil, badDocument("/atomic:operations", `The "atomic:operations" member must hold at least one operation.`)
	}
	if max := h.maxOperations(); len(ops) > max {
		return nil, &jsonapi.Error{Status: http.StatusRequestEntityTooLarge, Title: "Too Many Operations",
			Detail: fmt.Sprintf("A request may hold at most %d operations; this one holds %d. Split it.", max, len(ops)),
			Source: jsonapi.Pointer("/atomic:operations"), Meta: map[string]any{"maxOperations": max}}
	}
	return ops, nil
}

// atomicRun is the state of one operations request: the local ids the
// operations so far assigned.
type atomicRun struct {
	api *API
	e   *engine.Engine
	// ctx is the request's; the run lasts as long as the request.
	ctx context.Context
	l   *engine.Linker
	// lids maps type + "\x00" + lid to the id of the resource created.
	lids map[string]string
}

// operation is one decoded operation object. Pointers in its errors are
// relative to the operation.
type operation struct {
	code string // "add", "update" or "remove"
	obj  map[string]json.RawMessage
	ref  *opRef
	data json.RawMessage // nil when absent
}

// opRef is an operation's ref member.
type opRef struct {
	typ, id, lid, rel string
	hasID             bool
}

// decodeOperation reads the members of an operation object that every
// kind of operation shares.
func decodeOperation(raw json.RawMessage) (*operation, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, badDocument("", "An operation must be an object.")
	}
	op := &operation{obj: obj}
	rawOp, ok := obj["op"]
	if !ok {
		return nil, badDocument("", `The operation has no "op" member.`)
	}
	if json.Unmarshal(rawOp, &op.code) != nil || op.code != "add" && op.code != "update" && op.code != "remove" {
		return nil, badDocument("/op", `The "op" member must be "add", "update" or "remove".`)
	}
	rawRef, hasRef := obj["ref"]
	if _, ok := obj["href"]; ok {
		if hasRef {
			return nil, badDocument("", `An operation must not have both "ref" and "href".`)
		}
		return nil, &jsonapi.Error{Status: http.StatusBadRequest, Title: "Unsupported Target",
			Detail: `This server does not take "href" targets; name the target with "ref" (or, to add a resource, with "data" alone).`,
			Source: jsonapi.Pointer("/href")}
	}
	if hasRef {
		ref, err := decodeOpRef(rawRef)
		if err != nil {
			return nil, err
		}
		op.ref = ref
	}
	if d, ok := obj["data"]; ok {
		op.data = d
	}
	return op, nil
}

// decodeOpRef reads an operation's ref: a type with an id or a lid, and
// optionally a relationship.
func decodeOpRef(raw json.RawMessage) (*opRef, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, badDocument("/ref", `The "ref" member must be an object with "type" and "id" or "lid".`)
	}
	ref := &opRef{}
	str := func(name string, dst *string) (bool, error) {
		v, ok := m[name]
		if !ok {
			return false, nil
		}
		if json.Unmarshal(v, dst) != nil || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			return true, badDocument("/ref/"+name, fmt.Sprintf("The %q member of the ref must be a string.", name))
		}
		return true, nil
	}
	hasType, err := str("type", &ref.typ)
	if err != nil {
		return nil, err
	}
	if !hasType {
		return nil, badDocument("/ref", `The ref has no "type" member.`)
	}
	if ref.hasID, err = str("id", &ref.id); err != nil {
		return nil, err
	}
	hasLID, err := str("lid", &ref.lid)
	if err != nil {
		return nil, err
	}
	switch {
	case ref.hasID && hasLID:
		return nil, badDocument("/ref", `The ref must have "id" or "lid", not both.`)
	case !ref.hasID && !hasLID:
		return nil, badDocument("/ref", `The ref has neither "id" nor "lid".`)
	}
	if _, err := str("relationship", &ref.rel); err != nil {
		return nil, err
	}
	return ref, nil
}

// do runs operation i inside tx and returns the object its result holds,
// or nil for an empty result. Its errors point into the operation.
func (x *atomicRun) do(tx *engine.Tx, i int, raw json.RawMessage) (*jsonapi.Object, error) {
	op, err := decodeOperation(raw)
	if err != nil {
		return nil, x.at(i, err)
	}
	var obj *jsonapi.Object
	switch {
	case op.ref != nil && op.ref.rel != "":
		err = x.changeRelationship(tx, op)
	case op.code == "add":
		obj, err = x.add(tx, op)
	case op.code == "update":
		obj, err = x.update(tx, op)
	default:
		err = x.remove(tx, op)
	}
	if err != nil {
		return nil, x.at(i, err)
	}
	return obj, nil
}

// at points the errors of operation i at it: pointers into the operation
// get its path as a prefix, and errors without a source point at it.
func (x *atomicRun) at(i int, err error) error {
	prefix := "/atomic:operations/" + strconv.Itoa(i)
	objs := errorObjects(x.ctx, x.api.logger(), err)
	out := make([]error, len(objs))
	for j, e := range objs {
		switch {
		case e.Source == nil:
			e.Source = jsonapi.Pointer(prefix)
		case e.Source.Parameter == "" && e.Source.Header == "":
			e.Source = jsonapi.Pointer(prefix + e.Source.Pointer)
		}
		out[j] = e
	}
	if len(out) == 1 {
		return out[0]
	}
	return errors.Join(out...)
}

// opNotFound is the error of a target that does not exist, pointing at ptr.
func opNotFound(ptr, typ, id string) *jsonapi.Error {
	return &jsonapi.Error{Status: http.StatusNotFound, Title: "Not Found",
		Detail: fmt.Sprintf("There is no %q resource with the id %q.", typ, id), Source: jsonapi.Pointer(ptr)}
}

// plan returns the plan of typ, or a 400 pointing at ptr.
func (x *atomicRun) typeOf(typ, ptr string) (*engine.Type, error) {
	p, ok := x.e.Lookup(typ)
	if !ok {
		return nil, &jsonapi.Error{Status: http.StatusBadRequest, Title: "Unknown Type",
			Detail: fmt.Sprintf("This API serves no type %q.", typ), Source: jsonapi.Pointer(ptr)}
	}
	return p, nil
}

func lidKey(typ, lid string) string { return typ + "\x00" + lid }

// lid returns the id of the resource an earlier operation created with
// the local id lid, or a 400 pointing at ptr.
func (x *atomicRun) lid(typ, lid, ptr string) (string, error) {
	id, ok := x.lids[lidKey(typ, lid)]
	if !ok {
		return "", &jsonapi.Error{Status: http.StatusBadRequest, Title: "Unknown Local ID",
			Detail: fmt.Sprintf("No earlier operation of this request created a %q resource with the lid %q.", typ, lid), Source: jsonapi.Pointer(ptr)}
	}
	return id, nil
}

// target returns the key ref names in p, the id as text, and where an
// error about it points.
func (x *atomicRun) target(p *engine.Type, ref *opRef) (any, string, string, error) {
	raw, ptr := ref.id, "/ref/id"
	if !ref.hasID {
		ptr = "/ref/lid"
		var err error
		if raw, err = x.lid(ref.typ, ref.lid, ptr); err != nil {
			return nil, "", "", err
		}
	}
	key, ok := x.e.ParseID(p, raw)
	if !ok {
		return nil, raw, ptr, opNotFound(ptr, ref.typ, raw)
	}
	return key, raw, ptr, nil
}

// opResourceData decodes the "data" of a resource operation into its
// member map and type.
func opResourceData(op *operation) (map[string]json.RawMessage, string, error) {
	if op.data == nil {
		return nil, "", badDocument("", fmt.Sprintf("An %q operation of a resource needs a \"data\" member.", op.code))
	}
	var data map[string]json.RawMessage
	if err := json.Unmarshal(op.data, &data); err != nil || data == nil {
		return nil, "", badDocument("/data", `The "data" member must be a resource object.`)
	}
	rawType, ok := data["type"]
	if !ok {
		return nil, "", badDocument("/data", `The resource object has no "type" member.`)
	}
	var typ string
	if err := json.Unmarshal(rawType, &typ); err != nil || bytes.Equal(bytes.TrimSpace(rawType), []byte("null")) {
		return nil, "", badDocument("/data/type", `The "type" member must be a string.`)
	}
	return data, typ, nil
}

// resolveRelationships replaces the lids in the linkage of data's
// relationships by the ids they stand for.
func (x *atomicRun) resolveRelationships(data map[string]json.RawMessage) error {
	raw, ok := data["relationships"]
	if !ok {
		return nil
	}
	var rels map[string]json.RawMessage
	if json.Unmarshal(raw, &rels) != nil || rels == nil {
		return nil // decodeObject reports it
	}
	for _, name := range slices.Sorted(maps.Keys(rels)) {
		var rel map[string]json.RawMessage
		if json.Unmarshal(rels[name], &rel) != nil || rel == nil {
			continue
		}
		linkage, ok := rel["data"]
		if !ok {
			continue
		}
		resolved, err := x.resolveLinkage(linkage, "/data/relationships/"+jsonapi.EscapePointer(name)+"/data")
		if err != nil {
			return err
		}
		rel["data"] = resolved
		if rels[name], err = json.Marshal(rel); err != nil {
			return err
		}
	}
	b, err := json.Marshal(rels)
	data["relationships"] = b
	return err
}

// resolveLinkage replaces the lids of a linkage (null, an identifier or
// an array of them) at ptr by ids.
func (x *atomicRun) resolveLinkage(raw json.RawMessage, ptr string) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return raw, nil
	}
	switch raw[0] {
	case '{':
		return x.resolveIdentifier(raw, ptr)
	case '[':
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return raw, nil
		}
		for i, it := range items {
			var err error
			if items[i], err = x.resolveIdentifier(it, ptr+"/"+strconv.Itoa(i)); err != nil {
				return nil, err
			}
		}
		return json.Marshal(items)
	}
	return raw, nil
}

// resolveIdentifier gives a resource identifier with a lid and no id the
// id the lid stands for.
func (x *atomicRun) resolveIdentifier(raw json.RawMessage, ptr string) (json.RawMessage, error) {
	var ident map[string]json.RawMessage
	if json.Unmarshal(raw, &ident) != nil || ident == nil {
		return raw, nil
	}
	rawLID, ok := ident["lid"]
	if _, hasID := ident["id"]; !ok || hasID {
		return raw, nil
	}
	var typ, lid string
	if json.Unmarshal(ident["type"], &typ) != nil {
		return raw, nil // decodeIdentifier reports it
	}
	if json.Unmarshal(rawLID, &lid) != nil || bytes.Equal(bytes.TrimSpace(rawLID), []byte("null")) {
		return nil, badDocument(ptr+"/lid", `The "lid" member must be a string.`)
	}
	id, err := x.lid(typ, lid, ptr+"/lid")
	if err != nil {
		return nil, err
	}
	delete(ident, "lid")
	if ident["id"], err = json.Marshal(id); err != nil {
		return nil, err
	}
	return json.Marshal(ident)
}

// opDocument wraps data in a request document for decodeObject and
// decodeLinkage, whose pointers then hold for the operation too.
func opDocument(data any) ([]byte, error) {
	return json.Marshal(map[string]any{"data": data})
}

// add creates the resource of an "add" operation.
func (x *atomicRun) add(tx *engine.Tx, op *operation) (*jsonapi.Object, error) {
	if op.ref != nil {
		return nil, badDocument("/ref", `An "add" operation of a resource takes no "ref"; "data" names the type.`)
	}
	data, typ, err := opResourceData(op)
	if err != nil {
		return nil, err
	}
	p, err := x.typeOf(typ, "/data/type")
	if err != nil {
		return nil, err
	}
	if !p.Allows(resource.OpCreate) {
		return nil, &jsonapi.Error{Status: http.StatusForbidden, Title: "Create Not Allowed",
			Detail: fmt.Sprintf("Resources of type %q cannot be created.", typ), Source: jsonapi.Pointer("/op")}
	}
	// A Provisioner's slow work runs before and outside the transaction
	// of its row (as a job, with a runner): it cannot join this one.
	if _, ok := p.Resource().(resource.Provisioner); ok {
		return nil, &jsonapi.Error{Status: http.StatusForbidden, Title: "Create Not Allowed Here",
			Detail: fmt.Sprintf("Resources of type %q take time to create and cannot be created by an atomic operation; POST them to their collection.", typ),
			Source: jsonapi.Pointer("/data/type")}
	}
	if err := x.resolveRelationships(data); err != nil {
		return nil, err
	}
	body, err := opDocument(data)
	if err != nil {
		return nil, err
	}
	in, err := x.e.DecodeObject(body, p, resource.OpCreate)
	if err != nil {
		return nil, err
	}
	if in.LID != "" {
		if _, dup := x.lids[lidKey(typ, in.LID)]; dup {
			return nil, badDocument("/data/lid", fmt.Sprintf("An earlier operation already created a %q resource with the lid %q.", typ, in.LID))
		}
	}
	id, err := x.e.NewKey(p, in)
	if err != nil {
		return nil, err
	}
	obj, err := tx.Create(x.ctx, p, x.l, in, id)
	if err != nil {
		return nil, err
	}
	// The result carries the id only: the JSON:API schema allows no lid
	// in a response's resource objects.
	if in.LID != "" {
		x.lids[lidKey(typ, in.LID)] = obj.ID
	}
	return obj, nil
}

// update changes the resource of an "update" operation.
func (x *atomicRun) update(tx *engine.Tx, op *operation) (*jsonapi.Object, error) {
	data, typ, err := opResourceData(op)
	if err != nil {
		return nil, err
	}
	p, err := x.typeOf(typ, "/data/type")
	if err != nil {
		return nil, err
	}
	// The resource is named by data's id, or its lid, or the ref.
	var id string
	targetPtr := "/data/id"
	if rawID, ok := data["id"]; ok {
		if json.Unmarshal(rawID, &id) != nil || bytes.Equal(bytes.TrimSpace(rawID), []byte("null")) {
			return nil, badDocument("/data/id", `The "id" member must be a string.`)
		}
	} else if rawLID, ok := data["lid"]; ok {
		var lid string
		if json.Unmarshal(rawLID, &lid) != nil || bytes.Equal(bytes.TrimSpace(rawLID), []byte("null")) {
			return nil, badDocument("/data/lid", `The "lid" member must be a string.`)
		}
		targetPtr = "/data/lid"
		if id, err = x.lid(typ, lid, targetPtr); err != nil {
			return nil, err
		}
	} else if op.ref == nil {
		return nil, badDocument("/data", `The resource object has neither "id" nor "lid"; an "update" must name the resource it changes.`)
	}
	if op.ref != nil {
		if op.ref.typ != typ {
			return nil, &jsonapi.Error{Status: http.StatusConflict, Title: "Type Mismatch",
				Detail: fmt.Sprintf("The type %q of data does not match the type %q of the ref.", typ, op.ref.typ), Source: jsonapi.Pointer("/data/type")}
		}
		_, refID, ptr, err := x.target(p, op.ref)
		if err != nil && refID == "" {
			return nil, err
		}
		switch {
		case id == "":
			id, targetPtr = refID, ptr
		case id != refID:
			return nil, &jsonapi.Error{Status: http.StatusConflict, Title: "ID Mismatch",
				Detail: fmt.Sprintf("The id %q of data does not match the id %q the ref names.", id, refID), Source: jsonapi.Pointer(targetPtr)}
		}
	}
	if data["id"], err = json.Marshal(id); err != nil {
		return nil, err
	}
	delete(data, "lid")
	if !p.Allows(resource.OpUpdate) {
		return nil, &jsonapi.Error{Status: http.StatusForbidden, Title: "Update Not Allowed",
			Detail: fmt.Sprintf("Resources of type %q cannot be updated.", typ), Source: jsonapi.Pointer("/op")}
	}
	if err := x.resolveRelationships(data); err != nil {
		return nil, err
	}
	body, err := opDocument(data)
	if err != nil {
		return nil, err
	}
	in, err := x.e.DecodeObject(body, p, resource.OpUpdate)
	if err != nil {
		return nil, err
	}
	key, ok := x.e.ParseID(p, id)
	if !ok {
		return nil, opNotFound(targetPtr, typ, id)
	}
	obj, err := tx.Update(x.ctx, p, x.l, key, in)
	if errors.Is(err, resource.ErrNotFound) {
		return nil, opNotFound(targetPtr, typ, id)
	}
	return obj, err
}

// remove deletes the resource of a "remove" operation.
func (x *atomicRun) remove(tx *engine.Tx, op *operation) error {
	if op.ref == nil {
		return badDocument("", `A "remove" operation needs a "ref" naming the resource.`)
	}
	if op.data != nil {
		return badDocument("/data", `A "remove" operation of a resource takes no "data".`)
	}
	p, err := x.typeOf(op.ref.typ, "/ref/type")
	if err != nil {
		return err
	}
	if !p.Allows(resource.OpDelete) {
		return &jsonapi.Error{Status: http.StatusForbidden, Title: "Delete Not Allowed",
			Detail: fmt.Sprintf("Resources of type %q cannot be deleted.", op.ref.typ), Source: jsonapi.Pointer("/op")}
	}
	key, raw, ptr, err := x.target(p, op.ref)
	if err != nil {
		return err
	}
	err = tx.Delete(x.ctx, p, x.l, key)
	if errors.Is(err, resource.ErrNotFound) {
		return opNotFound(ptr, op.ref.typ, raw)
	}
	return err
}

// atomicLinkOps maps operation codes to relationship changes.
var atomicLinkOps = map[string]resource.LinkOp{"add": resource.LinkAdd, "update": resource.LinkReplace, "remove": resource.LinkRemove}

// changeRelationship runs an operation whose ref names a relationship.
func (x *atomicRun) changeRelationship(tx *engine.Tx, op *operation) error {
	p, err := x.typeOf(op.ref.typ, "/ref/type")
	if err != nil {
		return err
	}
	rel, ok := p.Schema().Relationship(op.ref.rel)
	if !ok {
		return &jsonapi.Error{Status: http.StatusBadRequest, Title: "Unknown Relationship",
			Detail: fmt.Sprintf("The type %q has no relationship %q.", op.ref.typ, op.ref.rel), Source: jsonapi.Pointer("/ref/relationship")}
	}
	lop := atomicLinkOps[op.code]
	if rel.Kind == resource.ToOne && lop != resource.LinkReplace {
		return &jsonapi.Error{Status: http.StatusBadRequest, Title: "Invalid Operation",
			Detail: fmt.Sprintf("The to-one relationship %q can only be updated.", rel.Name), Source: jsonapi.Pointer("/op")}
	}
	if _, ok := x.e.Lookup(rel.Type); !ok || rel.ReadOnly || !p.Allows(resource.OpUpdate) {
		return &jsonapi.Error{Status: http.StatusForbidden, Title: "Relationship Not Writable",
			Detail: fmt.Sprintf("The relationship %q cannot be changed.", rel.Name), Source: jsonapi.Pointer("/ref/relationship")}
	}
	if rel.Kind != resource.ToOne && (lop == resource.LinkReplace && rel.NoReplace || lop == resource.LinkRemove && rel.NoRemove) {
		return &jsonapi.Error{Status: http.StatusForbidden, Title: "Forbidden",
			Detail: fmt.Sprintf("The relationship %q does not allow this change.", rel.Name), Source: jsonapi.Pointer("/op")}
	}
	if op.data == nil {
		return badDocument("", `A relationship operation needs a "data" member.`)
	}
	key, raw, ptr, err := x.target(p, op.ref)
	if err != nil {
		return err
	}
	linkage, err := x.resolveLinkage(op.data, "/data")
	if err != nil {
		return err
	}
	body, err := opDocument(linkage)
	if err != nil {
		return err
	}
	lk, err := x.e.DecodeRelationship(rel, body)
	if err != nil {
		return err
	}
	err = tx.ChangeRelationship(x.ctx, p, x.l, key, lk, lop)
	if errors.Is(err, resource.ErrNotFound) {
		return opNotFound(ptr, op.ref.typ, raw)
	}
	return err
}

// badDocument is a 400 pointing into the request document.
func badDocument(pointer, detail string) *jsonapi.Error {
	return &jsonapi.Error{Status: http.StatusBadRequest, Title: "Invalid Document", Detail: detail, Source: jsonapi.Pointer(pointer)}
}
