package main

import (
	"io/fs"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/cases"
	"github.com/ordinatorhq/ordinator/server/console"
	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/points"
	"github.com/ordinatorhq/ordinator/server/probase"
	"github.com/ordinatorhq/ordinator/server/studies"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// module is one server module's schema: its migrations per dialect, applied
// in the order modules returns them (later modules may reference earlier
// ones' tables).
type module struct {
	name       string
	migrations func(syncengine.Dialect) fs.FS
}

func modules() []module {
	return []module{
		{"auth", auth.Migrations},
		{"notify", notify.Migrations},
		{"points", points.Migrations},
		{"probase", probase.Migrations},
		{"media", media.Migrations},
		{"content", content.Migrations},
		{"cases", cases.Migrations},
		{"gifts", gifts.Migrations},
		{"studies", studies.Migrations},
		{"console", console.Migrations},
	}
}
