package emulator

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestCBORRoundTrip(t *testing.T) {
	when := time.Date(2026, 3, 1, 12, 0, 0, 500_000_000, time.UTC)
	in := map[string]any{"s": "héllo", "n": -300, "big": uint64(1) << 40, "f": 1.5, "t": true, "nil": nil,
		"list": []string{"a", "b"}, "when": when, "nested": map[string]any{"x": []any{1, "y"}}}
	data, err := EncodeCBOR(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := DecodeCBOR(data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"s": "héllo", "n": int64(-300), "big": int64(1) << 40, "f": 1.5, "t": true, "nil": nil,
		"list": []any{"a", "b"}, "when": when, "nested": map[string]any{"x": []any{int64(1), "y"}}}
	if !reflect.DeepEqual(out, want) {
		t.Errorf("round trip:\n got %#v\nwant %#v", out, want)
	}
	// Indefinite-length map and string, a half float: forms other encoders use.
	got, err := DecodeCBOR([]byte{0xbf, 0x61, 'k', 0x7f, 0x61, 'a', 0x61, 'b', 0xff, 0x61, 'h', 0xf9, 0x3e, 0x00, 0xff})
	if err != nil || !reflect.DeepEqual(got, map[string]any{"k": "ab", "h": 1.5}) {
		t.Errorf("indefinite forms: %#v %v", got, err)
	}
	for _, bad := range [][]byte{{0xa1}, {0x7a, 0xff, 0xff, 0xff, 0xff}, {0xa1, 0x01, 0x02}, {0x1c}, {0x01, 0x02}} {
		if _, err := DecodeCBOR(bad); err == nil {
			t.Errorf("% x decoded without an error", bad)
		}
	}
}

func FuzzDecodeCBOR(f *testing.F) {
	f.Add([]byte{0xa1, 0x61, 'a', 0x01})
	f.Add([]byte{0xbf, 0x61, 'k', 0x9f, 0x01, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = DecodeCBOR(data) // must not panic or hang
	})
}

func TestCBORRequestsToUnknownServices(t *testing.T) {
	em := New(Options{Clock: NewManualClock(testStart)})
	t.Cleanup(func() {
		if err := em.Close(); err != nil {
			t.Error(err)
		}
	})
	for _, path := range []string{"/service/Nope/operation/Describe", "/service/x"} {
		rec := httptest.NewRecorder()
		em.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader("")))
		if rec.Code != http.StatusBadRequest || rec.Header().Get("Smithy-Protocol") != "rpc-v2-cbor" {
			t.Errorf("%s: %d %v", path, rec.Code, rec.Header())
		}
		v, err := DecodeCBOR(rec.Body.Bytes())
		if err != nil || v.(map[string]any)["__type"] != "UnknownOperationException" {
			t.Errorf("%s: error body %#v %v", path, v, err)
		}
	}
}
