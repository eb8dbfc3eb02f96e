//go:build tools

package mobile

// gomobile bind compiles the generated bindings against
// golang.org/x/mobile/bind, which must therefore be a requirement of this
// module at the version tools.mod pins gobind to. This file, excluded from
// every build, keeps it there.
import _ "golang.org/x/mobile/bind"
