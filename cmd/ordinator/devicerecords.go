package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/peterbourgon/ff/v3/ffcli"

	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
)

// deviceRecord is one record as `ordinator device list` shows it: the
// payload as its collection's message in JSON, or as bytes (base64 in
// JSON) when the collection's message is unknown.
type deviceRecord struct {
	ID      string          `json:"id"`
	Pending bool            `json:"pending"`
	Record  json.RawMessage `json:"record,omitempty"`
	Payload []byte          `json:"payload,omitempty"`
}

func deviceListCommand(stdout io.Writer) *ffcli.Command {
	var f deviceFlags
	var limit int
	var where, order string
	var asJSON bool
	fs := newFlagSet("device list")
	f.register(fs)
	fs.IntVar(&limit, "limit", 50, "how many records to show (0: all)")
	fs.StringVar(&where, "prefix", "", "only records whose column starts with a value: column=value")
	fs.StringVar(&order, "order", "", "column to order by (default id)")
	fs.BoolVar(&asJSON, "json", false, `one JSON object per line, {"id", "pending", "record"} ("payload" in base64 for a collection of unknown message)`)
	return &ffcli.Command{
		Name:       "list",
		ShortUsage: "ordinator device list [flags] <collection>",
		ShortHelp:  "list a collection as the app sees it (pending local writes included)",
		LongHelp: "Prints each record as its collection's protobuf message in JSON, with the field names\n" +
			"of the protos; --json prints one object per line for scripts. The columns --prefix and\n" +
			"--order take are the collection's indexed ones (doctor: territory, name_key, clinic, status).",
		FlagSet: fs,
		Exec: func(ctx context.Context, args []string) error {
			args, err := interleaved(fs, args)
			if err != nil {
				return err
			}
			if len(args) != 1 {
				return errors.New("list takes one collection, e.g. 'ordinator device list doctor'")
			}
			r, _, err := openDevice(ctx, &f, io.Discard)
			if err != nil {
				return err
			}
			defer r.Close()
			if held := r.Collections(); !slices.Contains(held, args[0]) {
				return fmt.Errorf("this replica holds no collection %q (it holds %s)", args[0], strings.Join(held, ", "))
			}
			q := sdk.Query{Collection: args[0], Limit: limit, OrderBy: order}
			if where != "" {
				col, val, ok := strings.Cut(where, "=")
				if !ok {
					return fmt.Errorf("--prefix %q: write column=value", where)
				}
				q.Where = append(q.Where, sdk.Filter{Column: col, Op: sdk.Prefix, Value: val})
			}
			recs, err := r.Query(ctx, q)
			if err != nil {
				return err
			}
			types := newPayloadTypes()
			enc := json.NewEncoder(stdout)
			enc.SetEscapeHTML(false)
			for _, rec := range recs {
				dr := deviceRecord{ID: rec.ID, Pending: rec.Pending, Record: types.recordJSON(args[0], rec.Payload)}
				if dr.Record == nil {
					dr.Payload = rec.Payload
				}
				if asJSON {
					if err := enc.Encode(dr); err != nil {
						return err
					}
					continue
				}
				printRecord(stdout, dr)
			}
			if asJSON {
				return nil
			}
			total, err := r.Count(ctx, sdk.Query{Collection: args[0], Where: q.Where})
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%d of %d records (* pending)\n", len(recs), total)
			return nil
		},
	}
}

// printRecord shows a record for a person: its id, marked * while it has
// pending writes, then its message indented.
func printRecord(w io.Writer, dr deviceRecord) {
	mark := " "
	if dr.Pending {
		mark = "*"
	}
	if dr.Record == nil {
		fmt.Fprintf(w, "%s %s  %s\n", mark, dr.ID, printable(dr.Payload))
		return
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, dr.Record, "  ", "  "); err != nil {
		pretty.Write(dr.Record)
	}
	fmt.Fprintf(w, "%s %s\n  %s\n", mark, dr.ID, pretty.String())
}

func deviceMutateCommand(stdout io.Writer) *ffcli.Command {
	var f deviceFlags
	fs := newFlagSet("device mutate")
	f.register(fs)
	return &ffcli.Command{
		Name:       "mutate",
		ShortUsage: "ordinator device mutate [flags] <name> <args>",
		ShortHelp:  "queue a mutation in the outbox (it goes at the next sync)",
		LongHelp: "Queues a mutation. Its arguments are the mutation's protobuf message (README: \"Payloads\n" +
			"and arguments\"), given as JSON with the protos' field names, e.g.\n" +
			"  ordinator device mutate case.save_draft '{\"case_id\":\"7d5c1a52-2f7e-4c8a-9b0e-3f1f0c6a9e11\",\"content\":{\"diagnosis\":\"акне\"}}'\n" +
			"or from a file: @args.json (JSON), @args.binpb (the encoded message, sent as it is).\n" +
			"The device checks it as the app would (the doctors, cases, gifts, inbox and content\n" +
			"modules); the server's verdict comes with the next 'ordinator device sync'.",
		FlagSet: fs,
		Exec: func(ctx context.Context, args []string) error {
			args, err := interleaved(fs, args)
			if err != nil {
				return err
			}
			if len(args) != 2 {
				return errors.New(`mutate takes a mutation name and its arguments, e.g. ordinator device mutate inbox.mark_read '{"ids":["..."]}'`)
			}
			payload, err := newPayloadTypes().encodeArgs(args[0], args[1])
			if err != nil {
				return err
			}
			r, _, err := openDevice(ctx, &f, io.Discard)
			if err != nil {
				return err
			}
			defer r.Close()
			id, err := r.Mutate(ctx, args[0], payload)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "queued %s as mutation %d; %d in the outbox (run 'ordinator device sync')\n", args[0], id, r.Status().Pending)
			return nil
		},
	}
}
