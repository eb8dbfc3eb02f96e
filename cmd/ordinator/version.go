package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/peterbourgon/ff/v3/ffcli"
)

// version is set at build time by `make build` and `make run`, from git
// describe: -ldflags "-X main.version=v1.4.0-3-gabc1234". Unset, it is
// worked out from what the Go toolchain recorded (buildVersion).
var version = ""

// currentVersion is what `ordinator version` and GetServerInfo report.
func currentVersion() string {
	info, _ := debug.ReadBuildInfo()
	return buildVersion(version, info)
}

// buildVersion is the stamped version, else the module version of a `go
// install ...@v1.4.0`, else the commit `go build` recorded in a checkout
// ("devel+abc1234def56", "-dirty" with uncommitted changes), else "devel".
func buildVersion(stamped string, info *debug.BuildInfo) string {
	if stamped != "" {
		return stamped
	}
	if info == nil {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if revision == "" {
		return "devel"
	}
	v := "devel+" + revision[:min(len(revision), 12)]
	if modified == "true" {
		v += "-dirty"
	}
	return v
}

func versionCommand(stdout io.Writer) *ffcli.Command {
	return &ffcli.Command{
		Name:       "version",
		ShortUsage: "ordinator version",
		ShortHelp:  "print the version",
		FlagSet:    newFlagSet("version"),
		Exec: func(ctx context.Context, args []string) error {
			fmt.Fprintf(stdout, "ordinator %s (%s, client schema %d-%d)\n", currentVersion(), runtime.Version(), minClientSchema, currentClientSchema)
			return nil
		},
	}
}
