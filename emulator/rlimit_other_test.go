//go:build !unix

package emulator

func raiseFileLimit(uint64) error { return nil }
