package emulator

import (
	"fmt"
	"math/rand/v2"
)

// idSource generates the ids ECS shows: 32-hex task and instance ids,
// "ecs-svc/" plus 19 digits for deployments, UUIDs for events. It is seeded
// so that runs with the same seed produce the same ids.
type idSource struct {
	r *rand.Rand
}

func newIDSource(seed uint64) *idSource {
	return &idSource{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (s *idSource) hex32() string {
	return fmt.Sprintf("%016x%016x", s.r.Uint64(), s.r.Uint64())
}

func (s *idSource) deploymentID() string {
	// 19 digits, never starting with 0.
	return fmt.Sprintf("ecs-svc/%d", 1_000_000_000_000_000_000+s.r.Uint64N(8_999_999_999_999_999_999))
}

func (s *idSource) uuid() string {
	a, b := s.r.Uint64(), s.r.Uint64()
	a = (a &^ (0xf << 12)) | (0x4 << 12) // version 4
	b = (b &^ (0x3 << 62)) | (0x2 << 62) // RFC 4122 variant
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}
