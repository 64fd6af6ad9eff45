package rollout

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
)

// ManagedUpdateMembers are the UpdateService members a deploy sets itself;
// ServiceSettings.Extra may not give them.
var ManagedUpdateMembers = []string{"cluster", "service", "taskDefinition"}

// applyExtra copies the members Extra gives into in, where in does not set
// them already (typed settings win), leaving out those equal to the
// service's current value, and notes each change in the API's spelling.
// The current value is the service's, or, for the members DescribeServices
// shows only on deployments (Service Connect, volume and VPC Lattice
// configurations), the PRIMARY deployment's; gateway connectors and
// monitoring it does not show at all, so they are always sent.
func applyExtra(svc types.Service, in, extra *ecs.UpdateServiceInput, note func(name, old, new string)) {
	if extra == nil {
		return
	}
	dst, src := reflect.ValueOf(in).Elem(), reflect.ValueOf(extra).Elem()
	places := []reflect.Value{reflect.ValueOf(svc)}
	if primary, ok := ecsref.PrimaryDeployment(svc); ok {
		places = append(places, reflect.ValueOf(primary))
	}
	for i := 0; i < src.NumField(); i++ {
		f := src.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		switch f.Name {
		case "Cluster", "Service", "TaskDefinition", "DeploymentConfiguration":
			continue // managed, or merged by deploymentConfig
		}
		v := src.Field(i)
		if v.IsZero() || !dst.Field(i).IsZero() {
			continue
		}
		oldText := "-"
		for _, cur := range places {
			if old := cur.FieldByName(f.Name); old.IsValid() {
				oldText = APIText(old.Interface())
				break
			}
		}
		if oldText == APIText(v.Interface()) {
			continue
		}
		dst.Field(i).Set(v)
		note(LowerFirst(f.Name), oldText, APIText(v.Interface()))
	}
}

// overlayDeploymentConfig merges the members of extra's deployment
// configuration into next, except those named in skip (set by typed
// settings), and reports whether anything changed.
func overlayDeploymentConfig(cur types.DeploymentConfiguration, next *types.DeploymentConfiguration, extra *types.DeploymentConfiguration,
	skip map[string]bool, note func(name, old, new string)) bool {
	if extra == nil {
		return false
	}
	changed := false
	dst, src, old := reflect.ValueOf(next).Elem(), reflect.ValueOf(extra).Elem(), reflect.ValueOf(cur)
	for i := 0; i < src.NumField(); i++ {
		f := src.Type().Field(i)
		if !f.IsExported() || skip[f.Name] || src.Field(i).IsZero() {
			continue
		}
		oldText, newText := APIText(old.Field(i).Interface()), APIText(src.Field(i).Interface())
		if oldText == newText {
			continue
		}
		dst.Field(i).Set(src.Field(i))
		note(LowerFirst(f.Name), oldText, newText)
		changed = true
	}
	return changed
}

// APIText renders an SDK value as compact JSON in the API's spelling
// (members in lowerCamelCase, absent members left out); nil and empty lists
// read "(none)".
func APIText(v any) string {
	data, err := json.Marshal(plainValue(reflect.ValueOf(v)))
	if err != nil {
		return fmt.Sprint(v)
	}
	var x any
	if err := json.Unmarshal(data, &x); err != nil {
		return string(data)
	}
	x = apiShape(x)
	switch t := x.(type) {
	case nil:
		return "(none)"
	case []any:
		if len(t) == 0 {
			return "(none)"
		}
	case string:
		if t == "" {
			return "(none)"
		}
		return t
	}
	out, _ := json.Marshal(x)
	return string(out)
}

// plainValue turns an SDK value into maps, lists and scalars, with the two
// kinds JSON encoding cannot show: a document (free-form JSON, such as a
// lifecycle hook's hookDetails) becomes its JSON, and a union's member
// (ServiceConnectContainerConfigurationMemberLogLevel{Value: "debug"})
// becomes a one-member mapping ({"logLevel": "debug"}).
func plainValue(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	if (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && v.IsNil() {
		return nil
	}
	if v.CanInterface() {
		if d, ok := v.Interface().(interface{ MarshalSmithyDocument() ([]byte, error) }); ok {
			var x any
			if data, err := d.MarshalSmithyDocument(); err == nil && json.Unmarshal(data, &x) == nil {
				return x
			}
			return nil
		}
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return plainValue(v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = plainValue(v.Index(i))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := make(map[string]any, v.Len())
		for _, k := range v.MapKeys() {
			out[fmt.Sprint(k.Interface())] = plainValue(v.MapIndex(k))
		}
		return out
	case reflect.Struct:
		t := v.Type()
		if _, ok := v.Interface().(json.Marshaler); ok {
			return v.Interface() // time.Time
		}
		out := map[string]any{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() || f.Type.Kind() == reflect.String && v.Field(i).Len() == 0 {
				continue // an enumeration left empty is absent
			}
			out[f.Name] = plainValue(v.Field(i))
		}
		if _, member, ok := strings.Cut(t.Name(), "Member"); ok && member != "" && len(out) == 1 && v.FieldByName("Value").IsValid() {
			return map[string]any{member: out["Value"]}
		}
		return out
	}
	return v.Interface()
}

func apiShape(x any) any {
	switch t := x.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, v := range t {
			if v == nil {
				continue
			}
			if l, ok := v.([]any); ok && len(l) == 0 {
				continue
			}
			m[LowerFirst(k)] = apiShape(v)
		}
		return m
	case []any:
		for i := range t {
			t[i] = apiShape(t[i])
		}
	}
	return x
}

// LowerFirst turns a Go field name into the API's member name
// (EnableECSManagedTags → enableECSManagedTags).
func LowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// ParseCapacityProvider reads NAME[:WEIGHT[:BASE]].
func ParseCapacityProvider(s string) (types.CapacityProviderStrategyItem, error) {
	parts := strings.Split(s, ":")
	if parts[0] == "" || len(parts) > 3 {
		return types.CapacityProviderStrategyItem{}, fmt.Errorf("%q: expected NAME[:WEIGHT[:BASE]], e.g. FARGATE_SPOT:3 or FARGATE:1:2", s)
	}
	item := types.CapacityProviderStrategyItem{CapacityProvider: &parts[0]}
	num := func(what, v string, max int32) (int32, error) {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n < 0 || int32(n) > max {
			return 0, fmt.Errorf("%q: the %s must be a whole number from 0 to %d", s, what, max)
		}
		return int32(n), nil
	}
	if len(parts) > 1 {
		w, err := num("weight", parts[1], 1000)
		if err != nil {
			return item, err
		}
		item.Weight = w
	} else {
		item.Weight = 1
	}
	if len(parts) > 2 {
		b, err := num("base", parts[2], 100000)
		if err != nil {
			return item, err
		}
		item.Base = b
	}
	return item, nil
}

// ParsePlacementConstraint reads TYPE[:EXPRESSION] (distinctInstance, or
// memberOf:EXPRESSION).
func ParsePlacementConstraint(s string) (types.PlacementConstraint, error) {
	typ, expr, hasExpr := strings.Cut(s, ":")
	t := types.PlacementConstraintType(typ)
	if !oneOf(t, t.Values()) {
		return types.PlacementConstraint{}, fmt.Errorf("%q: the type must be one of %s (memberOf:EXPRESSION)", s, joinValues(t.Values()))
	}
	pc := types.PlacementConstraint{Type: t}
	if t == types.PlacementConstraintTypeMemberOf && (!hasExpr || expr == "") {
		return pc, fmt.Errorf("%q: memberOf needs an expression, e.g. memberOf:attribute:ecs.instance-type =~ t3.*", s)
	}
	if hasExpr {
		pc.Expression = &expr
	}
	return pc, nil
}

// ParsePlacementStrategy reads TYPE[:FIELD] (random, spread:attribute:ecs.availability-zone, binpack:memory).
func ParsePlacementStrategy(s string) (types.PlacementStrategy, error) {
	typ, field, hasField := strings.Cut(s, ":")
	t := types.PlacementStrategyType(typ)
	if !oneOf(t, t.Values()) {
		return types.PlacementStrategy{}, fmt.Errorf("%q: the type must be one of %s (spread:FIELD, binpack:cpu|memory)", s, joinValues(t.Values()))
	}
	ps := types.PlacementStrategy{Type: t}
	if hasField && field != "" {
		ps.Field = &field
	}
	return ps, nil
}

func oneOf[T comparable](v T, values []T) bool {
	for _, x := range values {
		if x == v {
			return true
		}
	}
	return false
}

func joinValues[T ~string](values []T) string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// ActiveRevisions lists the ACTIVE revisions of exactly family (not of
// families that merely start with its name), newest first.
func ActiveRevisions(ctx context.Context, api ECSAPI, family string) ([]string, error) {
	return listFamily(ctx, api, family)
}
