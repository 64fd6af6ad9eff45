package emulator

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestSnapshotSharesNothing checks that the copy a save encodes shares no
// memory that requests may change with the live state: every pointer,
// slice and map of the copy is its own (the members of a registered task
// definition, which never change, excepted), and the copy is equal.
func TestSnapshotSharesNothing(t *testing.T) {
	em := sampleEmulator(t)
	em.mu.Lock()
	orig := em.state
	cp := orig.clone()
	em.mu.Unlock()
	if !reflect.DeepEqual(exported(orig), exported(cp)) {
		t.Fatal("the copy differs from the state")
	}
	var shared []string
	compared := 0
	var walk func(a, b reflect.Value, at string)
	walk = func(a, b reflect.Value, at string) {
		switch a.Kind() {
		case reflect.Pointer:
			if a.IsNil() || b.IsNil() {
				return
			}
			compared++
			if a.Pointer() == b.Pointer() {
				shared = append(shared, at)
				return
			}
			walk(a.Elem(), b.Elem(), at)
		case reflect.Slice:
			if a.Len() == 0 || b.Len() == 0 {
				return
			}
			compared++
			if a.Pointer() == b.Pointer() {
				shared = append(shared, at)
				return
			}
			for i := 0; i < a.Len(); i++ {
				walk(a.Index(i), b.Index(i), at+"[]")
			}
		case reflect.Map:
			if a.Len() == 0 || b.Len() == 0 {
				return
			}
			compared++
			if a.Pointer() == b.Pointer() {
				shared = append(shared, at)
				return
			}
			iter := a.MapRange()
			for iter.Next() {
				walk(iter.Value(), b.MapIndex(iter.Key()), at+"{}")
			}
		case reflect.Struct:
			for i := 0; i < a.NumField(); i++ {
				f := a.Type().Field(i)
				if !f.IsExported() && !f.Anonymous || (a.Type() == reflect.TypeOf(taskDef{}) && slices.Contains(taskDefShared, f.Name)) {
					continue
				}
				walk(a.Field(i), b.Field(i), at+"."+f.Name)
			}
		}
	}
	walk(reflect.ValueOf(orig), reflect.ValueOf(cp), "state")
	if len(shared) > 0 {
		t.Fatalf("the copy shares with the state: %v", shared)
	}
	if compared < 60 {
		t.Fatalf("only %d references compared: the sample state is too small to tell", compared)
	}
}

// exported strips what DeepEqual should not compare (indexes, back pointers)
// by going through the saved form.
func exported(s *state) any {
	data, err := marshalState(s)
	if err != nil {
		panic(err)
	}
	return string(data)
}

// TestSaveWhileServing saves while requests and the scheduler change the
// state (run with -race to check that the encoder reads only its copy);
// every file written loads back.
func TestSaveWhileServing(t *testing.T) {
	em := sampleEmulator(t)
	dir := t.TempDir()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 20; i++ {
			_, _ = em.InvokeECS(context.Background(), "", "UpdateService", []byte(`{"service":"web","desiredCount":`+strconv.Itoa(1+i%4)+`,"forceNewDeployment":true}`))
			em.Advance(5 * time.Second)
		}
	}()
	for i := 0; i < 5; i++ {
		file := filepath.Join(dir, "state"+strconv.Itoa(i)+".json")
		if err := em.SaveState(file); err != nil {
			t.Fatal(err)
		}
		other := New(Options{Clock: NewManualClock(testStart), Seed: 1})
		if err := other.LoadState(file); err != nil {
			t.Fatalf("save %d does not load: %v", i, err)
		}
		if err := other.Close(); err != nil {
			t.Error(err)
		}
	}
	<-done
}
