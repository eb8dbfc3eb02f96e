package servertest

import (
	"strings"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// Answer is a rejection as a caller sees it, with the id they sent written
// as <id>: two answers about targets a caller may not touch must be equal
// Answers, whether the target exists or not. An answer may name what was
// asked, never what was found.
func Answer(e *syncengine.Error, id string) *syncengine.Error {
	if e == nil {
		return nil
	}
	out := &syncengine.Error{Code: e.Code, Message: strings.ReplaceAll(e.Message, id, "<id>")}
	for _, v := range e.Violations {
		out.Violations = append(out.Violations, syncengine.Violation{Field: v.Field, Description: strings.ReplaceAll(v.Description, id, "<id>")})
	}
	return out
}
