package runtask

import "time"

// maxBackoff caps the pause between polls while AWS throttles or fails.
const maxBackoff = 20 * time.Second
