// Package jsonapi holds the JSON:API 1.1 document model restless reads
// and writes: [Document], [Object], [RelationshipObject] and [Links] for
// data, [Error] and [ErrorSource] for failures, encoded without
// reflection by their AppendJSON and MarshalJSON methods.
//
// [ErrorObjects] is the one place where a Go error becomes error
// objects: an [*Error] is sent as it is, an error implementing
// [Presenter] or [StatusCoder] chooses its own, and any other error is a
// 500 whose cause is for the log, never for the client. [WriteErrors]
// writes an error document; package restless, package middleware,
// package negotiate and package jsonp all reply with it.
package jsonapi

// MediaType is the JSON:API media type.
const MediaType = "application/vnd.api+json"
