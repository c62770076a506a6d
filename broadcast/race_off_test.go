//go:build !race

package broadcast_test

// raceDetector is whether the tests run under the race detector, whose
// instrumentation allocates a little more.
const raceDetector = false
