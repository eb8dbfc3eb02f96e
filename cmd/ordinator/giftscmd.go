package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// giftsCommand runs gift waves from the command line, through the same
// gifts service as GiftAdminService and the console.
func giftsCommand(stdout, stderr io.Writer) *ffcli.Command {
	sub := func(name, usage, help string, flags func(*flag.FlagSet) warehouseTask) *ffcli.Command {
		return giftsServiceSub(stdout, stderr, "gifts", name, usage, help, flags)
	}
	return &ffcli.Command{
		Name:       "gifts",
		ShortUsage: "ordinator gifts <task> [flags]",
		ShortHelp:  "plan gift waves and what they offer",
		LongHelp:   "Runs a gift-wave task directly on the database given by the storage flags. Items come from\n'ordinator warehouse add-item'; what a wave offers is reserved in the warehouse.",
		FlagSet:    newFlagSet("gifts"),
		Subcommands: []*ffcli.Command{
			sub("create-wave", "--region msk --title '...' --starts 2026-12-10T09:00 --ends 2026-12-20T21:00 [--time-zone Europe/Moscow]", "plan a gift wave in a region", giftsCreateWave),
			sub("set-item", "--wave ID --item CREAM-50 --price 500 --allocated 100 [--limit 1]", "offer an item in a wave, or change the offer", giftsSetItem),
			sub("list-waves", "[--region msk]", "list waves, latest first, with what they offer", giftsListWaves),
		},
	}
}

// waveTime parses a wave's start or end: RFC 3339 with its offset, or a
// local time (2026-12-10T09:00, 2026-12-10) in zone.
func waveTime(field, s string, zone *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, syncengine.Invalid("no "+field+" given", syncengine.Violation{Field: field, Description: "is required, e.g. 2026-12-10T09:00"})
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", time.DateOnly} {
		if t, err := time.ParseInLocation(layout, s, zone); err == nil {
			return t, nil
		}
	}
	return time.Time{}, syncengine.Invalid("unreadable "+field, syncengine.Violation{Field: field, Description: fmt.Sprintf("%q: give 2026-12-10T09:00 (in --time-zone) or 2026-12-10T09:00:00+03:00", s)})
}

func giftsCreateWave(fs *flag.FlagSet) warehouseTask {
	region, title, desc := fs.String("region", "", "region id"), fs.String("title", "", "title doctors see"), fs.String("description", "", "what the wave is")
	starts, ends := fs.String("starts", "", "when ordering opens"), fs.String("ends", "", "when ordering closes")
	tz := fs.String("time-zone", "UTC", "IANA time zone of --starts and --ends without an offset")
	grace := fs.Duration("grace", 0, "how long after --ends an order placed before it is still accepted (default the server's)")
	return func(ctx context.Context, svc *gifts.Service, w io.Writer) error {
		zone, err := time.LoadLocation(*tz)
		if err != nil {
			return syncengine.Invalid("unknown time zone", syncengine.Violation{Field: "time-zone", Description: fmt.Sprintf("%q is not an IANA time zone, e.g. Europe/Moscow", *tz)})
		}
		from, err := waveTime("starts", *starts, zone)
		if err != nil {
			return err
		}
		to, err := waveTime("ends", *ends, zone)
		if err != nil {
			return err
		}
		wave, err := svc.CreateWave(ctx, auth.System, gifts.Wave{RegionID: *region, Title: *title, Description: *desc, StartsAt: from, EndsAt: to, Grace: *grace})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "created wave %s (%s) in %s, %s to %s\n", wave.ID, wave.Title, wave.RegionID, wave.StartsAt.Format(time.RFC3339), wave.EndsAt.Format(time.RFC3339))
		return nil
	}
}

func giftsSetItem(fs *flag.FlagSet) warehouseTask {
	wave, item := fs.String("wave", "", "wave id"), fs.String("item", "", "item SKU or id")
	price, limit, allocated := fs.Int64("price", 0, "points per unit"), fs.Int64("limit", 0, "units one doctor may order (0: no limit)"), fs.Int64("allocated", 0, "units the wave offers, reserved in the warehouse")
	return func(ctx context.Context, svc *gifts.Service, w io.Writer) error {
		wi, err := svc.SetWaveItem(ctx, auth.System, *wave, *item, *price, *limit, *allocated)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "wave %s offers %s (%s): %d points, %d allocated, %d ordered\n", wi.WaveID, wi.Item.SKU, wi.Item.Name, wi.PointsPrice, wi.Allocated, wi.Ordered)
		return nil
	}
}

func giftsListWaves(fs *flag.FlagSet) warehouseTask {
	region := fs.String("region", "", "only this region id")
	return func(ctx context.Context, svc *gifts.Service, w io.Writer) error {
		waves, err := svc.ListWaves(ctx, auth.System, *region)
		if err != nil {
			return err
		}
		now := time.Now()
		fmt.Fprintln(w, "WAVE\tREGION\tTITLE\tSTARTS\tENDS\tSTATE")
		for _, wave := range waves {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", wave.ID, wave.RegionID, wave.Title, wave.StartsAt.UTC().Format(time.DateTime), wave.EndsAt.UTC().Format(time.DateTime), waveState(wave, now))
			items, err := svc.WaveReport(ctx, auth.System, wave.ID)
			if err != nil {
				return err
			}
			for _, it := range items {
				fmt.Fprintf(w, "  %s\t%s\tallocated %d\tordered %d\tshipped %d\t\n", it.GetItem().GetSku(), it.GetItem().GetName(), it.GetAllocated(), it.GetOrdered(), it.GetShipped())
			}
		}
		fmt.Fprintf(w, "%d waves (times UTC)\n", len(waves))
		return nil
	}
}

func waveState(w gifts.Wave, now time.Time) string {
	switch {
	case w.Retired || !now.Before(w.EndsAt):
		return "closed"
	case now.Before(w.StartsAt):
		return "planned"
	}
	return "open"
}
