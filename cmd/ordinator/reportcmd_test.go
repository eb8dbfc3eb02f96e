package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ordinatorhq/ordinator/server/auth"
)

// TestReportCommand: `ordinator report` writes the month's report of a
// region as CSV, XLSX and PDF; `report export-aggregates` writes the
// figures with counts below 5 suppressed; bad flags are one clear line.
func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	store, err := openStore(ctx, &Config{DataDir: filepath.Join(dir, "ordinator-data")})
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := auth.New(ctx, store, auth.Config{Argon2: auth.TestArgon2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.CreateRegion(ctx, auth.System, auth.Region{ID: "msk", Name: "Москва", TimeZone: "Europe/Moscow"}); err != nil {
		t.Fatal(err)
	}
	for i := range 7 {
		u, err := accounts.CreateUser(ctx, auth.System, auth.NewUser{Role: auth.RoleDoctor, Email: fmt.Sprintf("d%d@report.test", i), Password: platformPassword, Name: "d", RegionID: "msk", Specialty: "dermatology"})
		if err != nil {
			t.Fatal(err)
		}
		if i < 2 {
			if _, err := accounts.VerifyDoctor(ctx, auth.System, u.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	store.Close()
	moscow, _ := time.LoadLocation("Europe/Moscow")
	month := time.Now().In(moscow).Format("2006-01")

	for _, format := range []string{"csv", "xlsx", "pdf"} {
		file := filepath.Join(dir, "msk."+format)
		if code, out := runCLI(t, dir, "report", "--region", "msk", "--period", month, "--format", format, "--out", file); code != 0 || !strings.Contains(out, "1 reports") {
			t.Fatalf("report %s: %d %s", format, code, out)
		}
		switch format {
		case "csv":
			b, _ := os.ReadFile(file)
			if !strings.Contains(string(b), "msk,,"+month+",doctors,new_doctors,New doctors,7,") {
				t.Errorf("csv:\n%s", b)
			}
		case "xlsx":
			x, err := excelize.OpenFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(x.GetSheetList(), "Figures") {
				t.Errorf("sheets %v", x.GetSheetList())
			}
		case "pdf":
			text, err := exec.Command("pdftotext", file, "-").Output()
			if err != nil || !strings.Contains(string(text), "Москва") || strings.Count(string(text), "\f") != 1 {
				t.Errorf("pdf text (%v):\n%s", err, text)
			}
		}
	}

	code, out := runCLI(t, dir, "report", "export-aggregates", "--region", "msk", "--period", month)
	if code != 0 {
		t.Fatalf("aggregates: %d %s", code, out)
	}
	recs, err := csv.NewReader(strings.NewReader(out[:strings.LastIndex(strings.TrimRight(out, "\n"), "\n")+1])).ReadAll()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := map[string]string{}
	for _, r := range recs[1:] {
		got[r[4]] = r[5]
	}
	if got["new_doctors"] != "7" || got["verified_doctors"] != "<5" || got["approved_edits"] != "0" || strings.Contains(out, "d0@") {
		t.Errorf("aggregates: %v\n%s", got, out)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "--region", "msk"}, "give --region and --period"},
		{[]string{"report", "--region", "msk", "--period", "2026-11", "--format", "doc"}, "--format doc: use csv, xlsx or pdf"},
		{[]string{"report", "--region", "kzn", "--period", "2026-11"}, `no region "kzn"`},
		{[]string{"report", "--region", "msk", "--period", "2026-11-30..2026-11-01"}, "the period ends before it starts"},
		{[]string{"report", "--region", "msk", "--period", "2023-01-01..2026-11-01"}, "at most two years"},
	} {
		if code, out := runCLI(t, dir, c.args...); code == 0 || !strings.Contains(out, c.want) {
			t.Errorf("%v: %d %s", c.args, code, out)
		}
	}
}
