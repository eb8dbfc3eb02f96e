package console

import (
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/module"
)

// Schema is the console's tables: its sessions, each tied to a device
// session of the accounts module.
func Schema() module.Schema {
	return module.Schema{Name: "console", Migrations: Migrations, Requires: []module.Schema{auth.Schema()}}
}

// Module is the console as the server runs it. Its pages are plain HTTP
// under Prefix, mounted by the binary beside the Connect services (they
// are not a Connect service, so they take no part in reflection or
// health).
func (c *Console) Module() module.Module {
	return module.Module{Schema: Schema()}
}
