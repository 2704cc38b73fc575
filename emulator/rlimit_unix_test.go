//go:build unix

package emulator

import (
	"fmt"
	"syscall"
)

// raiseFileLimit lifts the soft open-file limit towards need (at most to
// the hard limit): a connection costs a descriptor at each end.
func raiseFileLimit(need uint64) error {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return err
	}
	if l.Cur >= need {
		return nil
	}
	l.Cur = min(need, l.Max)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return err
	}
	if l.Cur < need {
		return fmt.Errorf("hard limit %d", l.Max)
	}
	return nil
}
