package vars

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// formatFilter implements "Format FORMAT" and "Format TYPE FORMAT" (TYPE is
// Date, DateTime, DateTimeOffset, Number, Decimal, Double or Int). It takes
// the .NET format strings Octopus passes to ToString(), in the en-US culture:
//
//   - numbers: the standard formats C, D, E, F, N, P and X with an optional
//     precision (N2, F0, D5), and custom patterns of '0', '#', ',' and '.'
//     ("0.00", "#,##0");
//   - dates: the standard formats d, D, t, T, g, G, s, u and o, and custom
//     patterns of yyyy yy MMMM MMM MM M dddd ddd dd d HH H hh h mm m ss s
//     f… tt zzz zz z K, with 'quoted' text and \ escapes.
//
// Without a TYPE, a value that reads as a number is a number, else it must
// read as a date.
func formatFilter(v string, args []string) (string, error) {
	kind, layout := "", args[0]
	if len(args) == 2 {
		kind, layout = strings.ToLower(args[0]), args[1]
	}
	v = strings.TrimSpace(v)
	switch kind {
	case "":
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			return formatNumber(n, layout)
		}
		t, ok := parseDate(v)
		if !ok {
			return "", fmt.Errorf("the value is neither a number nor a date (dates: 2006-01-02, 2006-01-02T15:04:05Z, 2006/01/02 15:04:05)")
		}
		return formatDate(t, layout)
	case "date", "datetime", "datetimeoffset":
		t, ok := parseDate(v)
		if !ok {
			return "", fmt.Errorf("the value is not a date (2006-01-02, 2006-01-02T15:04:05Z, 2006/01/02 15:04:05)")
		}
		return formatDate(t, layout)
	case "number", "decimal", "double", "int", "int32", "int64":
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return "", fmt.Errorf("the value is not a number")
		}
		return formatNumber(n, layout)
	default:
		return "", fmt.Errorf("unknown type %q: use Date, DateTime, DateTimeOffset, Number, Decimal, Double or Int", args[0])
	}
}

var dateLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05.999999999",
	"2006/01/02 15:04:05", "2006/01/02", "2006-01-02", "01/02/2006 15:04:05", "01/02/2006",
	time.RFC1123, time.RFC1123Z,
}

func parseDate(s string) (time.Time, bool) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// formatNumber formats n with a .NET standard or custom numeric format.
func formatNumber(n float64, layout string) (string, error) {
	if layout == "" {
		return strconv.FormatFloat(n, 'f', -1, 64), nil
	}
	if c := layout[0]; len(layout) <= 3 && strings.ContainsRune("CcDdEeFfNnPpXx", rune(c)) {
		prec := -1
		if len(layout) > 1 {
			p, err := strconv.Atoi(layout[1:])
			if err != nil || p < 0 {
				return "", fmt.Errorf("numeric format %q: the precision after %c must be a number", layout, c)
			}
			prec = p
		}
		or := func(def int) int {
			if prec < 0 {
				return def
			}
			return prec
		}
		switch c {
		case 'C', 'c':
			s := grouped(math.Abs(n), or(2))
			if n < 0 {
				return "-$" + s, nil
			}
			return "$" + s, nil
		case 'N', 'n':
			s := grouped(math.Abs(n), or(2))
			if n < 0 {
				s = "-" + s
			}
			return s, nil
		case 'F', 'f':
			return strconv.FormatFloat(n, 'f', or(2), 64), nil
		case 'P', 'p':
			s := grouped(math.Abs(n*100), or(2)) + "%"
			if n < 0 {
				s = "-" + s
			}
			return s, nil
		case 'E', 'e':
			s := strconv.FormatFloat(n, 'e', or(6), 64)
			// .NET writes at least three exponent digits: 1.5E+003.
			mant, exp, _ := strings.Cut(s, "e")
			sign := exp[:1]
			digits := strings.TrimLeft(exp[1:], "0")
			for len(digits) < 3 {
				digits = "0" + digits
			}
			e := "e"
			if c == 'E' {
				e = "E"
			}
			return mant + e + sign + digits, nil
		case 'D', 'd', 'X', 'x':
			if n != math.Trunc(n) {
				return "", fmt.Errorf("numeric format %q needs a whole number", layout)
			}
			i := int64(n)
			var s string
			if c == 'D' || c == 'd' {
				s = strconv.FormatInt(abs64(i), 10)
			} else {
				s = strconv.FormatInt(abs64(i), 16)
				if c == 'X' {
					s = strings.ToUpper(s)
				}
			}
			for len(s) < prec {
				s = "0" + s
			}
			if i < 0 {
				s = "-" + s
			}
			return s, nil
		}
	}
	return customNumber(n, layout)
}

func abs64(i int64) int64 {
	if i < 0 {
		return -i
	}
	return i
}

// grouped writes n with prec decimals and ',' between thousands.
func grouped(n float64, prec int) string {
	s := strconv.FormatFloat(n, 'f', prec, 64)
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// customNumber handles patterns such as "0.00", "#,##0.0#" and "000".
func customNumber(n float64, layout string) (string, error) {
	whole, frac, _ := strings.Cut(layout, ".")
	for _, c := range whole + frac {
		if c != '0' && c != '#' && c != ',' {
			return "", fmt.Errorf("numeric format %q: use a standard format (C, D, E, F, N, P, X with an optional precision) or a pattern of 0, #, ',' and '.'", layout)
		}
	}
	minFrac := strings.Count(frac, "0")
	maxFrac := minFrac + strings.Count(frac, "#")
	s := strconv.FormatFloat(math.Abs(n), 'f', maxFrac, 64)
	w, f, _ := strings.Cut(s, ".")
	for len(f) > minFrac && strings.HasSuffix(f, "0") {
		f = f[:len(f)-1]
	}
	minWhole := strings.Count(whole, "0")
	if w == "0" && minWhole == 0 {
		w = ""
	}
	for len(w) < minWhole {
		w = "0" + w
	}
	if strings.Contains(whole, ",") && w != "" {
		w = strings.TrimSuffix(grouped(mustFloat(w), 0), ".")
		for len(w) < minWhole {
			w = "0" + w
		}
	}
	out := w
	if f != "" {
		out += "." + f
	}
	if n < 0 && strings.Trim(out, "0.,") != "" {
		out = "-" + out
	}
	return out, nil
}

func mustFloat(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

// formatDate formats t with a .NET standard or custom date format.
func formatDate(t time.Time, layout string) (string, error) {
	return formatDateKind(t, layout, true)
}

// formatDateKind is formatDate; zoned says whether t is a date with a zone
// (.NET's Utc or Local kind), which the K specifier writes, or a plain
// date and time (.NET's Unspecified kind), for which K writes nothing.
func formatDateKind(t time.Time, layout string, zoned bool) (string, error) {
	switch layout {
	case "":
		layout = "o"
	case "d":
		layout = "M/d/yyyy"
	case "D":
		layout = "dddd, MMMM d, yyyy"
	case "t":
		layout = "h:mm tt"
	case "T":
		layout = "h:mm:ss tt"
	case "g":
		layout = "M/d/yyyy h:mm tt"
	case "G":
		layout = "M/d/yyyy h:mm:ss tt"
	case "s":
		layout = `yyyy-MM-dd\THH:mm:ss`
	case "u":
		t = t.UTC()
		layout = `yyyy-MM-dd HH:mm:ss\Z`
	case "o", "O":
		layout = `yyyy-MM-dd\THH:mm:ss.fffffffK`
	}
	var b strings.Builder
	for i := 0; i < len(layout); {
		c := layout[i]
		n := 1
		for i+n < len(layout) && layout[i+n] == c {
			n++
		}
		switch c {
		case 'y':
			if n <= 2 {
				fmt.Fprintf(&b, "%0*d", n, t.Year()%100)
			} else {
				fmt.Fprintf(&b, "%0*d", n, t.Year())
			}
		case 'M':
			switch {
			case n >= 4:
				b.WriteString(t.Month().String())
			case n == 3:
				b.WriteString(t.Month().String()[:3])
			default:
				fmt.Fprintf(&b, "%0*d", n, int(t.Month()))
			}
		case 'd':
			switch {
			case n >= 4:
				b.WriteString(t.Weekday().String())
			case n == 3:
				b.WriteString(t.Weekday().String()[:3])
			default:
				fmt.Fprintf(&b, "%0*d", n, t.Day())
			}
		case 'H':
			fmt.Fprintf(&b, "%0*d", min(n, 2), t.Hour())
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			fmt.Fprintf(&b, "%0*d", min(n, 2), h)
		case 'm':
			fmt.Fprintf(&b, "%0*d", min(n, 2), t.Minute())
		case 's':
			fmt.Fprintf(&b, "%0*d", min(n, 2), t.Second())
		case 'f', 'F':
			digits := fmt.Sprintf("%09d", t.Nanosecond())
			if n > 7 {
				n = 7
			}
			frac := digits[:n]
			if c == 'F' {
				frac = strings.TrimRight(frac, "0")
			}
			b.WriteString(frac)
		case 't':
			ampm := "AM"
			if t.Hour() >= 12 {
				ampm = "PM"
			}
			b.WriteString(ampm[:min(n, 2)])
		case 'z':
			_, off := t.Zone()
			sign := '+'
			if off < 0 {
				sign, off = '-', -off
			}
			switch n {
			case 1:
				fmt.Fprintf(&b, "%c%d", sign, off/3600)
			case 2:
				fmt.Fprintf(&b, "%c%02d", sign, off/3600)
			default:
				fmt.Fprintf(&b, "%c%02d:%02d", sign, off/3600, off%3600/60)
			}
		case 'K':
			switch {
			case !zoned:
			case t.Location() == time.UTC:
				b.WriteString(strings.Repeat("Z", n))
			default:
				b.WriteString(t.Format("-07:00"))
			}
		case '\'', '"':
			end := strings.IndexByte(layout[i+1:], c)
			if end < 0 {
				return "", fmt.Errorf("date format %q: unterminated quoted text", layout)
			}
			b.WriteString(layout[i+1 : i+1+end])
			i += end + 2
			continue
		case '\\':
			if i+1 < len(layout) {
				b.WriteByte(layout[i+1])
			}
			i += 2
			continue
		default:
			b.WriteString(layout[i : i+n])
		}
		i += n
	}
	return b.String(), nil
}

// nowDate is Octostache's NowDate: the current date and time on the
// resolver's clock, in its time zone (the machine's, on the wall clock),
// formatted with the optional .NET format (default o, the round trip
// format, which for this local time carries no offset, as in Octopus).
func nowDate(now time.Time, args []string) (string, error) {
	return formatDateKind(now, formatArg(args), false)
}

// nowDateUtc is Octostache's NowDateUtc: the same in UTC (o ends in Z).
func nowDateUtc(now time.Time, args []string) (string, error) {
	return formatDateKind(now.UTC(), formatArg(args), true)
}

func formatArg(args []string) string {
	if len(args) == 0 {
		return "o"
	}
	return args[0]
}
