package spec

import "testing"

func TestLinesNearestFallsBackToTheWrittenAncestor(t *testing.T) {
	doc := `# a comment first
name: svc
containers:
  - name: web
    image: busybox
  - name: side
    env:
      MODE: on
`
	var s sample
	if err := Decode([]byte(doc), resolver(nil), &s); err != nil {
		t.Fatal(err)
	}
	cases := map[string]int{
		"":                         2, // the document starts with its first key
		"name":                     2,
		"containers[0].image":      5,
		"containers[1].memory":     6, // absent: the container it belongs to
		"containers[1].env.MODE":   8,
		"containers[1].env.OTHER":  7,
		"containers[3].name":       3, // no such item: the list
		"enabled":                  2, // absent at the top: the document
		"containers[0].ports[2].x": 4,
	}
	for path, want := range cases {
		if got := s.lines.Nearest(path); got != want {
			t.Errorf("Nearest(%q) = %d, want %d", path, got, want)
		}
	}
	if got := (Lines{}).Nearest("name"); got != 0 {
		t.Errorf("empty Lines: Nearest = %d, want 0", got)
	}
}
