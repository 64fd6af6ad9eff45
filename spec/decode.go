// Package spec loads YAML spec files strictly: variables (#{Name}) are
// substituted in every scalar first, then the document is decoded into a Go
// value, and every problem — an unknown field, a value of the wrong type, an
// unresolved variable — is reported together, each with its line and field
// path (such as "containers[1].image"). Deploy is the deploy command's spec;
// other specs decode their own types with Decode.
package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/vars"
)

// Lines maps field paths ("containers[1].image") to the line they were written on.
type Lines map[string]int

// Line returns the line of path, or 0 when it is unknown.
func (l Lines) Line(path string) int { return l[path] }

// Nearest returns the line of path or, when the field itself is not written
// (a missing required field), of its nearest written ancestor; the document
// itself is the path "". It returns 0 when nothing is known.
func (l Lines) Nearest(path string) int {
	for {
		if line, ok := l[path]; ok {
			return line
		}
		if path == "" {
			return 0
		}
		if cut := strings.LastIndexAny(path, ".["); cut >= 0 {
			path = path[:cut]
		} else {
			path = ""
		}
	}
}

// LineSetter is implemented by spec types that want to know where each field
// was written, to put lines into their own validation messages.
type LineSetter interface{ SetLines(Lines) }

// maxNodes bounds the work of one Decode, so that a small document that
// expands aliases into a huge tree ("billion laughs") is refused, not walked.
const maxNodes = 200000

// Decode substitutes variables in data and decodes it into into, which must
// be a non-nil pointer. The result is exitcode.Problems listing every problem
// found, or nil. Supported targets: structs (fields named by their yaml tag,
// ",inline" embedded structs), pointers (nil when the field is absent or
// null), maps with string keys, slices, strings, booleans, numbers, Duration,
// and any type implementing yaml.Unmarshaler (decoded by yaml.v3 after
// substitution). Scalars are converted by the target's type, so a quoted
// "3" fills a number: quoting is needed around values that begin with
// "#{", because YAML reads " #" as the start of a comment.
func Decode(data []byte, r vars.Resolver, into any) error {
	v := reflect.ValueOf(into)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return fmt.Errorf("spec.Decode: into must be a non-nil pointer, got %T", into)
	}
	d := &decoder{r: r, lines: Lines{}}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
		// An empty file sets nothing.
	case err != nil:
		// The problem carries the line; the text does not repeat it.
		line := yamlErrorLine(err)
		text := strings.TrimPrefix(yamlErrorText(err), "yaml: ")
		if line > 0 {
			text = strings.TrimPrefix(text, fmt.Sprintf("line %d: ", line))
		}
		d.probs.Add("", line, "%s", text)
		if u, ok := into.(unparsedMarker); ok {
			u.markUnparsed()
		}
		return d.probs.Err()
	default:
		var next yaml.Node
		if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
			d.probs.Add("", next.Line, "the file holds more than one YAML document (---); a spec is one document")
		}
		// A document holding only comments is a null scalar: it sets nothing.
		if len(doc.Content) > 0 && !isNull(doc.Content[0]) {
			d.decode(doc.Content[0], v.Elem(), "")
		}
	}
	if ls, ok := into.(LineSetter); ok {
		ls.SetLines(d.lines)
	}
	if rs, ok := into.(reportedSetter); ok {
		rs.setReported(d.probs)
	}
	return d.probs.Err()
}

// reportedSetter is implemented by targets that want to know which fields
// already have a problem (a value that could not be read), so that their
// own checks do not report those fields again.
type reportedSetter interface{ setReported(exitcode.Problems) }

// unparsedMarker is implemented by targets that want to know that the
// document could not be parsed at all (a YAML syntax error), so that their
// checks report that error alone rather than every field as missing.
type unparsedMarker interface{ markUnparsed() }

// nodeDecoder is implemented by spec types with more than one written form.
type nodeDecoder interface {
	decodeNode(d *decoder, n *yaml.Node, path string)
}

type decoder struct {
	r       vars.Resolver
	probs   exitcode.Problems
	lines   Lines
	visited int
	aborted bool
}

var (
	durationType      = reflect.TypeOf(Duration(0))
	unmarshalerType   = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
	nodeDecoderType   = reflect.TypeOf((*nodeDecoder)(nil)).Elem()
	errorLineRE       = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`line (\d+)`) })
	commentVariableRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^#\{`) })
)

func (d *decoder) problem(n *yaml.Node, path, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	d.probs.Add(path, line, format, args...)
}

// noteLine records where path was first written: the line of its key for
// mapping entries, so that a field whose value starts on the next line (a
// list, a nested mapping) is still placed on its own line. The document
// itself is recorded under "".
func (d *decoder) noteLine(path string, n *yaml.Node) {
	if _, seen := d.lines[path]; !seen {
		d.lines[path] = n.Line
	}
}

// resolve follows aliases and counts the nodes walked.
func (d *decoder) resolve(n *yaml.Node, path string) (*yaml.Node, bool) {
	for depth := 0; n != nil && n.Kind == yaml.AliasNode; depth++ {
		if depth > 100 {
			d.problem(n, path, "alias chain too long")
			return nil, false
		}
		n = n.Alias
	}
	if n == nil {
		return nil, false
	}
	d.visited++
	if d.visited > maxNodes {
		if !d.aborted {
			d.aborted = true
			d.problem(n, path, "document too large or too many aliases expanded (more than %d nodes)", maxNodes)
		}
		return nil, false
	}
	return n, true
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	n, ok := d.resolve(n, path)
	if !ok {
		return
	}
	d.noteLine(path, n)
	if v.CanAddr() {
		p := v.Addr()
		if p.Type().Implements(nodeDecoderType) {
			p.Interface().(nodeDecoder).decodeNode(d, n, path)
			return
		}
		if v.Kind() != reflect.Pointer && p.Type().Implements(unmarshalerType) {
			d.decodeWithYAML(n, p, path)
			return
		}
	}
	if v.Type() == durationType {
		if s, ok := d.scalar(n, path); ok && !isNull(n) {
			dur, err := ParseDuration(s)
			if err != nil {
				d.problem(n, path, "%v", err)
				return
			}
			v.SetInt(int64(dur))
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			d.checkCommentedVariable(n, path)
			return
		}
		elem := reflect.New(v.Type().Elem())
		d.decode(n, elem.Elem(), path)
		v.Set(elem)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.Slice:
		d.decodeSlice(n, v, path)
	case reflect.Interface:
		d.decodeWithYAML(n, v.Addr(), path)
	default:
		d.decodeScalar(n, v, path)
	}
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// checkCommentedVariable catches `key: #{Name}`: YAML reads the unquoted
// " #{Name}" as a comment and the value as empty, which would otherwise be
// a puzzling "required" error later.
func (d *decoder) checkCommentedVariable(n *yaml.Node, path string) {
	if n.Value == "" && commentVariableRE().MatchString(n.LineComment) {
		d.problem(n, path, "the value %s is read by YAML as a comment; put it in quotes: \"%s\"",
			n.LineComment, n.LineComment)
	}
}

// scalar returns the node's text with variables substituted; it reports a
// problem when the node is not a scalar.
func (d *decoder) scalar(n *yaml.Node, path string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.problem(n, path, "expected a single value, found %s", kindName(n))
		return "", false
	}
	if isNull(n) {
		d.checkCommentedVariable(n, path)
		return "", true
	}
	return d.expand(n, path, n.Value)
}

func (d *decoder) expand(n *yaml.Node, path, s string) (string, bool) {
	out, err := d.r.Expand(s)
	if err != nil {
		d.problem(n, path, "%v", err)
		return "", false
	}
	return out, true
}

func (d *decoder) decodeScalar(n *yaml.Node, v reflect.Value, path string) {
	s, ok := d.scalar(n, path)
	if !ok {
		return
	}
	if isNull(n) {
		return // null leaves the zero value
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			d.problem(n, path, "expected true or false, found %q", s)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, err := strconv.ParseInt(strings.TrimSpace(s), 10, v.Type().Bits())
		if err != nil {
			d.problem(n, path, "expected a whole number%s, found %q", rangeHint(err, v.Type().Bits(), true), s)
			return
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		u, err := strconv.ParseUint(strings.TrimSpace(s), 10, v.Type().Bits())
		if err != nil {
			d.problem(n, path, "expected a whole number of at least 0%s, found %q", rangeHint(err, v.Type().Bits(), false), s)
			return
		}
		v.SetUint(u)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), v.Type().Bits())
		if err != nil {
			d.problem(n, path, "expected a number, found %q", s)
			return
		}
		v.SetFloat(f)
	default:
		d.problem(n, path, "cannot decode into %s", v.Type())
	}
}

func rangeHint(err error, bits int, signed bool) string {
	if !errors.Is(err, strconv.ErrRange) {
		return ""
	}
	if signed {
		return fmt.Sprintf(" between %d and %d", -(int64(1) << (bits - 1)), int64(1)<<(bits-1)-1)
	}
	return fmt.Sprintf(" up to %d", uint64(1)<<bits-1)
}

// structField is a field a YAML key can name.
type structField struct {
	name  string
	index []int
}

func fieldsOf(t reflect.Type) []structField {
	var out []structField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if strings.Contains(","+opts+",", ",inline,") && f.Type.Kind() == reflect.Struct {
			for _, sub := range fieldsOf(f.Type) {
				out = append(out, structField{name: sub.name, index: append([]int{i}, sub.index...)})
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out = append(out, structField{name: name, index: []int{i}})
	}
	return out
}

// isKind reports whether n is a node of kind, which what names in the
// problem recorded when it is not; null is not, and is no problem (it
// leaves the zero value).
func (d *decoder) isKind(n *yaml.Node, path string, kind yaml.Kind, what string) bool {
	if isNull(n) {
		return false
	}
	if n.Kind != kind {
		d.problem(n, path, "expected %s, found %s", what, kindName(n))
		return false
	}
	return true
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if !d.isKind(n, path, yaml.MappingNode, "a mapping of fields") {
		return
	}
	fields := fieldsOf(v.Type())
	byName := make(map[string]structField, len(fields))
	for _, f := range fields {
		byName[f.name] = f
	}
	seen := map[string]bool{}
	for _, kv := range d.pairs(n, path) {
		key := kv.key.Value
		fp := join(path, key)
		if seen[key] {
			d.problem(kv.key, fp, "field given more than once")
			continue
		}
		seen[key] = true
		if key == "service" && v.CanAddr() {
			if h, ok := v.Addr().Interface().(serviceMappingHolder); ok {
				if val, ok := d.resolve(kv.value, fp); ok && val.Kind == yaml.MappingNode {
					name := h.decodeServiceUpdate(d, val)
					if name == "" {
						continue // no name in the mapping: as if service: were not written
					}
					kv.value = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name, Line: val.Line, Column: val.Column}
				}
			}
		}
		f, ok := byName[key]
		if !ok {
			d.problem(kv.key, fp, "unknown field%s", suggest(key, fields))
			continue
		}
		d.noteLine(fp, kv.key)
		d.commentedValue(kv, fp)
		d.decode(kv.value, v.FieldByIndex(f.index), fp)
	}
}

func suggest(key string, fields []structField) string {
	for _, f := range fields {
		if strings.EqualFold(f.name, key) || strings.EqualFold(strings.ReplaceAll(f.name, "_", ""), strings.ReplaceAll(strings.ReplaceAll(key, "_", ""), "-", "")) {
			return fmt.Sprintf(" (did you mean %q?)", f.name)
		}
	}
	best, bestDist := "", 3
	for _, f := range fields {
		if dist := editDistance(strings.ToLower(key), strings.ToLower(f.name)); dist < bestDist {
			best, bestDist = f.name, dist
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

type pair struct{ key, value *yaml.Node }

// commentedValue reports `key: #{Name}`, where YAML attaches the unquoted
// "#{Name}" to the key as a comment and leaves the value empty.
func (d *decoder) commentedValue(kv pair, path string) {
	if v := kv.value; v != nil && v.Kind == yaml.ScalarNode && isNull(v) && v.Value == "" &&
		commentVariableRE().MatchString(kv.key.LineComment) {
		d.problem(kv.key, path, "the value %s is read by YAML as a comment; put it in quotes: \"%s\"",
			kv.key.LineComment, kv.key.LineComment)
	}
}

// pairs lists a mapping's entries, with YAML merge keys ("<<: *base")
// expanded: entries written in the mapping itself win over merged ones.
func (d *decoder) pairs(n *yaml.Node, path string) []pair {
	var own, merged []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, ok := d.resolve(n.Content[i], path)
		if !ok {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.problem(k, path, "mapping keys must be plain values, found %s", kindName(k))
			continue
		}
		if k.Tag == "!!merge" {
			merged = append(merged, d.mergeSources(n.Content[i+1], path)...)
			continue
		}
		own = append(own, pair{k, n.Content[i+1]})
	}
	if len(merged) == 0 {
		return own
	}
	written := map[string]bool{}
	for _, p := range own {
		written[p.key.Value] = true
	}
	out := make([]pair, 0, len(own)+len(merged))
	for _, p := range merged {
		if !written[p.key.Value] {
			written[p.key.Value] = true
			out = append(out, p)
		}
	}
	return append(out, own...)
}

func (d *decoder) mergeSources(v *yaml.Node, path string) []pair {
	v, ok := d.resolve(v, path)
	if !ok {
		return nil
	}
	switch v.Kind {
	case yaml.MappingNode:
		return d.pairs(v, path)
	case yaml.SequenceNode:
		var out []pair
		for _, item := range v.Content {
			out = append(out, d.mergeSources(item, path)...)
		}
		return out
	default:
		d.problem(v, path, "a merge key (<<) needs a mapping or a list of mappings")
		return nil
	}
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if !d.isKind(n, path, yaml.MappingNode, "a mapping") {
		return
	}
	if v.Type().Key().Kind() != reflect.String {
		d.problem(n, path, "cannot decode into %s", v.Type())
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	for _, kv := range d.pairs(n, path) {
		key, ok := d.expand(kv.key, join(path, kv.key.Value), kv.key.Value)
		if !ok {
			continue
		}
		fp := join(path, key)
		kval := reflect.New(v.Type().Key()).Elem()
		kval.SetString(key)
		if v.MapIndex(kval).IsValid() {
			d.problem(kv.key, fp, "key given more than once")
			continue
		}
		d.noteLine(fp, kv.key)
		d.commentedValue(kv, fp)
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(kv.value, elem, fp)
		v.SetMapIndex(kval, elem)
	}
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string) {
	if !d.isKind(n, path, yaml.SequenceNode, "a list") {
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(s)
}

// decodeWithYAML substitutes variables in a copy of the subtree and lets
// yaml.v3 decode it, for targets with their own yaml.Unmarshaler and for
// interface values.
func (d *decoder) decodeWithYAML(n *yaml.Node, p reflect.Value, path string) {
	c, ok := d.expandTree(n, path)
	if !ok {
		return
	}
	if err := c.Decode(p.Interface()); err != nil {
		d.problem(n, path, "%s", strings.TrimPrefix(yamlErrorText(err), "yaml: "))
	}
}

func (d *decoder) expandTree(n *yaml.Node, path string) (*yaml.Node, bool) {
	n, ok := d.resolve(n, path)
	if !ok {
		return nil, false
	}
	c := *n
	if n.Kind == yaml.ScalarNode {
		if !isNull(n) {
			s, ok := d.expand(n, path, n.Value)
			if !ok {
				return nil, false
			}
			if s != n.Value {
				c.Value = s
				// A substituted value is text, whatever it looks like.
				c.Tag, c.Style = "!!str", yaml.DoubleQuotedStyle
			}
		}
		return &c, true
	}
	c.Content = make([]*yaml.Node, len(n.Content))
	all := true
	for i, child := range n.Content {
		cc, ok := d.expandTree(child, path)
		if !ok {
			all = false
			continue
		}
		c.Content[i] = cc
	}
	return &c, all
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		// The value is not repeated: a secret under a mis-indented key
		// would otherwise end up in a log.
		return "a single value (not shown)"
	}
	return "something else"
}

func yamlErrorText(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return strings.Join(te.Errors, "; ")
	}
	return err.Error()
}

func yamlErrorLine(err error) int {
	m := errorLineRE().FindStringSubmatch(err.Error())
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func reflectValueOf(p any) reflect.Value { return reflect.ValueOf(p).Elem() }
