package main

import (
	"context"
	"fmt"
	"io"
	"runtime"

	"github.com/peterbourgon/ff/v3/ffcli"
)

func versionCommand(stdout io.Writer) *ffcli.Command {
	return &ffcli.Command{
		Name:       "version",
		ShortUsage: "ordinator version",
		ShortHelp:  "print the version",
		FlagSet:    newFlagSet("version"),
		Exec: func(ctx context.Context, args []string) error {
			fmt.Fprintf(stdout, "ordinator %s (%s, client schema %d-%d)\n", version, runtime.Version(), minClientSchema, currentClientSchema)
			return nil
		},
	}
}
