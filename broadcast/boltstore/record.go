package boltstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

// Receipts are kept in a binary form of their own, not as JSON: JSON
// replaces bytes that are not UTF-8 in ids and texts, and cannot write the
// times of years before 0 or after 9999. A Store gives back what it was
// given.
//
// A receipt: its Channel, ID, URL and UpdateID, each as its length
// (uvarint) and its bytes; its Time and UpdateTime, each as Unix seconds
// (varint) and nanoseconds (uvarint); the number of Meta entries (uvarint)
// and each key and value, as length and bytes, in key order.
//
// A thread's value: the stamp of its latest save (see appendStamp), then
// its Root and its Last receipt. An update's receipt's value: the stamp of
// its save, the incident (length and bytes), then the receipt.

// threadValue encodes a thread saved at saved; root and last are
// encoded receipts.
func threadValue(saved time.Time, root, last []byte) []byte {
	v := appendStamp(make([]byte, 0, 8+len(root)+len(last)), saved)
	return append(append(v, root...), last...)
}

// receiptValue encodes the receipt r of an update of incident, saved at
// saved.
func receiptValue(saved time.Time, incident string, r []byte) []byte {
	v := appendStamp(make([]byte, 0, 8+binary.MaxVarintLen64+len(incident)+len(r)), saved)
	return append(appendString(v, incident), r...)
}

// appendReceipt appends the encoding of r to b.
func appendReceipt(b []byte, r broadcast.Receipt) []byte {
	for _, s := range []string{r.Channel, r.ID, r.URL, r.UpdateID} {
		b = appendString(b, s)
	}
	for _, t := range []time.Time{r.Time, r.UpdateTime} {
		b = binary.AppendVarint(b, t.Unix())
		b = binary.AppendUvarint(b, uint64(t.Nanosecond()))
	}
	b = binary.AppendUvarint(b, uint64(len(r.Meta)))
	for _, k := range slices.Sorted(maps.Keys(r.Meta)) {
		b = appendString(appendString(b, k), r.Meta[k])
	}
	return b
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// readThread decodes a thread's value.
func readThread(v []byte) (saved time.Time, t broadcast.Thread, err error) {
	d := decoder{b: v}
	saved = d.stamp()
	t.Root = d.receipt()
	t.Last = d.receipt()
	if err := d.end(); err != nil {
		return saved, broadcast.Thread{}, &damage{fmt.Sprintf("a thread does not decode: %v", err)}
	}
	return saved, t, nil
}

// readReceipt decodes an update's receipt's value.
func readReceipt(v []byte) (saved time.Time, incident string, r broadcast.Receipt, err error) {
	d := decoder{b: v}
	saved = d.stamp()
	incident = d.string()
	r = d.receipt()
	if err := d.end(); err != nil {
		return saved, "", broadcast.Receipt{}, &damage{fmt.Sprintf("a receipt does not decode: %v", err)}
	}
	return saved, incident, r, nil
}

// checkReceipt decodes an update's receipt's value as Prune needs it: when
// it was saved, the rest only checked.
func checkReceipt(v []byte) (saved time.Time, err error) {
	d := decoder{b: v, skip: true}
	saved = d.stamp()
	d.string()
	d.receipt()
	if err := d.end(); err != nil {
		return saved, &damage{fmt.Sprintf("a receipt does not decode: %v", err)}
	}
	return saved, nil
}

// checkThread decodes a thread's value as Prune needs it: when it was last
// saved, its receipts only checked.
func checkThread(v []byte) (saved time.Time, err error) {
	d := decoder{b: v, skip: true}
	saved = d.stamp()
	d.receipt()
	d.receipt()
	if err := d.end(); err != nil {
		return saved, &damage{fmt.Sprintf("a thread does not decode: %v", err)}
	}
	return saved, nil
}

var errTruncated = errors.New("cut short")

// A decoder reads a value from its start. It copies what it returns: a
// value bbolt gives is only valid during its transaction. After the first
// error it reads nothing more, and end reports it.
type decoder struct {
	b   []byte
	err error
	// skip makes it check what it reads without keeping it: its strings
	// are "" and its receipts have no Meta, and it allocates nothing.
	skip bool
}

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
	d.b = nil
}

func (d *decoder) stamp() time.Time {
	if len(d.b) < 8 {
		d.fail(errTruncated)
		return time.Time{}
	}
	t := readStamp(d.b)
	d.b = d.b[8:]
	return t
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(errTruncated)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail(errTruncated)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail(fmt.Errorf("a length of %d, with %d bytes left", n, len(d.b)))
		return ""
	}
	var s string
	if !d.skip {
		s = string(d.b[:n])
	}
	d.b = d.b[n:]
	return s
}

func (d *decoder) time() time.Time {
	sec, nsec := d.varint(), d.uvarint()
	if nsec >= uint64(time.Second) {
		d.fail(fmt.Errorf("%d nanoseconds", nsec))
		return time.Time{}
	}
	// The zero time comes back as it went in: zero, in UTC.
	return time.Unix(sec, int64(nsec)).UTC()
}

func (d *decoder) receipt() broadcast.Receipt {
	var r broadcast.Receipt
	r.Channel, r.ID, r.URL, r.UpdateID = d.string(), d.string(), d.string(), d.string()
	r.Time, r.UpdateTime = d.time(), d.time()
	n := d.uvarint()
	if n > uint64(len(d.b)/2) { // an entry takes 2 bytes or more
		d.fail(fmt.Errorf("%d meta entries in %d bytes", n, len(d.b)))
		return r
	}
	if n > 0 && !d.skip {
		r.Meta = make(map[string]string, n)
	}
	for range n {
		k, v := d.string(), d.string()
		if r.Meta != nil {
			r.Meta[k] = v
		}
	}
	return r
}

// end reports the first error, or bytes left over.
func (d *decoder) end() error {
	if d.err == nil && len(d.b) > 0 {
		d.err = fmt.Errorf("%d bytes left over", len(d.b))
	}
	return d.err
}
