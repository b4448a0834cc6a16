// Package jsonp serves JSON documents as JSONP: a GET request with
// ?callback=foo is answered with the script
//
//	/**/foo({"data":{...},"meta":{"status":200}});
//
// so that a page on any site can load the document with a script tag.
//
// # Opting in
//
// JSONP lets every web site read the answers, so it is off unless the user
// chains the middleware in front of an API handler:
//
//	h = jsonp.Handler(h)
//
// or, to configure it,
//
//	h = jsonp.New(jsonp.Options{ErrorHandler: restless.WriteError})(h)
//
// # Hardening
//
// The middleware follows what trusted JSONP servers do:
//
//   - The callback must be a JavaScript identifier or a dotted path of them,
//     such as jQuery123_456 or app.handlers.person, of at most 128
//     characters (see [Valid]). Anything else, such as alert(1), is answered
//     with 400 Bad Request.
//   - The script starts with the comment /**/, which defeats attacks that
//     make a response look like a file of another type, and carries
//     "X-Content-Type-Options: nosniff" and the Content-Type
//     "application/javascript; charset=utf-8".
//   - The line separators U+2028 and U+2029 are escaped, since older
//     JavaScript engines end a string literal at them.
//   - A request that carries credentials (a Cookie or an Authorization
//     header) is refused with 403 Forbidden unless
//     [Options.AllowCredentials] is set, since any site could read the
//     answer with the user's credentials.
//   - Only GET and HEAD requests are wrapped. Other methods, and requests
//     without the parameter, pass through untouched.
//
// # Errors and statuses
//
// A script tag cannot see the HTTP status, so a wrapped response always has
// status 200 and the original status goes into the document's meta object
// as "status". Error documents are wrapped the same way. Responses that are
// not JSON (application/vnd.api+json or application/json), responses with a
// Content-Encoding, and 304 Not Modified responses pass through unchanged.
package jsonp
