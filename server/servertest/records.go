package servertest

import (
	"bytes"

	"google.golang.org/protobuf/proto"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// message is a protobuf message type: *M implements proto.Message.
type message[M any] interface {
	*M
	proto.Message
}

// Record decodes a record of a collection the device holds, from the
// buckets given or, if none, from any of its buckets; nil if it holds none.
func Record[M any, P message[M]](d *Device, collection, id string, in ...syncengine.Bucket) P {
	d.t.Helper()
	for _, b := range d.buckets(in) {
		if payload, ok := d.Replica.Get(b, collection, id); ok {
			return decode[M, P](d, collection, payload)
		}
	}
	return nil
}

// Records decodes the records of a collection the device holds in the
// buckets given (all its buckets if none), by id. A record held in two of
// them with different payloads fails the test: the device would show two
// versions of it.
func Records[M any, P message[M]](d *Device, collection string, in ...syncengine.Bucket) map[string]P {
	d.t.Helper()
	out := map[string]P{}
	seen := map[string][]byte{}
	for _, b := range d.buckets(in) {
		for k, payload := range d.Replica.Records(b) {
			if k.Collection != collection {
				continue
			}
			if prev, ok := seen[k.ID]; ok {
				if !bytes.Equal(prev, payload) {
					d.t.Fatalf("%s %s is held in two versions", collection, k.ID)
				}
				continue
			}
			seen[k.ID] = payload
			out[k.ID] = decode[M, P](d, collection, payload)
		}
	}
	return out
}

// Holders returns the buckets that hold each record of a collection on the
// device, by record id.
func (d *Device) Holders(collection string) map[string][]syncengine.Bucket {
	out := map[string][]syncengine.Bucket{}
	for _, b := range d.Replica.Buckets() {
		for k := range d.Replica.Records(b) {
			if k.Collection == collection {
				out[k.ID] = append(out[k.ID], b)
			}
		}
	}
	return out
}

func (d *Device) buckets(in []syncengine.Bucket) []syncengine.Bucket {
	if len(in) > 0 {
		return in
	}
	return d.Replica.Buckets()
}

func decode[M any, P message[M]](d *Device, collection string, payload []byte) P {
	d.t.Helper()
	m := P(new(M))
	if err := proto.Unmarshal(payload, m); err != nil {
		d.t.Fatalf("decoding a %s record: %v", collection, err)
	}
	return m
}
