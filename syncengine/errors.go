package syncengine

import (
	"errors"
	"fmt"
)

// Error codes shared by the engine and the application. Anything without a
// code is internal.
const (
	EINVALID         = "invalid"           // the request or its arguments are malformed
	ENOTFOUND        = "not_found"         // a referenced thing does not exist
	ECONFLICT        = "conflict"          // the state changed underneath the caller
	EPERMISSION      = "permission_denied" // the principal may not do this
	EUNAUTHENTICATED = "unauthenticated"   // no valid credentials
	EPRECONDITION    = "failed_precondition"
	ERATELIMIT       = "rate_limited"
	EUNAVAILABLE     = "unavailable" // try again later
	EINTERNAL        = "internal"
)

// Violation names one field that failed validation and why.
type Violation struct {
	Field       string
	Description string
}

// Error is an error a user may see: a code, a human-readable message and, for
// invalid input, the fields at fault.
type Error struct {
	Code       string
	Message    string
	Violations []Violation
}

func (e *Error) Error() string {
	if len(e.Violations) == 0 {
		return e.Message
	}
	s := e.Message
	for i, v := range e.Violations {
		if i == 0 {
			s += ": "
		} else {
			s += "; "
		}
		s += v.Field + ": " + v.Description
	}
	return s
}

// Errorf returns an *Error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error listing field violations.
func Invalid(message string, violations ...Violation) *Error {
	return &Error{Code: EINVALID, Message: message, Violations: violations}
}

// ErrorCode returns the code of err, EINTERNAL if it has none, "" if nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; an internal error's
// cause is never shown.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// AsError returns err as an *Error, turning uncoded errors into EINTERNAL
// ones without leaking their text.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: EINTERNAL, Message: "internal error"}
}
