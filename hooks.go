package restless

// A HookReporter is a [BeforeWriter] or [AfterWriter] that says which of
// its hooks do something for an operation. A resource that implements the
// hook interfaces without reporting counts as having both hooks. Writes
// without hooks take shorter paths: an update without a BeforeWrite hook
// need not read the row before changing it, and a write without an
// AfterWrite hook can read the written row back with the statement itself
// (RETURNING). What the client sees is the same either way.
type HookReporter interface {
	// WriteHooks reports whether BeforeWrite and AfterWrite do anything
	// for op.
	WriteHooks(op Op) (before, after bool)
}

// writeHooks reports whether res has a BeforeWrite and an AfterWrite hook
// that may do something for op.
func writeHooks(res Resource, op Op) (before, after bool) {
	_, before = res.(BeforeWriter)
	_, after = res.(AfterWriter)
	if h, ok := res.(HookReporter); ok {
		b, a := h.WriteHooks(op)
		before, after = before && b, after && a
	}
	return before, after
}
