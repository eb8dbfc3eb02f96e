package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/peterbourgon/ff/v3/ffcli"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/server/probase"
)

// warehouseTask is one `ordinator warehouse` subcommand's work; it writes
// its report to w.
type warehouseTask func(ctx context.Context, svc *gifts.Service, w io.Writer) error

// warehouseSub builds a subcommand with its own flags plus the storage
// flags, run as the server itself on the database they name.
func warehouseSub(stdout, stderr io.Writer, name, usage, help string, flags func(*flag.FlagSet) warehouseTask) *ffcli.Command {
	return giftsServiceSub(stdout, stderr, "warehouse", name, usage, help, flags)
}

// giftsServiceSub builds a subcommand of group (warehouse, gifts) whose
// task runs on the gifts service.
func giftsServiceSub(stdout, stderr io.Writer, group, name, usage, help string, flags func(*flag.FlagSet) warehouseTask) *ffcli.Command {
	var cfg Config
	fs := newFlagSet(group + " " + name)
	cfg.registerStorage(fs)
	task := flags(fs)
	return &ffcli.Command{
		Name: name, ShortUsage: "ordinator " + group + " " + name + " " + usage, ShortHelp: help, FlagSet: fs, Options: envOptions,
		Exec: func(ctx context.Context, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("%s %s takes flags only, got %q", group, name, args)
			}
			if err := cfg.validate(); err != nil {
				return err
			}
			store, err := openStore(ctx, &cfg)
			if err != nil {
				return err
			}
			defer store.Close()
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			if err := task(ctx, gifts.New(store, gifts.Config{Logger: cfg.logger(stderr), Territory: probase.QueueTerritoryOfUser}), tw); err != nil {
				return err
			}
			return tw.Flush()
		},
	}
}

func warehouseCommand(stdout, stderr io.Writer) *ffcli.Command {
	sub := func(name, usage, help string, flags func(*flag.FlagSet) warehouseTask) *ffcli.Command {
		return warehouseSub(stdout, stderr, name, usage, help, flags)
	}
	return &ffcli.Command{
		Name:       "warehouse",
		ShortUsage: "ordinator warehouse <task> [flags]",
		ShortHelp:  "record goods in and out of the gift warehouse, pack and ship orders, report stock",
		LongHelp:   "Runs a warehouse task directly on the database given by the storage flags.",
		FlagSet:    newFlagSet("warehouse"),
		Subcommands: []*ffcli.Command{
			sub("add-item", "--sku CREAM-50 --name 'Repair cream 50 ml' --kind product", "add an item to the catalog", warehouseAddItem),
			sub("receipt", "--item CREAM-50 --quantity 500 [--note ...]", "record goods received", warehouseMovement(gifts.MoveReceipt)),
			sub("return", "--item CREAM-50 --quantity 1 [--note ...]", "record goods that came back", warehouseMovement(gifts.MoveReturn)),
			sub("write-off", "--item CREAM-50 --quantity 3 --note crushed", "record goods lost or damaged", warehouseMovement(gifts.MoveWriteOff)),
			sub("stock", "", "stock of every item", warehouseStock),
			sub("movements", "[--item CREAM-50] [--wave ID] [--limit 100]", "list stock movements, newest first", warehouseMovements),
			sub("pack", "--wave ID", "pack a wave's placed orders into shipments by address", warehousePack),
			sub("ship", "--shipment S-000001 [--tracking RA123456789RU]", "mark a packed shipment shipped (its doctors are notified)", warehouseShip),
			sub("deliver", "--shipment S-000001", "mark a shipped shipment delivered", warehouseDeliver),
			sub("shipments", "[--wave ID] [--status packed|shipped|delivered]", "list shipments, newest first", warehouseShipments),
			sub("report", "[--by waves|territories] [--wave ID]", "what waves allocated, sold and shipped, per item or per territory", warehouseReport),
		},
	}
}

// warehouseAddItem is `warehouse add-item`.
func warehouseAddItem(fs *flag.FlagSet) warehouseTask {
	sku, name, kind, desc := fs.String("sku", "", "stock-keeping unit"), fs.String("name", "", "name"), fs.String("kind", "product", "product, device or merch"), fs.String("description", "", "description")
	return func(ctx context.Context, svc *gifts.Service, w io.Writer) error {
		k, ok := gifts.ParseKind(*kind)
		if !ok {
			return fmt.Errorf("--kind %q: use product, device or merch", *kind)
		}
		it, err := svc.CreateItem(ctx, auth.System, gifts.Item{SKU: *sku, Name: *name, Description: *desc, Kind: k})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "added %s (%s), id %s\n", it.SKU, it.Name, it.ID)
		return nil
	}
}

// warehouseMovement is `warehouse receipt`, `return` and `write-off`: goods
// of that kind of movement.
func warehouseMovement(kind string) func(fs *flag.FlagSet) warehouseTask {
	return func(fs *flag.FlagSet) warehouseTask {
		item, qty := fs.String("item", "", "item SKU or id"), fs.Int64("quantity", 0, "units")
		note, req := fs.String("note", "", "what it is (supplier, reason...)"), fs.String("request-id", "", "a UUID; the same one again records once (default: new)")
		return func(ctx context.Context, svc *gifts.Service, w io.Writer) error {
			if *req == "" {
				*req = uuid.NewString()
			}
			r, err := svc.RecordMovement(ctx, auth.System, gifts.NewMovement{Item: *item, Kind: kind, Quantity: *qty, Note: *note, RequestID: *req})
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "recorded %s of %d %s (%s): %d on hand, %d reserved, %d available\n",
				strings.ReplaceAll(kind, "_", "-"), r.Movement.Quantity, r.Item.SKU, r.Item.Name, r.Level.OnHand, r.Level.Reserved, r.Level.Available())
			return nil
		}
	}
}

// warehouseStock is `warehouse stock`.
func warehouseStock(*flag.FlagSet) warehouseTask {
	return func(ctx context.Context, svc *gifts.Service, w io.Writer) error {
		stock, err := svc.StockReport(ctx, auth.System)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, "SKU\tNAME\tON HAND\tRESERVED\tAVAILABLE\tRECEIVED\tSHIPPED\tRETURNED\tWRITTEN OFF")
		for _, s := range stock {
			fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", s.Item.Sku, s.Item.Name, s.OnHand, s.Reserved, s.Available, s.Received, s.Shipped, s.Returned, s.WrittenOff)
		}
		return nil
	}
}

// warehouseMovements is `warehouse movements`.
func warehouseMovements(fs *flag.FlagSet) warehouseTask {
	item, wave, limit := fs.String("item", "", "item SKU or id"), fs.String("wave", "", "wave id"), fs.Int("limit", 100, "at most this many")
	return func(ctx context.Context, svc *gifts.Service, w io.Writer) error {
		ms, err := svc.ListMovements(ctx, auth.System, *item, *wave, *limit)
		if err != nil {
			return err
		}
		items, err := svc.ListItems(ctx, auth.System)
		if err != nil {
			return err
		}
		sku := map[string]string{}
		for _, it := range items {
			sku[it.ID] = it.SKU
		}
		fmt.Fprintln(w, "WHEN\tITEM\tKIND\tQUANTITY\tON HAND\tRESERVED\tNOTE")
		for _, m := range ms {
			fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%+d\t%+d\t%s\n", time.UnixMilli(m.CreatedAt).UTC().Format(time.DateTime), sku[m.ItemID], m.Kind, m.Quantity, m.OnHandDelta, m.ReservedDelta, m.Note)
		}
		return nil
	}
}

// warehousePack is `warehouse pack`.
func warehousePack(fs *flag.FlagSet) warehouseTask {
	wave := fs.String("wave", "", "wave id")
	return func(ctx context.Context, svc *gifts.Service, w io.Writer) error {
		shipments, err := svc.PackShipments(ctx, auth.System, *wave)
		if err != nil {
			return err
		}
		printShipments(w, shipments)
		fmt.Fprintf(w, "packed %d shipment(s)\n", len(shipments))
		return nil
	}
}

// warehouseShip is `warehouse ship`.
func warehouseShip(fs *flag.FlagSet) warehouseTask {
	ref, tracking := fs.String("shipment", "", "shipment number or id"), fs.String("tracking", "", "carrier's tracking number")
	return func(ctx context.Context, svc *gifts.Service, w io.Writer) error {
		sh, err := svc.ShipShipment(ctx, auth.System, *ref, *tracking)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "shipped %s: %d order(s)\n", sh.Number, len(sh.OrderIds))
		return nil
	}
}

// warehouseDeliver is `warehouse deliver`.
func warehouseDeliver(fs *flag.FlagSet) warehouseTask {
	ref := fs.String("shipment", "", "shipment number or id")
	return func(ctx context.Context, svc *gifts.Service, w io.Writer) error {
		sh, err := svc.DeliverShipment(ctx, auth.System, *ref)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "delivered %s: %d order(s)\n", sh.Number, len(sh.OrderIds))
		return nil
	}
}

// warehouseShipments is `warehouse shipments`.
func warehouseShipments(fs *flag.FlagSet) warehouseTask {
	wave, status := fs.String("wave", "", "wave id"), fs.String("status", "", "packed, shipped or delivered")
	return func(ctx context.Context, svc *gifts.Service, w io.Writer) error {
		shipments, err := svc.ListShipments(ctx, auth.System, *wave, *status, 0)
		if err != nil {
			return err
		}
		printShipments(w, shipments)
		return nil
	}
}

// warehouseReport is `warehouse report`: by waves (per item) or by
// territories.
func warehouseReport(fs *flag.FlagSet) warehouseTask {
	wave, by := fs.String("wave", "", "one wave's figures only"), fs.String("by", "waves", "waves or territories")
	return func(ctx context.Context, svc *gifts.Service, w io.Writer) error {
		switch *by {
		case "waves":
			return printWaveReport(ctx, svc, w, *wave)
		case "territories":
			return printTerritoryReport(ctx, svc, w, *wave)
		default:
			return fmt.Errorf("--by %q: use waves or territories", *by)
		}
	}
}

func printWaveReport(ctx context.Context, svc *gifts.Service, w io.Writer, wave string) error {
	items, err := svc.WaveReport(ctx, auth.System, wave)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "WAVE\tSKU\tALLOCATED\tORDERED\tSHIPPED\tPOINTS")
	for _, f := range items {
		fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%d\t%d\n", f.WaveTitle, f.Item.Sku, f.Allocated, f.Ordered, f.Shipped, f.Points)
	}
	return nil
}

func printTerritoryReport(ctx context.Context, svc *gifts.Service, w io.Writer, wave string) error {
	ts, err := svc.TerritoryReport(ctx, auth.System, wave)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "TERRITORY\tORDERS\tUNITS ORDERED\tUNITS SHIPPED\tPOINTS")
	for _, f := range ts {
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\n", orNone(f.TerritoryId), f.Orders, f.UnitsOrdered, f.UnitsShipped, f.Points)
	}
	return nil
}

func printShipments(w io.Writer, shipments []*giftsv1.Shipment) {
	fmt.Fprintln(w, "NUMBER\tSTATUS\tORDERS\tUNITS\tADDRESS\tTRACKING")
	for _, sh := range shipments {
		var units int64
		for _, l := range sh.Lines {
			units += l.Quantity
		}
		a := sh.Address
		addr := strings.Join([]string{a.GetPostalCode(), a.GetCity(), a.GetStreet(), a.GetApartment()}, ", ")
		fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%s\t%s\n", sh.Number, gifts.ShipmentStatusName(sh.Status), len(sh.OrderIds), units, strings.TrimSuffix(addr, ", "), sh.Tracking)
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
