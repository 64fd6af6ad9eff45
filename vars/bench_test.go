package vars

import "testing"

func BenchmarkExpand(b *testing.B) {
	r := Resolver{Vars: map[string]string{"Env": "prod", "Tag": "1.4.2"}, LookupEnv: func(string) (string, bool) { return "", false }}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Expand("123456789012.dkr.ecr.eu-west-1.amazonaws.com/#{Env}/web:#{Tag}"); err != nil {
			b.Fatal(err)
		}
	}
}
