package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
)

// listJSON runs `device list <collection> --json` and decodes its lines.
func listJSON(t *testing.T, dir, collection string, flags ...string) []deviceRecord {
	t.Helper()
	out, _ := mustDevice(t, append([]string{"list", collection, "--dir", dir, "--json", "--limit", "0"}, flags...)...)
	var recs []deviceRecord
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var r deviceRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("list %s --json printed a line that is not JSON (%v): %s", collection, err, line)
		}
		recs = append(recs, r)
	}
	return recs
}

var bucketRows = regexp.MustCompile(`(?m)^bucket +\S+ +(\d+) rows`)

// heldRows adds up the rows of the buckets `device status` lists.
func heldRows(status string) int {
	rows := 0
	for _, m := range bucketRows.FindAllStringSubmatch(status, -1) {
		n, _ := strconv.Atoi(m[1])
		rows += n
	}
	return rows
}

// TestDeviceJSON: `ordinator device` against `ordinator serve --demo` reads
// and writes the protocol's messages as JSON, refuses malformed arguments
// before queuing them, and ends a sync in which the server rejected a
// mutation with the rejections and exit code 1.
func TestDeviceJSON(t *testing.T) {
	p := start(t, t.TempDir(), "--demo")
	dir := t.TempDir()
	mustDevice(t, "login", "--server", p.url(), "--login", "rep.north@demo.ordinator", "--password", demoPassword, "--dir", dir)
	_, progress := mustDevice(t, "sync", "--dir", dir)

	// The initial sync says what it brought: what the buckets hold.
	status, _ := mustDevice(t, "status", "--dir", dir)
	rows := heldRows(status)
	if want := fmt.Sprintf("initial sync: %d rows in ", rows); rows == 0 || !strings.Contains(progress, want) {
		t.Fatalf("the initial sync of %d rows reported %q, want %q", rows, progress, want)
	}

	// JSON out, with the doctors module's columns to search and sort by.
	out, _ := mustDevice(t, "list", "doctor", "--dir", dir, "--prefix", "name_key=пав")
	if !strings.Contains(out, `"full_name": "Павел Орлов"`) || !strings.Contains(out, `"territory_id": "demo-north"`) || !strings.Contains(out, "1 of 1 records") {
		t.Fatalf("list doctor --prefix name_key=пав:\n%s", out)
	}
	doctors := listJSON(t, dir, "doctor", "--order", "status")
	var maria string
	for _, d := range doctors {
		var doc struct {
			ID       string `json:"id"`
			FullName string `json:"full_name"`
			UserID   string `json:"user_id"`
		}
		if err := json.Unmarshal(d.Record, &doc); err != nil || doc.ID != d.ID {
			t.Fatalf("doctor %s: record %s (%v)", d.ID, d.Record, err)
		}
		if doc.FullName == "Мария Иванова" && doc.UserID != "" {
			maria = d.ID
		}
	}
	if len(doctors) != 3 || maria == "" {
		t.Fatalf("the north rep's doctors: %+v", doctors)
	}
	// Every collection the replica holds shows as its message.
	for _, m := range regexp.MustCompile(`(?m)^collection +(\S+) +(\d+) records`).FindAllStringSubmatch(status, -1) {
		for _, r := range listJSON(t, dir, m[1]) {
			if r.Record == nil {
				t.Errorf("collection %s: record %s shown as bytes %q, not as its message", m[1], r.ID, r.Payload)
			}
		}
	}
	if _, errOut, code := device(t, context.Background(), "list", "doctors", "--dir", dir); code != 1 || !strings.Contains(errOut, `no collection "doctors"`) {
		t.Fatalf("an unknown collection: exit %d: %s", code, errOut)
	}
	if _, errOut, code := device(t, context.Background(), "list", "doctor", "--order", "surname", "--dir", dir); code != 1 || !strings.Contains(errOut, `no column "surname"`) {
		t.Fatalf("an unknown column: exit %d: %s", code, errOut)
	}

	// JSON in: what cannot be read is refused, naming the place, and
	// nothing is queued.
	for args, want := range map[string]string{
		`{"request_id":1}`:                    "(line 1:15): invalid value for string field requestId: 1",
		`{"request_id":"r","doctor":"x"}`:     `(line 1:19): unknown field "doctor"`,
		`{"kind" "update_data"}`:              `syntax error (line 1:9): unexpected character ", missing ":" after field name`,
		`kind=update_data`:                    "give them as a JSON object",
		`@` + filepath.Join(dir, "none.json"): "no such file",
	} {
		_, errOut, code := device(t, context.Background(), "mutate", "--dir", dir, "doctor.request_update", args)
		if code != 1 || !strings.Contains(errOut, want) {
			t.Errorf("mutate doctor.request_update %s: exit %d, %q; want %q", args, code, errOut, want)
		}
	}
	if _, errOut, code := device(t, context.Background(), "mutate", "--dir", dir, "doctor.request_updat", `{}`); code != 1 ||
		!strings.Contains(errOut, "unknown mutation doctor.request_updat") || !strings.Contains(errOut, "doctor.request_update,") {
		t.Errorf("an unknown mutation: exit %d: %s", code, errOut)
	}
	if out, _ := mustDevice(t, "status", "--dir", dir); !strings.Contains(out, "outbox     0 pending mutations") {
		t.Fatalf("refused arguments were queued:\n%s", out)
	}

	// Three requests to doctors, as JSON, from a JSON file and as encoded
	// bytes: the server takes the first and rejects the others.
	mustDevice(t, "mutate", "--dir", dir, "doctor.request_update",
		`{"request_id":"5b0c9a4e-1f7d-4d2b-8c3a-2e6f9d1b7a40","doctor_id":"`+maria+`","kind":"update_data","message":"новый адрес?"}`)
	badKind := filepath.Join(dir, "bad-kind.json")
	writeFile(t, badKind, []byte(`{"request_id":"5b0c9a4e-1f7d-4d2b-8c3a-2e6f9d1b7a41","doctor_id":"`+maria+`","kind":"call_me"}`))
	mustDevice(t, "mutate", "--dir", dir, "doctor.request_update", "@"+badKind)
	encoded, err := proto.Marshal(&probasev1.RequestUpdateArgs{RequestId: "5b0c9a4e-1f7d-4d2b-8c3a-2e6f9d1b7a42", DoctorId: "no-such-doctor", Kind: "update_data"})
	if err != nil {
		t.Fatal(err)
	}
	unknownDoctor := filepath.Join(dir, "unknown-doctor.binpb")
	writeFile(t, unknownDoctor, encoded)
	mustDevice(t, "mutate", "--dir", dir, "doctor.request_update", "@"+unknownDoctor)

	out, errOut, code := device(t, context.Background(), "sync", "--dir", dir)
	if code != 1 || !strings.Contains(errOut, "the server rejected 2 mutations of this sync") {
		t.Fatalf("sync with two rejections: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"rejected   mutation 2 doctor.request_update: invalid: ",
		"\n             kind: must be in list [update_data, submit_results]\n",
		"rejected   mutation 3 doctor.request_update: ",
		"outbox     0 pending mutations",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("sync printed no %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "mutation 1 ") {
		t.Errorf("the applied mutation is reported as rejected:\n%s", out)
	}
	// The rejections were this run's: the next sync has none.
	if out, _ := mustDevice(t, "sync", "--dir", dir); strings.Contains(out, "rejected") {
		t.Fatalf("a later sync reports earlier rejections:\n%s", out)
	}

	// The request the server applied reached the doctor's phone.
	phone := t.TempDir()
	mustDevice(t, "login", "--server", p.url(), "--login", "doctor@demo.ordinator", "--password", demoPassword, "--dir", phone)
	mustDevice(t, "sync", "--dir", phone)
	// (The demo's open gift wave may have announced itself there too.)
	inbox := listJSON(t, phone, "inbox")
	requested := 0
	for _, m := range inbox {
		if strings.Contains(string(m.Record), `"kind":"doctor.update_requested"`) {
			requested++
			if !strings.Contains(string(m.Record), `"message":"новый адрес?"`) {
				t.Fatalf("the doctor's request: %s", m.Record)
			}
		}
	}
	if requested != 1 {
		t.Fatalf("the doctor's inbox has %d requests: %+v", requested, inbox)
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
