package emulator

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"time"
)

// A minimal CBOR (RFC 8949) codec for the Smithy RPC v2 CBOR protocol,
// which current AWS SDKs and the AWS CLI use for CloudWatch. Decoding
// yields map[string]any, []any, string, []byte, int64, uint64, float64,
// bool, nil and time.Time (tag 1); encoding accepts those plus int kinds,
// slices of any element type and maps with string keys.

// EncodeCBOR encodes v.
func EncodeCBOR(v any) ([]byte, error) {
	var b []byte
	var err error
	b, err = appendCBOR(b, reflect.ValueOf(v))
	return b, err
}

func cborHead(b []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(b, m|byte(n))
	case n <= math.MaxUint8:
		return append(b, m|24, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, m|25), uint16(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, m|26), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, m|27), n)
}

var timeType = reflect.TypeOf(time.Time{})

func appendCBOR(b []byte, v reflect.Value) ([]byte, error) {
	if !v.IsValid() {
		return append(b, 0xf6), nil
	}
	if v.Type() == timeType {
		t := v.Interface().(time.Time)
		b = append(b, 0xc1) // tag 1: epoch-based date/time
		return binary.BigEndian.AppendUint64(append(b, 0xfb), math.Float64bits(float64(t.UnixMilli())/1000)), nil
	}
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return append(b, 0xf6), nil
		}
		return appendCBOR(b, v.Elem())
	case reflect.String:
		b = cborHead(b, 3, uint64(v.Len()))
		return append(b, v.String()...), nil
	case reflect.Bool:
		if v.Bool() {
			return append(b, 0xf5), nil
		}
		return append(b, 0xf4), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := v.Int()
		if n >= 0 {
			return cborHead(b, 0, uint64(n)), nil
		}
		return cborHead(b, 1, uint64(-(n + 1))), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return cborHead(b, 0, v.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return binary.BigEndian.AppendUint64(append(b, 0xfb), math.Float64bits(v.Float())), nil
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			b = cborHead(b, 2, uint64(v.Len()))
			return append(b, v.Bytes()...), nil
		}
		b = cborHead(b, 4, uint64(v.Len()))
		var err error
		for i := 0; i < v.Len(); i++ {
			if b, err = appendCBOR(b, v.Index(i)); err != nil {
				return nil, err
			}
		}
		return b, nil
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("cbor: map keys must be strings, not %s", v.Type().Key())
		}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		b = cborHead(b, 5, uint64(len(keys)))
		var err error
		for _, k := range keys {
			b = cborHead(b, 3, uint64(k.Len()))
			b = append(b, k.String()...)
			if b, err = appendCBOR(b, v.MapIndex(k)); err != nil {
				return nil, err
			}
		}
		return b, nil
	}
	return nil, fmt.Errorf("cbor: cannot encode %s", v.Type())
}

var errCBORShort = errors.New("cbor: unexpected end of data")

// DecodeCBOR decodes one CBOR data item; empty input decodes to an empty map.
func DecodeCBOR(data []byte) (any, error) {
	if len(data) == 0 {
		return map[string]any{}, nil
	}
	d := cborDecoder{data: data}
	v, err := d.item(0)
	if err != nil {
		return nil, err
	}
	if d.pos != len(data) {
		return nil, fmt.Errorf("cbor: %d bytes after the data item", len(data)-d.pos)
	}
	return v, nil
}

type cborDecoder struct {
	data []byte
	pos  int
}

const cborMaxDepth = 64

func (d *cborDecoder) byte1() (byte, error) {
	if d.pos >= len(d.data) {
		return 0, errCBORShort
	}
	c := d.data[d.pos]
	d.pos++
	return c, nil
}

func (d *cborDecoder) take(n uint64) ([]byte, error) {
	if n > uint64(len(d.data)-d.pos) {
		return nil, errCBORShort
	}
	out := d.data[d.pos : d.pos+int(n)]
	d.pos += int(n)
	return out, nil
}

// arg reads the argument of a head whose additional information is ai;
// indefinite is true for ai 31.
func (d *cborDecoder) arg(ai byte) (n uint64, indefinite bool, err error) {
	switch {
	case ai < 24:
		return uint64(ai), false, nil
	case ai == 24:
		c, err := d.byte1()
		return uint64(c), false, err
	case ai == 25:
		b, err := d.take(2)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint16(b)), false, nil
	case ai == 26:
		b, err := d.take(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(b)), false, nil
	case ai == 27:
		b, err := d.take(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(b), false, nil
	case ai == 31:
		return 0, true, nil
	}
	return 0, false, fmt.Errorf("cbor: reserved additional information %d", ai)
}

func (d *cborDecoder) isBreak() bool {
	if d.pos < len(d.data) && d.data[d.pos] == 0xff {
		d.pos++
		return true
	}
	return false
}

func (d *cborDecoder) item(depth int) (any, error) {
	if depth > cborMaxDepth {
		return nil, errors.New("cbor: nested too deeply")
	}
	c, err := d.byte1()
	if err != nil {
		return nil, err
	}
	major, ai := c>>5, c&0x1f
	if major == 7 {
		return d.simple(ai)
	}
	n, indef, err := d.arg(ai)
	if err != nil {
		return nil, err
	}
	switch major {
	case 0:
		if n <= math.MaxInt64 {
			return int64(n), nil
		}
		return n, nil
	case 1:
		if n > math.MaxInt64 {
			return nil, errors.New("cbor: negative integer out of range")
		}
		return -1 - int64(n), nil
	case 2, 3:
		var out []byte
		if indef {
			for !d.isBreak() {
				chunk, err := d.item(depth + 1)
				if err != nil {
					return nil, err
				}
				switch ch := chunk.(type) {
				case string:
					out = append(out, ch...)
				case []byte:
					out = append(out, ch...)
				default:
					return nil, errors.New("cbor: bad chunk in an indefinite-length string")
				}
			}
		} else if out, err = d.take(n); err != nil {
			return nil, err
		}
		if major == 3 {
			return string(out), nil
		}
		return append([]byte(nil), out...), nil
	case 4:
		out := []any{}
		for i := uint64(0); indef || i < n; i++ {
			if indef && d.isBreak() {
				break
			}
			v, err := d.item(depth + 1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case 5:
		out := map[string]any{}
		for i := uint64(0); indef || i < n; i++ {
			if indef && d.isBreak() {
				break
			}
			k, err := d.item(depth + 1)
			if err != nil {
				return nil, err
			}
			ks, ok := k.(string)
			if !ok {
				return nil, errors.New("cbor: map keys must be text strings")
			}
			v, err := d.item(depth + 1)
			if err != nil {
				return nil, err
			}
			out[ks] = v
		}
		return out, nil
	case 6:
		v, err := d.item(depth + 1)
		if err != nil {
			return nil, err
		}
		if n == 1 {
			switch x := v.(type) {
			case int64:
				return time.Unix(x, 0).UTC(), nil
			case float64:
				sec, frac := math.Modf(x)
				return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
			}
			return nil, errors.New("cbor: tag 1 needs a number")
		}
		return v, nil // other tags: the tagged item as is
	}
	return nil, fmt.Errorf("cbor: unknown major type %d", major)
}

func (d *cborDecoder) simple(ai byte) (any, error) {
	switch ai {
	case 20:
		return false, nil
	case 21:
		return true, nil
	case 22, 23:
		return nil, nil
	case 25:
		b, err := d.take(2)
		if err != nil {
			return nil, err
		}
		return halfFloat(binary.BigEndian.Uint16(b)), nil
	case 26:
		b, err := d.take(4)
		if err != nil {
			return nil, err
		}
		return float64(math.Float32frombits(binary.BigEndian.Uint32(b))), nil
	case 27:
		b, err := d.take(8)
		if err != nil {
			return nil, err
		}
		return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
	}
	return nil, fmt.Errorf("cbor: unsupported simple value %d", ai)
}

func halfFloat(h uint16) float64 {
	exp, mant := int(h>>10)&0x1f, float64(h&0x3ff)
	var v float64
	switch exp {
	case 0:
		v = math.Ldexp(mant, -24)
	case 31:
		if mant == 0 {
			v = math.Inf(1)
		} else {
			v = math.NaN()
		}
	default:
		v = math.Ldexp(mant+1024, exp-25)
	}
	if h&0x8000 != 0 {
		return -v
	}
	return v
}
