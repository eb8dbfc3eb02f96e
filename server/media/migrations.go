package media

import (
	"embed"

	"github.com/ordinatorhq/ordinator/syncengine"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns the module's migrations for a dialect.
var Migrations = syncengine.DialectMigrations(migrations)
