// Package housetest holds the house rules that are tests, so that breaking
// one fails go test like any bug: every package carries one package
// comment, and the module's trees depend on each other only the way the
// README's dependency line says. It has no code besides its tests.
package housetest
