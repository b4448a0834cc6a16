package restless

import "context"

type requestIDKey struct{}

// ContextWithRequestID returns a copy of ctx carrying the request id. Error
// objects written by [WriteError] carry it as their "id" member.
func ContextWithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFromContext returns the request id stored by
// [ContextWithRequestID], or "" when there is none.
func RequestIDFromContext(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
